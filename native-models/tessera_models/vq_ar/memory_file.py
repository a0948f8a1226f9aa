"""The retrieval memory a `vq-ar` export ships: the documents the studio retrieves from.

memory.json        {"kind": "vq-ar-memory", "version": 1, "documents": [[caption, set], …]}
memory-codes.bin   u16 little-endian [N, G·G]: each document's codes in raster order

The memory is the training split, so a prompt retrieves what the model learned from. Only
captions are searched in the studio (a prompt has no image), so no thumbnails are shipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tessera_models.vq_ar.retrieval import Retriever
from tessera_models.vq_ar.sequences import document
from tessera_models.vq_ar.vocab import Vocab

MEMORY_KIND = "vq-ar-memory"
MEMORY_VERSION = 1
JSON_FILE = "memory.json"
CODES_FILE = "memory-codes.bin"


def write_memory(out: Path, captions: list[str], sets: list[str], codes: np.ndarray) -> None:
    """codes i64 [N, G, G] with values below 2¹⁶."""
    if not len(captions) == len(sets) == len(codes):
        raise ValueError("captions, sets and codes must describe the same documents")
    if codes.max(initial=0) >= 1 << 16:
        raise ValueError("codes do not fit in 16 bits")
    body = {
        "kind": MEMORY_KIND,
        "version": MEMORY_VERSION,
        "documents": [[c, s] for c, s in zip(captions, sets, strict=True)],
    }
    (out / JSON_FILE).write_text(json.dumps(body) + "\n", encoding="utf-8")
    codes.reshape(len(codes), -1).astype("<u2").tofile(out / CODES_FILE)


@dataclass
class Memory:
    captions: list[str]
    sets: list[str]
    codes: np.ndarray  # i64 [N, G·G]
    retriever: Retriever

    @classmethod
    def load(cls, model_dir: Path, vocab: Vocab, grid: int) -> Memory:
        body = json.loads((model_dir / JSON_FILE).read_text(encoding="utf-8"))
        if body.get("kind") != MEMORY_KIND or body.get("version") != MEMORY_VERSION:
            raise ValueError(f"{model_dir / JSON_FILE} is not a version {MEMORY_VERSION} memory")
        captions = [d[0] for d in body["documents"]]
        sets = [d[1] for d in body["documents"]]
        codes = np.fromfile(model_dir / CODES_FILE, dtype="<u2").astype(np.int64)
        if codes.size != len(captions) * grid * grid:
            raise ValueError(f"{model_dir / CODES_FILE} does not hold {len(captions)} grids")
        retriever = Retriever.build(vocab.words, captions, None)
        return cls(captions, sets, codes.reshape(len(captions), -1), retriever)

    def retrieve(self, prompt: str) -> int | None:
        """The most relevant document for a prompt (its caption alone), or None when the
        prompt shares no known word with any document."""
        best, score = self.retriever.search(self.retriever.text_query(prompt)[None], None, 1)
        return int(best[0, 0]) if score[0, 0] > 0 else None

    def tokens(self, vocab: Vocab, index: int) -> list[int]:
        """Document `index` as it is prepended (caption with its style token, image)."""
        return document(
            vocab, vocab.caption_ids(self.captions[index], self.sets[index]), self.codes[index]
        )
