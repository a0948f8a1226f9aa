"""Reference `vq-ar` loops on onnxruntime: generate, infill, caption and score.

This is the Python twin of the TypeScript engine's loop (docs/models.md §vq-ar sampling,
§vq-ar infill and captioning): same graphs, same manifest, same PRNG and logits pipeline. It
writes the golden files the engine is held to and runs the evaluation, so metrics are measured
on the exported graphs that ship.

Row layout of a CFG batch of n prompts: [cond_0 … cond_{n-1}, uncond_0 … uncond_{n-1}].
Shape glossary: n prompts, G grid side (8), C codebook, T caption tokens, P cached tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from tessera_models.common.kv_decoder import KvDecoder, causal_mask_np
from tessera_models.common.prng import PURPOSE_SAMPLE, Prng, stream_id
from tessera_models.common.reference_runner import graph_session, read_manifest, session_options
from tessera_models.common.sampling import SamplingSettings, sample_token
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar.memory_file import Memory
from tessera_models.vq_ar.vocab import BOS, BREAK, EOS, INFILL, MASK, TEXT_OFFSET, Vocab


@dataclass
class Generated:
    codes: np.ndarray  # i64 [G, G]
    image: np.ndarray  # u8 [H, W, 3]
    document: int | None = None  # the retrieved memory document it was given, if any


class VqArRunner:
    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        self.dir = Path(model_dir)
        self.manifest = read_manifest(self.dir)
        opts = session_options(threads)

        def session(role: str) -> ort.InferenceSession:
            return graph_session(self.dir, self.manifest["graphs"][role], opts)

        self.decoder = KvDecoder(session("decoder"), self.manifest)
        self.encoder = session("vq_encode")
        self.vq_decoder = session("vq_decode")
        words = WordTokenizer.load(self.dir / self.manifest["tokenizer"]["file"])
        self.vocab = Vocab(
            words=words,
            codebook_size=self.manifest["vq"]["codebook"],
            caption_slot=self.manifest["tokenizer"].get("captionSlot", 0),
        )
        self.grid = self.manifest["vq"]["grid"]
        self.memory = (
            Memory.load(self.dir, self.vocab, self.grid) if "retrieval" in self.manifest else None
        )

    # -- pixels <-> codes ---------------------------------------------------------------------
    def encode(self, images_u8: np.ndarray) -> np.ndarray:
        x = images_u8.astype(np.float32).transpose(0, 3, 1, 2) / 127.5 - 1.0
        return self.encoder.run(["codes"], {"image": x})[0]

    def decode(self, codes: np.ndarray) -> np.ndarray:
        x = self.vq_decoder.run(["image"], {"codes": codes.astype(np.int64)})[0]
        return np.clip(np.round((x.transpose(0, 2, 3, 1) + 1.0) * 127.5), 0, 255).astype(np.uint8)

    # -- generation ---------------------------------------------------------------------------
    def prompt_ids(self, prompt: str, style: str | None) -> list[int]:
        return self.vocab.caption_ids(prompt, style)

    def retrieve(self, prompt: str) -> int | None:
        """The memory document a prompt retrieves, or None (no memory, or nothing relevant)."""
        return self.memory.retrieve(prompt) if self.memory is not None else None

    def document_ids(self, index: int | None) -> list[int]:
        if index is None:
            return []
        if self.memory is None:
            raise ValueError("this model has no retrieval memory")
        return self.memory.tokens(self.vocab, index)

    def document_images(self, indices: Sequence[int | None]) -> np.ndarray:
        """Pixels u8 [n, H, W, 3] of memory documents, decoded in one batch; white for None
        (a prompt that retrieved nothing)."""
        if self.memory is None:
            raise ValueError("this model has no retrieval memory")
        found = [i for i in indices if i is not None]
        g = self.grid
        size = self.manifest["image"]["width"]
        out = np.full((len(indices), size, size, 3), 255, np.uint8)
        if found:
            decoded = self.decode(self.memory.codes[found].reshape(len(found), g, g))
            out[[k for k, i in enumerate(indices) if i is not None]] = decoded
        return out

    def row_length(self, caption: list[int], doc: list[int]) -> int:
        """Tokens of a document and a caption in a layout; generate_codes batches equal ones."""
        return len(doc) + len(self.vocab.slotted(caption))

    def _prefill_pair(
        self, captions: Sequence[list[int]], guided: bool, docs: Sequence[list[int]]
    ) -> tuple[np.ndarray, list[np.ndarray], int]:
        """Prefill [cond…, uncond…] rows of equal length; returns last logits, cache, length.
        A retrieved document stays in the unconditional row: guidance amplifies the caption."""
        slotted = self.vocab.slotted
        rows = [[BOS, *d, *slotted(c), BREAK] for d, c in zip(docs, captions, strict=True)]
        if guided:
            rows += [
                [BOS, *d, *slotted([MASK] * len(c)), BREAK]
                for d, c in zip(docs, captions, strict=True)
            ]
        ids = np.array(rows, dtype=np.int64)
        b, s = ids.shape
        positions = np.broadcast_to(np.arange(s), (b, s)).astype(np.int64)
        logits, cache = self.decoder.run(
            ids, positions, causal_mask_np(np.ones((b, s), bool)), self.decoder.empty_cache(b)
        )
        return logits[:, -1], cache, s

    def _step(
        self, tokens: np.ndarray, position: int, cache: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        b = tokens.shape[0]
        ids = tokens.reshape(b, 1).astype(np.int64)
        positions = np.full((b, 1), position, np.int64)
        mask = np.zeros((b, 1, 1, position + 1), np.float32)
        logits, cache = self.decoder.run(ids, positions, mask, cache)
        return logits[:, -1], cache

    def generate_codes(
        self,
        captions: Sequence[list[int]],
        seeds: Sequence[int],
        image_indices: Sequence[int],
        settings: SamplingSettings,
        on_step: Callable[[int, np.ndarray], None] | None = None,
        prefix: np.ndarray | None = None,
        docs: Sequence[list[int]] | None = None,
    ) -> np.ndarray:
        """Codes i64 [n, G, G] for n captions whose rows (document + caption) have equal token
        length, each row on its own PRNG stream.

        `prefix` i64 [n, K] teacher-forces the first K codes in raster order (prefix
        completion, the JPEG-LM paper's partial-image task); they consume no draws.
        `docs` gives each caption its retrieved document's tokens (empty: none).
        """
        n = len(captions)
        docs = [[] for _ in captions] if docs is None else docs
        if len({self.row_length(c, d) for d, c in zip(docs, captions, strict=True)}) != 1:
            raise ValueError("generate_codes batches rows of equal token length only")
        guided = settings.cdk or settings.cfg_scale != 1.0
        prngs = [
            Prng(seed, stream_id(i, PURPOSE_SAMPLE))
            for seed, i in zip(seeds, image_indices, strict=True)
        ]
        logits, cache, position = self._prefill_pair(captions, guided, docs)
        lo, hi = self.vocab.image_offset, self.vocab.size
        count = self.grid * self.grid
        codes = np.zeros((n, count), np.int64)
        for k in range(count):
            if prefix is not None and k < prefix.shape[1]:
                codes[:, k] = prefix[:, k]
                tokens = codes[:, k] + lo
                logits, cache = self._step(
                    np.concatenate([tokens, tokens]) if guided else tokens, position, cache
                )
                position += 1
                continue
            for r in range(n):
                cond = logits[r, lo:hi]
                uncond = logits[n + r, lo:hi] if guided else None
                codes[r, k] = sample_token(cond, uncond, settings, prngs[r])
            if on_step is not None:
                on_step(k, codes[:, : k + 1])
            tokens = codes[:, k] + lo
            logits, cache = self._step(
                np.concatenate([tokens, tokens]) if guided else tokens, position, cache
            )
            position += 1
        return codes.reshape(n, self.grid, self.grid)

    def generate(
        self,
        prompt: str,
        style: str | None,
        seed: int,
        settings: SamplingSettings,
        image_index: int = 0,
        retrieval: bool = True,
    ) -> Generated:
        """With `retrieval` (and a memory), the prompt's most relevant document is prepended."""
        document = self.retrieve(prompt) if retrieval else None
        codes = self.generate_codes(
            [self.prompt_ids(prompt, style)],
            [seed],
            [image_index],
            settings,
            docs=[self.document_ids(document)],
        )
        return Generated(codes=codes[0], image=self.decode(codes)[0], document=document)

    # -- infill (native CM3: the model sees context on both sides of the hole) ----------------
    def mask_to_segments(self, mask: np.ndarray) -> list[tuple[int, int, int]]:
        """Pixel mask bool [H, W] -> per grid row (row, first col, last col + 1) to regenerate.

        A cell is masked if any of its pixels is; each row's masked span becomes one segment.
        """
        cell = mask.shape[0] // self.grid
        cells = mask.reshape(self.grid, cell, self.grid, cell).any(axis=(1, 3))
        segments = []
        for r in range(self.grid):
            cols = np.flatnonzero(cells[r])
            if len(cols) > 0:
                segments.append((r, int(cols[0]), int(cols[-1]) + 1))
        if not segments:
            raise ValueError("the mask is empty: paint the region to regenerate")
        if len(segments) > 8:
            raise ValueError("the mask spans more than 8 code rows; this model infills at most 8")
        return segments

    def infill_codes(
        self,
        codes: np.ndarray,
        segments: list[tuple[int, int, int]],
        caption: list[int],
        seed: int,
        settings: SamplingSettings,
        image_index: int = 0,
    ) -> np.ndarray:
        """CM3 infill: segment j of the grid becomes <mask:j> in place; after <infill> each
        <mask:j> is forced and exactly its length of codes is sampled."""
        lo, hi = self.vocab.image_offset, self.vocab.size
        grid = codes + lo
        sentinel_of_row = {r: j for j, (r, _, _) in enumerate(segments)}
        span_of_row = {r: (a, b) for r, a, b in segments}
        body: list[int] = []
        for r in range(self.grid):
            if r in span_of_row:
                a, b = span_of_row[r]
                body += [
                    *grid[r, :a].tolist(),
                    self.vocab.sentinel(sentinel_of_row[r]),
                    *grid[r, b:].tolist(),
                ]
            else:
                body += grid[r].tolist()
        guided = settings.cdk or settings.cfg_scale != 1.0
        slotted = self.vocab.slotted
        rows = [[BOS, *slotted(caption), BREAK, *body, BREAK, INFILL]]
        if guided:
            rows.append([BOS, *slotted([MASK] * len(caption)), BREAK, *body, BREAK, INFILL])
        ids = np.array(rows, np.int64)
        b, s = ids.shape
        positions = np.broadcast_to(np.arange(s), (b, s)).astype(np.int64)
        mask = causal_mask_np(np.ones((b, s), bool))
        _, cache = self.decoder.run(ids, positions, mask, self.decoder.empty_cache(b))
        position = s
        prng = Prng(seed, stream_id(image_index, PURPOSE_SAMPLE))
        out = codes.copy()
        for j, (r, a, e) in enumerate(segments):
            logits, cache = self._step(
                np.full(b, self.vocab.sentinel(j), np.int64), position, cache
            )
            position += 1
            for c in range(a, e):
                uncond = logits[1, lo:hi] if guided else None
                code = sample_token(logits[0, lo:hi], uncond, settings, prng)
                out[r, c] = code
                logits, cache = self._step(np.full(b, code + lo, np.int64), position, cache)
                position += 1
        return out

    # -- caption and scores -------------------------------------------------------------------
    def _image_first_prefix(self, codes: np.ndarray) -> list[int]:
        s0 = self.vocab.sentinel(0)
        return [
            BOS,
            s0,
            BREAK,
            *(codes.reshape(-1) + self.vocab.image_offset).tolist(),
            BREAK,
            INFILL,
            s0,
        ]

    def caption(self, codes: np.ndarray, max_tokens: int = 16) -> str:
        prefix = np.array([self._image_first_prefix(codes)], np.int64)
        s = prefix.shape[1]
        logits, cache = self.decoder.run(
            prefix,
            np.arange(s)[None].astype(np.int64),
            causal_mask_np(np.ones((1, s), bool)),
            self.decoder.empty_cache(1),
        )
        logits = logits[:, -1]
        out: list[int] = []
        position = s
        allowed = np.full(self.vocab.size, False)
        allowed[TEXT_OFFSET : self.vocab.image_offset] = True
        allowed[EOS] = True
        for _ in range(max_tokens + 1):
            scores = np.where(allowed, logits[0], -np.inf)
            token = int(np.argmax(scores))
            if token == EOS:
                break
            out.append(token)
            logits, cache = self._step(np.array([token]), position, cache)
            position += 1
        return self.vocab.decode_caption(out)

    def caption_logprobs(self, codes: np.ndarray, candidates: Sequence[list[int]]) -> np.ndarray:
        """log p(candidate tokens, <eos> | image) in nats, f64 [len(candidates)]."""
        prefix = self._image_first_prefix(codes)
        p = len(prefix)
        pre = np.array([prefix], np.int64)
        _, cache = self.decoder.run(
            pre,
            np.arange(p)[None].astype(np.int64),
            causal_mask_np(np.ones((1, p), bool)),
            self.decoder.empty_cache(1),
        )
        n = len(candidates)
        seqs = [[*c, EOS] for c in candidates]
        longest = max(len(x) for x in seqs)
        ids = np.zeros((n, longest), np.int64)
        valid = np.zeros((n, longest), bool)
        for i, x in enumerate(seqs):
            ids[i, : len(x)] = x
            valid[i, : len(x)] = True
        # The last prefix token's logits predict the first candidate token: feed it again as
        # the first input of the batch, and drop it from the cache.
        cache = [c[:, :, :-1].repeat(n, axis=0) for c in cache]
        inputs = np.concatenate([np.full((n, 1), prefix[-1], np.int64), ids[:, :-1]], axis=1)
        in_valid = np.concatenate([np.ones((n, 1), bool), valid[:, :-1]], axis=1)
        positions = np.broadcast_to(np.arange(p - 1, p - 1 + longest), (n, longest)).astype(
            np.int64
        )
        mask = causal_mask_np(in_valid, np.ones((n, p - 1), bool))
        logits, _ = self.decoder.run(inputs, positions, mask, cache)
        logp = logits.astype(np.float64)
        logp = logp - logp.max(-1, keepdims=True)
        logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
        picked = np.take_along_axis(logp, ids[..., None], -1)[..., 0]
        return (picked * valid).sum(1)

    def image_nats(
        self,
        captions: Sequence[list[int]],
        codes: np.ndarray,
        docs: Sequence[list[int]] | None = None,
    ) -> np.ndarray:
        """Teacher-forced −log p(image codes | [document,] caption) per image in nats, f64 [n]
        (rows of equal length)."""
        lo = self.vocab.image_offset
        docs = [[] for _ in captions] if docs is None else docs
        rows = [
            [BOS, *docs[i], *self.vocab.slotted(c), BREAK, *(codes[i].reshape(-1) + lo).tolist()]
            for i, c in enumerate(captions)
        ]
        ids = np.array(rows, np.int64)
        b, s = ids.shape
        positions = np.broadcast_to(np.arange(s), (b, s)).astype(np.int64)
        logits, _ = self.decoder.run(
            ids, positions, causal_mask_np(np.ones((b, s), bool)), self.decoder.empty_cache(b)
        )
        count = self.grid * self.grid
        pred = logits[:, s - count - 1 : s - 1].astype(np.float64)
        pred = pred - pred.max(-1, keepdims=True)
        pred = pred - np.log(np.exp(pred).sum(-1, keepdims=True))
        target = ids[:, s - count :]
        return -np.take_along_axis(pred, target[..., None], -1)[..., 0].sum(1)
