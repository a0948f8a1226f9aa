"""Reference `jpeg-lm` loops on onnxruntime: generate, complete, infill, caption and score.

The Python twin of the TypeScript family runner (docs/models.md §jpeg-lm MCU grammar,
§jpeg-lm completion, infill and captioning): same graph, manifest, PRNG and logits pipeline, so
golden files hold the two to identical tokens.

Grammar (the only constraint on sampling): inside an MCU, the data tokens that keep it a valid
baseline MCU (entropy_grammar.py: Huffman codes, runs, six blocks); once its six blocks are
complete, only its marker: RST(m mod 8) after MCU m, EOI after the last. If no data token can
continue (never for real data), an MCU reaches `max_mcu_tokens`, or the sequence is about to run
out of context, the marker is forced. A forced token still consumes its draw, so the PRNG
counter equals the number of sampled positions.

Row layout of a CFG pair: [cond, uncond]; uncond replaces every caption token with <null>.
Shape glossary: M MCUs, P cached tokens, V vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tessera_models.common.kv_decoder import SlotCache, SlotKvDecoder
from tessera_models.common.prng import PURPOSE_SAMPLE, Prng, stream_id
from tessera_models.common.reference_runner import (
    graph_session,
    greedy_caption,
    log_partition,
    mean_log_likelihood,
    read_manifest,
    session_options,
)
from tessera_models.common.sampling import SamplingSettings, sample_token
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.bpe import EOI_ID, RST0, JpegBpe
from tessera_models.jpeg_lm.entropy_grammar import START, EntropyGrammar, State
from tessera_models.jpeg_lm.vocab import BOS, END_IMG, EOS, IMG, NULL, Vocab
from tessera_models.text.word_tokenizer import WordTokenizer


@dataclass
class Generated:
    tokens: list[int]  # JPEG token ids of the body, markers included
    body: bytes
    image: np.ndarray  # u8 [H, W, 3]


class JpegLmRunner:
    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        self.dir = Path(model_dir)
        self.manifest = read_manifest(self.dir)
        session = graph_session(
            self.dir, self.manifest["graphs"]["decoder"], session_options(threads)
        )
        self.decoder = SlotKvDecoder(session, self.manifest)
        jpeg = self.manifest["jpeg"]
        words = WordTokenizer.load(self.dir / self.manifest["tokenizer"]["file"])
        self.vocab = Vocab(words=words, bpe=JpegBpe.load(self.dir / jpeg["bpe"]["file"]))
        self.tables = (self.dir / jpeg["tables"]["file"]).read_bytes()
        self.header = (self.dir / jpeg["header"]["file"]).read_bytes()
        self.mcus = int(jpeg["mcus"])
        self.quality = int(jpeg["quality"])
        self.mcus_per_row = int(jpeg["mcusPerRow"])
        self.max_mcu_tokens = int(jpeg["maxMcuTokens"])
        bpe = self.vocab.bpe
        self.grammar = EntropyGrammar(
            self.tables,
            self.header,
            [None if RST0 <= t <= EOI_ID else bpe.token_bytes[t] for t in range(bpe.size)],
        )

    # -- pieces shared by every task ------------------------------------------------------------
    def prompt_ids(self, prompt: str, style: str | None) -> list[int]:
        return self.vocab.caption_ids(prompt, style) if prompt.strip() else []

    def encode_image(self, image: np.ndarray) -> list[bytes]:
        """uint8 [H, W, 3] -> per-MCU entropy data with the shipped recipe."""
        return jpeg_bytes.split_mcus(jpeg_bytes.encode(image, self.quality)[1])

    def mcu_tokens(self, segment: bytes, m: int) -> list[int]:
        """One MCU's tokens, its closing marker included."""
        marker = jpeg_bytes.EOI if m == self.mcus - 1 else bytes([0xFF, 0xD0 + m % 8])
        return self.vocab.jpeg_ids(segment + marker)

    def marker_for(self, m: int) -> int:
        return self.vocab.eoi if m == self.mcus - 1 else self.vocab.rst(m)

    def decode_body(self, tokens: list[int]) -> np.ndarray:
        return jpeg_bytes.decode(self.header, self.tables, self.vocab.jpeg_bytes(tokens))

    def _start(self, caption_ids: list[int], guided: bool) -> tuple[np.ndarray, SlotCache, int]:
        rows = [[BOS, *caption_ids, IMG]]
        if guided:
            rows.append([BOS, *([NULL] * len(caption_ids)), IMG])
        logits, cache = self.decoder.append(
            np.array(rows, np.int64), self.decoder.empty_cache(len(rows))
        )
        return logits[:, -1], cache, len(rows[0])

    # -- the MCU loop ---------------------------------------------------------------------------
    def run_mcus(
        self,
        caption_ids: list[int],
        known: list[list[int] | None],
        seed: int,
        settings: SamplingSettings,
        image_index: int = 0,
        on_mcu: Callable[[int, list[int]], None] | None = None,
    ) -> list[int]:
        """Body tokens for M MCUs: `known[m]` is teacher-forced (marker included), None sampled."""
        guided = bool(caption_ids) and (settings.cfg_scale != 1.0 or settings.cdk)
        last, cache, length = self._start(caption_ids, guided)
        prng = Prng(seed, stream_id(image_index, PURPOSE_SAMPLE))
        body: list[int] = []
        for m in range(self.mcus):
            forced = known[m]
            marker = self.marker_for(m)
            if forced is not None:
                ids = np.array([forced] * last.shape[0], np.int64)
                logits, cache = self.decoder.append(ids, cache)
                last = logits[:, -1]
                length += len(forced)
                body += forced
            else:
                count = 0
                state: State | None = START
                off = self.vocab.jpeg_offset
                while True:
                    remaining = self.mcus - m  # markers still owed, this one included
                    must_close = (
                        count >= self.max_mcu_tokens or length + remaining >= self.decoder.context
                    )
                    data = (
                        self.grammar.allowed_data(state)
                        if state is not None and not must_close
                        else np.zeros(0, np.int64)
                    )
                    allowed = data + off if len(data) else np.array([marker], np.int64)
                    cond = last[0][allowed]
                    uncond = last[1][allowed] if guided else None
                    token = int(allowed[sample_token(cond, uncond, settings, prng)])
                    body.append(token)
                    count += 1
                    length += 1
                    logits, cache = self.decoder.append(
                        np.full((last.shape[0], 1), token, np.int64), cache
                    )
                    last = logits[:, -1]
                    if token == marker:
                        break
                    state = self.grammar.after(state, token - off) if state is not None else None
            if on_mcu is not None:
                on_mcu(m, body)
        return body

    # -- tasks ----------------------------------------------------------------------------------
    def generate(
        self,
        prompt: str,
        style: str | None,
        seed: int,
        settings: SamplingSettings,
        image_index: int = 0,
    ) -> Generated:
        tokens = self.run_mcus(
            self.prompt_ids(prompt, style), [None] * self.mcus, seed, settings, image_index
        )
        return self._result(tokens)

    def complete(
        self,
        image: np.ndarray,
        keep_rows: int,
        prompt: str,
        style: str | None,
        seed: int,
        settings: SamplingSettings,
        image_index: int = 0,
    ) -> Generated:
        """The paper's partial-image task: keep the top `keep_rows` MCU rows, sample the rest."""
        segments = self.encode_image(image)
        keep = keep_rows * self.mcus_per_row
        known: list[list[int] | None] = [
            self.mcu_tokens(segments[m], m) if m < keep else None for m in range(self.mcus)
        ]
        tokens = self.run_mcus(self.prompt_ids(prompt, style), known, seed, settings, image_index)
        return self._result(tokens)

    def infill(
        self,
        image: np.ndarray,
        masked_mcus: list[bool],
        prompt: str,
        style: str | None,
        seed: int,
        settings: SamplingSettings,
        image_index: int = 0,
    ) -> Generated:
        """Known MCUs teacher-forced, masked MCUs sampled up to their restart marker."""
        segments = self.encode_image(image)
        known: list[list[int] | None] = [
            None if masked_mcus[m] else self.mcu_tokens(segments[m], m) for m in range(self.mcus)
        ]
        tokens = self.run_mcus(self.prompt_ids(prompt, style), known, seed, settings, image_index)
        return self._result(tokens)

    def _result(self, tokens: list[int]) -> Generated:
        return Generated(
            tokens=tokens, body=self.vocab.jpeg_bytes(tokens), image=self.decode_body(tokens)
        )

    def _image_prefix(self, image: np.ndarray) -> list[int]:
        segments = self.encode_image(image)
        body = [t for m in range(self.mcus) for t in self.mcu_tokens(segments[m], m)]
        return [BOS, IMG, *body, END_IMG]

    def caption(self, image: np.ndarray) -> str:
        """Greedy caption: words only, until <eos> or the word limit."""
        prefix = self._image_prefix(image)
        logits, cache = self.decoder.append(
            np.array([prefix], np.int64), self.decoder.empty_cache(1)
        )
        lo = self.vocab.jpeg_offset - len(self.vocab.words)
        allowed = np.array([EOS, *range(lo, self.vocab.jpeg_offset)], np.int64)

        def feed(token: int) -> np.ndarray:
            nonlocal cache
            logits, cache = self.decoder.append(np.array([[token]], np.int64), cache)
            return logits[0, -1]

        limit = self.vocab.words.max_tokens
        words = greedy_caption(logits[0, -1], feed, allowed, limit, EOS)
        return self.vocab.decode_caption(words)

    def score(self, image: np.ndarray, texts: list[str]) -> list[float]:
        """Mean log-likelihood per caption token (and <eos>) of each text given the image."""
        prefix = self._image_prefix(image)
        logits, cache = self.decoder.append(
            np.array([prefix], np.int64), self.decoder.empty_cache(1)
        )
        scores = []
        for text in texts:
            ids = [*self.vocab.caption_ids(text, None), EOS]
            if len(ids) > 1:
                more = self.decoder.branch(np.array([ids[:-1]], np.int64), cache)
                rows = np.concatenate([logits[0, -1:], more[0]], axis=0).astype(np.float64)
            else:
                rows = logits[0, -1:].astype(np.float64)
            scores.append(mean_log_likelihood(rows, ids))
        return scores

    def bits_per_byte(self, image: np.ndarray, caption_ids: list[int]) -> float:
        """Likelihood of the image's JPEG body given a caption: bits per body byte."""
        segments = self.encode_image(image)
        body = [t for m in range(self.mcus) for t in self.mcu_tokens(segments[m], m)]
        seq = [BOS, *caption_ids, IMG, *body]
        logits, _ = self.decoder.append(np.array([seq], np.int64), self.decoder.empty_cache(1))
        rows = logits[0, len(caption_ids) + 1 : -1].astype(np.float64)
        nats = -(rows[np.arange(len(body)), body] - log_partition(rows)).sum()
        return float(nats / np.log(2) / len(self.vocab.jpeg_bytes(body)))
