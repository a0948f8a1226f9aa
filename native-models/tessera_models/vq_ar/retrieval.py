"""The fixed retriever of `vq-ar` (docs/models.md §vq-ar retrieval), standing in for CM3Leon's
frozen CLIP.

A document is one captioned image of the memory (the training split). Its vector has two
l2-normalised halves: the TF-IDF vector of its caption words and its centred 8×8×3 thumbnail
(white is 0, so the blank background that every emoji shares adds nothing). Relevance is the
mean of the cosines of the halves the query has: a prompt alone searches by caption, a photo
alone by thumbnail. The TypeScript engine implements the same arithmetic over the memory file
that the export writes, and a golden case holds the two together.

Shape glossary: N documents, W caption words (the word vocabulary), Q queries, K results.
  text    f64 [N, W]    TF-IDF caption vectors, l2-normalised (style tokens and <unk> excluded),
                        kept sparse
  thumbs  f32 [N, 192]  centred thumbnails, l2-normalised (all-white images stay zero)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from tessera_models.text.word_tokenizer import UNK, WordTokenizer, words

THUMB = 8  # thumbnail side: 8×8×3 = 192 numbers


def _l2(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.where(norm > 0, x / np.maximum(norm, 1e-12), 0.0).astype(x.dtype)


def thumbnails(images_u8: np.ndarray) -> np.ndarray:
    """Centred, l2-normalised thumbnails f32 [N, 192] of u8 [N, H, W, 3] images (H, W ≥ 8)."""
    n, h, w, _ = images_u8.shape
    if h % THUMB or w % THUMB:
        raise ValueError(f"image side {h}×{w} is not a multiple of {THUMB}")
    x = images_u8.astype(np.float32).reshape(n, THUMB, h // THUMB, THUMB, w // THUMB, 3)
    return _l2(x.mean(axis=(2, 4)).reshape(n, -1) / 255.0 - 1.0).astype(np.float32)


def content_word_ids(tokenizer: WordTokenizer, caption: str) -> list[int]:
    """Word ids of a caption that carry content: no style token, no unknown word."""
    unk = tokenizer.id(UNK)
    return [i for i in (tokenizer.id(w) for w in words(caption)) if i != unk]


@dataclass
class Retriever:
    tokenizer: WordTokenizer
    idf: np.ndarray  # f64 [W]
    # The caption vectors, sparse (a caption has a few words of thousands): entry k is
    # weight[k] at word word_of[k] of document doc_of[k].
    doc_of: np.ndarray  # i64 [nnz]
    word_of: np.ndarray  # i64 [nnz]
    weight: np.ndarray  # f64 [nnz]
    thumbs: np.ndarray  # f32 [N, 192], or [N, 0] for a caption-only memory

    @classmethod
    def build(
        cls, tokenizer: WordTokenizer, captions: list[str], images_u8: np.ndarray | None
    ) -> Retriever:
        """`images_u8` None: a caption-only memory (what the studio ships)."""
        n = len(captions)
        counts = [Counter(content_word_ids(tokenizer, c)) for c in captions]
        df = np.zeros(len(tokenizer))
        for count in counts:
            df[list(count)] += 1.0
        # Smoothed IDF: words absent from the memory get the largest weight, never a division
        # by zero; words in every caption keep weight 1.
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        doc_of, word_of, weight = [], [], []
        for doc, count in enumerate(counts):
            ids = sorted(count)
            w = np.array([count[i] * idf[i] for i in ids])
            doc_of += [doc] * len(ids)
            word_of += ids
            weight += (w / np.linalg.norm(w)).tolist() if len(ids) else []
        thumbs = thumbnails(images_u8) if images_u8 is not None else np.zeros((n, 0), np.float32)
        return cls(
            tokenizer,
            idf,
            np.array(doc_of, np.int64),
            np.array(word_of, np.int64),
            np.array(weight, np.float64),
            thumbs,
        )

    def __len__(self) -> int:
        return self.thumbs.shape[0]

    def query_words(self, caption: str) -> list[int]:
        return content_word_ids(self.tokenizer, caption)

    def text_query(self, caption: str, keep: np.ndarray | None = None) -> np.ndarray:
        """TF-IDF vector f64 [W] of a caption; `keep` (bool per content word) drops words, the
        paper's query dropout."""
        ids = self.query_words(caption)
        if keep is not None:
            ids = [i for i, k in zip(ids, keep, strict=True) if k]
        v = np.zeros(len(self.idf), dtype=self.idf.dtype)
        for i in ids:
            v[i] += 1.0
        return _l2(v * self.idf)

    def relevance(self, text: np.ndarray | None, thumbs: np.ndarray | None) -> np.ndarray:
        """f64 [Q, N]: the mean of the cosines of the halves given (text f64 [Q, W], thumbs
        f32 [Q, 192]); a query row that is all zero in a half scores 0 in it."""
        halves = []
        if text is not None:
            n = len(self)
            halves.append(
                np.stack([np.bincount(self.doc_of, q[self.word_of] * self.weight, n) for q in text])
            )
        if thumbs is not None:
            halves.append(thumbs @ self.thumbs.T)
        if not halves:
            raise ValueError("a query needs a caption, a thumbnail or both")
        return sum(halves[1:], halves[0]) / len(halves)

    def search(
        self,
        text: np.ndarray | None,
        thumbs: np.ndarray | None,
        k: int,
        exclude: list[np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Indices i64 [Q, K] of the K most relevant documents, best first, and their relevance
        f32 [Q, K]; ties go to the lower index so every implementation agrees. `exclude[q]`
        lists documents query q must not get (in training: the item itself and its
        pixel-identical duplicates)."""
        # Rounded so that sums taken in another order (another BLAS, the TypeScript engine)
        # rank equal documents equal, and the lower index wins.
        scores = np.round(self.relevance(text, thumbs), 9)
        if exclude is not None:
            for q, banned in enumerate(exclude):
                scores[q, banned] = -np.inf
        # A stable sort of the negated scores keeps equal scores in index order.
        best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return best, np.take_along_axis(scores, best, axis=1)


def duplicate_groups(images_u8: np.ndarray) -> list[np.ndarray]:
    """For each image, the indices of every image with identical pixels (itself included)."""
    keys = [img.tobytes() for img in images_u8]
    groups: dict[bytes, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    return [np.array(groups[key], dtype=np.int64) for key in keys]
