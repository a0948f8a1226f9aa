"""Chooses the retrieved document each training example is given (docs/models.md §vq-ar retrieval).

The memory is the training split. Each task queries the way the studio will at inference, so
training and use see the same kind of neighbour: text→image by the caption alone, caption
infill by the image alone (its caption is the answer), image infill by both. The paper's query
dropout drops a share of the caption's words. An example never retrieves itself or a
pixel-identical copy of itself; unlike the paper's 0.9 relevance cut, the same concept drawn
by another set stays allowed, because that is the document the studio will retrieve for a
prompt (its caption relevance is 1).

With self views (self_views.py), a share of the image tasks get a view of their own target
instead, under another set's style token: the curriculum that makes looking back pay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tessera_models.data.emoji import EmojiDataset
from tessera_models.vq_ar.retrieval import Retriever, duplicate_groups, thumbnails
from tessera_models.vq_ar.sequences import Example, document
from tessera_models.vq_ar.vocab import Vocab


@dataclass
class DocPicker:
    retriever: Retriever
    memory: np.ndarray  # i64 [N]: dataset index of each memory document
    exclude: list[np.ndarray]  # per dataset index: memory rows it must not retrieve
    thumbs: np.ndarray  # f32 [all images, 192]
    examples: list[Example]
    vocab: Vocab
    p_retrieval: float
    query_dropout: float
    candidates: int
    # i64 [all images, K, G, G]: augmented views of every image, or None without self views.
    self_views: np.ndarray | None = None
    styles: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        data: EmojiDataset,
        memory: np.ndarray,
        examples: list[Example],
        vocab: Vocab,
        p_retrieval: float,
        query_dropout: float,
        candidates: int,
        self_views: np.ndarray | None = None,
    ) -> DocPicker:
        captions = [data.records[i].caption for i in memory]
        retriever = Retriever.build(vocab.words, captions, data.images[memory])
        row = np.full(len(data.images), -1, dtype=np.int64)
        row[memory] = np.arange(len(memory))
        exclude = [r[r >= 0] for r in (row[group] for group in duplicate_groups(data.images))]
        return cls(
            retriever,
            memory,
            exclude,
            thumbnails(data.images),
            examples,
            vocab,
            p_retrieval,
            query_dropout,
            candidates,
            self_views,
            tuple(data.sets()),
        )

    def _document(self, row: int) -> list[int]:
        doc = self.examples[int(self.memory[row])]
        return document(self.vocab, self.vocab.caption_ids(doc.caption, doc.style), doc.codes)

    def _self_document(self, index: int, rng: np.random.Generator) -> list[int]:
        """A view of the example's own image, captioned as a document of another set."""
        assert self.self_views is not None
        own = self.examples[index]
        style = str(rng.choice([s for s in self.styles if s != own.style]))
        view = self.self_views[index, rng.integers(self.self_views.shape[1])]
        return document(self.vocab, self.vocab.caption_ids(own.caption, style), view)

    def _text_query(self, index: int, rng: np.random.Generator | None) -> np.ndarray:
        caption = self.examples[index].caption
        if rng is None:
            return self.retriever.text_query(caption)
        n = len(self.retriever.query_words(caption))
        return self.retriever.text_query(caption, rng.random(n) >= self.query_dropout)

    def pick(
        self,
        indices: np.ndarray,
        tasks: list[str],
        rng: np.random.Generator,
        p_self: float = 0.0,
    ) -> list[list[int]]:
        """One document (as tokens) or none for each training example; an image task's
        document is a view of its own image with probability `p_self`."""
        docs: list[list[int]] = [[] for _ in indices]
        chosen = [q for q in range(len(indices)) if rng.random() < self.p_retrieval]
        if self.self_views is not None and p_self > 0:
            own = [q for q in chosen if tasks[q] != "caption_infill" and rng.random() < p_self]
            for q in own:
                docs[q] = self._self_document(int(indices[q]), rng)
            taken = set(own)
            chosen = [q for q in chosen if q not in taken]
        for task in ("text_to_image", "caption_infill", "image_infill"):
            group = [q for q in chosen if tasks[q] == task]
            if not group:
                continue
            ids = [int(indices[q]) for q in group]
            text = (
                None
                if task == "caption_infill"
                else np.stack([self._text_query(i, rng) for i in ids])
            )
            thumbs = None if task == "text_to_image" else self.thumbs[ids]
            best, score = self.retriever.search(
                text, thumbs, self.candidates, [self.exclude[i] for i in ids]
            )
            for q, rows, scores in zip(group, best, score, strict=True):
                useful = rows[scores > 0]
                if len(useful):
                    docs[q] = self._document(int(rng.choice(useful)))
        return docs

    def self_documents(self, indices: list[int], rng: np.random.Generator) -> list[list[int]]:
        """A self-view document for each item (held-out checks of the look-back)."""
        return [self._self_document(i, rng) for i in indices]

    def for_prompts(self, indices: list[int]) -> list[list[int]]:
        """The top document for each item's caption alone, as the studio retrieves for a
        prompt (held-out items: they are not in the memory, but copies of them may be)."""
        text = np.stack([self._text_query(i, None) for i in indices])
        best, score = self.retriever.search(text, None, 1, [self.exclude[i] for i in indices])
        return [
            self._document(int(b[0])) if s[0] > 0 else [] for b, s in zip(best, score, strict=True)
        ]
