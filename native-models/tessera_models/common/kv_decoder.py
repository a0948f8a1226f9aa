"""The reference loops' decoder runner (docs/models.md §Decoder graph I/O), shared by every token
family: the graph with its KV cache on onnxruntime, and the additive causal mask it takes.

Shape glossary: B rows, S new tokens, P cached tokens, C cache slots (≥ P), V vocabulary.
  concat layout  mask f32 [B, 1, S, P+S]; cache f32 [B, H, P, E] per layer and key/value
  slots layout   mask f32 [B, 1, S, C+S]; cache f32 [B, H, C, E], the first P slots valid
  (0 attends, MASK_VALUE blocks)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime as ort

from tessera_models.common.decoder_io import past_names, present_names

MASK_VALUE = np.float32(-1e9)


def causal_mask_np(valid: np.ndarray, past_valid: np.ndarray | None = None) -> np.ndarray:
    """Additive f32 [B,1,S,P+S] from valid [B,S] (False = padding) and an optional cache.

    Padding keys are blocked; a padding query still sees itself so its softmax row stays finite
    (as the PyTorch models' causal_mask).
    """
    _b, s = valid.shape
    p = 0 if past_valid is None else past_valid.shape[1]
    key_valid = valid if past_valid is None else np.concatenate([past_valid, valid], axis=1)
    q = np.arange(s)[:, None] + p
    k = np.arange(p + s)[None, :]
    allowed = (k <= q)[None, None] & key_valid[:, None, None, :]
    allowed |= (k == q)[None, None]
    return np.where(allowed, np.float32(0), MASK_VALUE).astype(np.float32)


class KvDecoder:
    """Runs the decoder graph with its cache; present.* become the next call's past."""

    def __init__(self, session: ort.InferenceSession, manifest: dict[str, Any]) -> None:
        self.session = session
        kv = manifest["graphs"]["decoder"]["kv"]
        self.layers, self.heads, self.head_dim = kv["layers"], kv["kvHeads"], kv["headDim"]
        self.context = kv["context"]
        self.past_names = past_names(self.layers)
        self.output_names = ["logits", *present_names(self.layers)]

    def empty_cache(self, batch: int) -> list[np.ndarray]:
        return [
            np.zeros((batch, self.heads, 0, self.head_dim), np.float32) for _ in self.past_names
        ]

    def run(
        self, ids: np.ndarray, positions: np.ndarray, mask: np.ndarray, cache: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        feed = {"input_ids": ids, "position_ids": positions, "attention_mask": mask}
        feed |= dict(zip(self.past_names, cache, strict=True))
        out = self.session.run(self.output_names, feed)
        return out[0], out[1:]

    def append(
        self, ids: np.ndarray, cache: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unpadded rows ids i64 [B, S] right after the cache: logits [B, S, V], new cache."""
        b, s = ids.shape
        past = cache[0].shape[2]
        positions = np.broadcast_to(np.arange(past, past + s), (b, s)).astype(np.int64)
        mask = causal_mask_np(np.ones((b, s), bool), np.ones((b, past), bool))
        return self.run(ids, positions, mask, cache)


# The slot buffer grows in whole chunks: one copy per 64 tokens instead of one per token.
# Free slots add exact zeros, but the row length changes how onnxruntime groups its sums, so
# every loop (here and app/inference/engine/kv-cache.ts) runs a kept append of S tokens after
# P with roundup(P+S, SLOT_CHUNK) slots and a branch with the slots already there: then the
# same calls give the same bits in both, whatever each loop's buffer history.
SLOT_CHUNK = 64


@dataclass(frozen=True)
class SlotCache:
    """The first `length` slots of `buffers` hold the cache. Appending writes after them, so an
    older SlotCache of the same buffers stays valid (its slots are never overwritten)."""

    buffers: list[np.ndarray]
    length: int


def slot_mask(batch: int, seq: int, length: int, slots: int) -> np.ndarray:
    """f32 [B,1,S,C+S]: every query sees the first `length` slots and the new tokens up to
    itself; the free slots are blocked."""
    mask = np.full((batch, 1, seq, slots + seq), MASK_VALUE, np.float32)
    mask[..., :length] = 0
    mask[..., slots:] = causal_mask_np(np.ones((1, seq), bool))[0, 0]
    return mask


class SlotKvDecoder:
    """Runs a slots-layout decoder graph: the cache stays in our buffers and only the new
    tokens' keys and values come back, to be written into the next free slots."""

    def __init__(self, session: ort.InferenceSession, manifest: dict[str, Any]) -> None:
        self.session = session
        kv = manifest["graphs"]["decoder"]["kv"]
        if kv.get("cache", "concat") != "slots":
            raise ValueError("this decoder graph keeps a concatenated cache, not slots")
        self.layers, self.heads, self.head_dim = kv["layers"], kv["kvHeads"], kv["headDim"]
        self.context = kv["context"]
        self.past_names = past_names(self.layers)
        self.output_names = ["logits", *present_names(self.layers)]

    def empty_cache(self, batch: int) -> SlotCache:
        shape = (batch, self.heads, 0, self.head_dim)
        return SlotCache([np.zeros(shape, np.float32) for _ in self.past_names], 0)

    def _room(self, cache: SlotCache, needed: int) -> list[np.ndarray]:
        slots = cache.buffers[0].shape[2]
        if needed <= slots:
            return cache.buffers
        grown = -(-needed // SLOT_CHUNK) * SLOT_CHUNK
        out = []
        for buf in cache.buffers:
            new = np.zeros((buf.shape[0], buf.shape[1], grown, buf.shape[3]), np.float32)
            new[:, :, : cache.length] = buf[:, :, : cache.length]
            out.append(new)
        return out

    def _run(self, ids: np.ndarray, length: int, buffers: list[np.ndarray]) -> list[np.ndarray]:
        b, s = ids.shape
        feed = {
            "input_ids": ids,
            "position_ids": np.broadcast_to(np.arange(length, length + s), (b, s)).astype(np.int64),
            "attention_mask": slot_mask(b, s, length, buffers[0].shape[2]),
        }
        feed |= dict(zip(self.past_names, buffers, strict=True))
        out: list[np.ndarray] = self.session.run(self.output_names, feed)
        return out

    def append(self, ids: np.ndarray, cache: SlotCache) -> tuple[np.ndarray, SlotCache]:
        """Unpadded rows ids i64 [B, S] right after the cache: logits [B, S, V], new cache."""
        p, s = cache.length, ids.shape[1]
        buffers = self._room(cache, p + s)
        out = self._run(ids, p, buffers)
        for buf, new in zip(buffers, out[1:], strict=True):
            if new.shape[2] != s:
                raise ValueError(
                    f"the decoder returned {new.shape[2]} cache rows for {s} new tokens: "
                    "it is not a slots-layout graph; re-export it"
                )
            buf[:, :, p : p + s] = new
        return out[0], SlotCache(buffers, p + s)

    def branch(self, ids: np.ndarray, cache: SlotCache) -> np.ndarray:
        """Logits [B, S, V] of rows after the cache, which is left as it was."""
        return self._run(ids, cache.length, cache.buffers)[0]
