"""The reference loops' decoder runner (MODELS.md §5.2), shared by every token family: the
graph with its KV cache on onnxruntime, and the additive causal mask it takes.

Shape glossary: B rows, S new tokens, P cached tokens, V vocabulary.
  mask    f32 [B, 1, S, P+S]   0 attends, MASK_VALUE blocks
  cache   f32 [B, H, P, E] per layer and key/value
"""

from __future__ import annotations

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
