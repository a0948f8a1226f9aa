"""What every reference loop on onnxruntime does the same way: the model folder's manifest and
sessions, the Gaussian draws of the noise stream, greedy captions and caption scores; and the
runner of the families whose decoder reads embeddings (text and image are embedded apart, the
text head reads the decoder's hidden states), which caption and score the same way.

The TypeScript family runners implement the same rules (the lowest id among tied logits, float64
softmax), which the goldens hold them to.

Shape glossary: B rows, S tokens, D width, V text vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import onnxruntime as ort

from tessera_models.common.decoder_io import past_names
from tessera_models.common.prng import Prng
from tessera_models.text.word_tokenizer import WordTokenizer


def read_manifest(model_dir: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def session_options(threads: int) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return opts


def graph_session(model_dir: Path, graph: dict[str, Any], opts: ort.SessionOptions) -> Any:
    """The CPU session of one of the manifest's graphs."""
    path = model_dir / graph["file"]
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def normals(prng: Prng, count: int) -> np.ndarray:
    """`count` standard normals, float64, from whole normal pairs (the last one's second value
    is dropped when `count` is odd)."""
    out: list[float] = []
    while len(out) < count:
        out.extend(prng.normal_pair())
    return np.array(out[:count], np.float64)


def greedy_token(logits: np.ndarray, allowed: np.ndarray) -> int:
    """The allowed id with the highest logit; among tied logits the lowest id."""
    return int(allowed[int(np.lexsort((allowed, -logits[allowed].astype(np.float64)))[0])])


def greedy_caption(
    first: np.ndarray,
    feed: Callable[[int], np.ndarray],
    allowed: np.ndarray,
    limit: int,
    eos: int,
) -> list[int]:
    """Caption ids until `eos` or `limit` of them: `first` is the logits [V] after the image,
    `feed(token)` appends a chosen token and returns the logits after it."""
    logits = first
    words: list[int] = []
    for _ in range(limit):
        token = greedy_token(logits, allowed)
        if token == eos:
            break
        words.append(token)
        if len(words) < limit:
            logits = feed(token)
    return words


def log_partition(rows: np.ndarray) -> np.ndarray:
    """log Σ exp of each row of float64 logits [N, V], shifted by its maximum."""
    top = rows.max(axis=1, keepdims=True)
    result: np.ndarray = top[:, 0] + np.log(np.exp(rows - top).sum(axis=1))
    return result


def mean_log_likelihood(rows: np.ndarray, ids: list[int]) -> float:
    """Mean log-probability of `ids`, row i's logits [V] predicting ids[i]."""
    return float((rows[np.arange(len(ids)), ids] - log_partition(rows)).mean())


class CaptionVocab(Protocol):
    words: WordTokenizer

    @property
    def size(self) -> int: ...
    def caption_ids(self, caption: str, style: str | None) -> list[int]: ...
    def decode_caption(self, ids: list[int]) -> str: ...


class EmbedsRunner:
    """The graphs of a model folder whose decoder reads embeddings with a concatenated cache.

    A family supplies its text head's role, its <eos> and first caption word's ids, how the
    image prefix of captioning is run (`_image_prefix`) and how text embeddings extend a cache
    (`_extend`)."""

    TEXT_HEAD = "text_head"
    EOS: int
    TEXT_OFFSET: int
    vocab: CaptionVocab

    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        self.dir = Path(model_dir)
        self.manifest = read_manifest(self.dir)
        opts = session_options(threads)
        self.sessions = {
            role: graph_session(self.dir, g, opts) for role, g in self.manifest["graphs"].items()
        }
        kv = self.manifest["graphs"]["decoder"]["kv"]
        self.layers, self.kv_heads, self.head_dim = kv["layers"], kv["kvHeads"], kv["headDim"]
        self.past_names = past_names(self.layers)

    def words(self) -> WordTokenizer:
        return WordTokenizer.load(self.dir / self.manifest["tokenizer"]["file"])

    # -- graph calls ----------------------------------------------------------------------------
    def _run(self, role: str, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        out: list[np.ndarray] = self.sessions[role].run(None, feed)
        return out

    def empty_cache(self, rows: int) -> list[np.ndarray]:
        shape = (rows, self.kv_heads, 0, self.head_dim)
        return [np.zeros(shape, np.float32) for _ in self.past_names]

    def run_decoder(
        self, embeds: np.ndarray, cache: list[np.ndarray], mask: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unpadded rows [B,S,D] right after the cache, under an additive mask
        [B,1,S,P+S]: hidden [B,S,D] and the grown cache."""
        b, s, _ = embeds.shape
        past = cache[0].shape[2]
        feed = {
            "inputs_embeds": embeds.astype(np.float32),
            "position_ids": np.broadcast_to(np.arange(past, past + s), (b, s)).astype(np.int64),
            "attention_mask": mask,
        }
        out = self._run("decoder", feed | dict(zip(self.past_names, cache, strict=True)))
        return out[0], out[1:]

    def embed_text(self, ids: list[list[int]]) -> np.ndarray:
        return self._run("embed_text", {"input_ids": np.array(ids, np.int64)})[0]

    def _text_logits(self, hidden: np.ndarray) -> np.ndarray:
        return self._run(self.TEXT_HEAD, {"hidden": hidden})[0]

    def _image_prefix(self, image_u8: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The image's captioning prefix run: the last hidden state [1,1,D] and the cache."""
        raise NotImplementedError

    def _extend(
        self, embeds: np.ndarray, cache: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Text embeddings [B,S,D] right after the cache, attending causally: hidden, cache."""
        raise NotImplementedError

    # -- tasks ----------------------------------------------------------------------------------
    def prompt_ids(self, prompt: str, style: str | None) -> list[int]:
        return self.vocab.caption_ids(prompt, style) if prompt.strip() else []

    def caption(self, image_u8: np.ndarray) -> str:
        """Greedy caption: words (style tokens included) until <eos> or the word limit."""
        last, cache = self._image_prefix(image_u8)
        allowed = np.array([self.EOS, *range(self.TEXT_OFFSET, self.vocab.size)], np.int64)

        def feed(token: int) -> np.ndarray:
            nonlocal cache
            hidden, cache = self._extend(self.embed_text([[token]]), cache)
            return self._text_logits(hidden[:, -1:])[0, 0]

        first = self._text_logits(last)[0, 0]
        words = greedy_caption(first, feed, allowed, self.vocab.words.max_tokens, self.EOS)
        return self.vocab.decode_caption(words)

    def score(self, image_u8: np.ndarray, texts: list[str]) -> list[float]:
        """Mean log-likelihood per caption token (and <eos>) of each text given the image."""
        last, cache = self._image_prefix(image_u8)
        scores = []
        for text in texts:
            ids = [*self.vocab.caption_ids(text, None), self.EOS]
            hidden = last
            if len(ids) > 1:
                more, _ = self._extend(self.embed_text([ids[:-1]]), cache)
                hidden = np.concatenate([last, more], axis=1)
            rows = self._text_logits(hidden)[0].astype(np.float64)
            scores.append(mean_log_likelihood(rows, ids))
        return scores
