"""Builds the CM3 training mix for `vq-ar` (docs/models.md §vq-ar sequences) from captions and code
grids.

Layouts (G×G codes, G = 8):
  text→image       <bos> caption <break> img×64 <break> <eos>
  caption infill   <bos> <mask:0> <break> img×64 <break> <infill> <mask:0> caption <eos>
  image infill     <bos> caption <break> img′ <break> <infill> <mask:0> seg0 … <mask:h-1> segh-1 <eos>
where img′ is the grid with a random h×w rectangle's row segments replaced in place by
<mask:j>. Caption dropout replaces every caption token with <mask> (same length, same
positions), the unconditional row of classifier-free guidance.

Retrieval (CM3Leon): a retrieved document `doc_caption <break> doc_img×64 <break>` (its caption
with its own style token) may follow <bos> in any layout. It is never masked or dropped, so
the unconditional row keeps it and guidance amplifies only the caption.

With a caption slot (vocab.py) every prompt caption above, the document's included, is
left-padded with <pad> to the slot; the caption generated after <infill> keeps its length.

Positions are token indices, except with aligned documents (position_ids).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tessera_models.vq_ar.vocab import BOS, BREAK, EOS, INFILL, MASK, PAD, Vocab


@dataclass
class Example:
    caption: str
    style: str
    codes: np.ndarray  # i64 [G, G]


@dataclass
class MixWeights:
    text_to_image: float
    caption_infill: float
    image_infill: float
    caption_dropout: float
    style_token: float


TASKS = ("text_to_image", "caption_infill", "image_infill")


def document(vocab: Vocab, caption_ids: list[int], codes: np.ndarray) -> list[int]:
    """A retrieved document as it is prepended: caption (with style), image, two breaks."""
    image = (codes.reshape(-1) + vocab.image_offset).tolist()
    return [*vocab.slotted(caption_ids), BREAK, *image, BREAK]


def text_to_image(
    vocab: Vocab, caption_ids: list[int], codes: np.ndarray, doc: Sequence[int] = ()
) -> list[int]:
    image = (codes.reshape(-1) + vocab.image_offset).tolist()
    return [BOS, *doc, *vocab.slotted(caption_ids), BREAK, *image, BREAK, EOS]


def caption_infill(
    vocab: Vocab, caption_ids: list[int], codes: np.ndarray, doc: Sequence[int] = ()
) -> list[int]:
    image = (codes.reshape(-1) + vocab.image_offset).tolist()
    s0 = vocab.sentinel(0)
    return [BOS, *doc, s0, BREAK, *image, BREAK, INFILL, s0, *caption_ids, EOS]


def image_infill(
    vocab: Vocab,
    caption_ids: list[int],
    codes: np.ndarray,
    top: int,
    left: int,
    h: int,
    w: int,
    doc: Sequence[int] = (),
) -> list[int]:
    grid = codes + vocab.image_offset
    g = grid.shape[0]
    body: list[int] = []
    tail: list[int] = [INFILL]
    for r in range(g):
        if top <= r < top + h:
            j = r - top
            body += [*grid[r, :left].tolist(), vocab.sentinel(j), *grid[r, left + w :].tolist()]
            tail += [vocab.sentinel(j), *grid[r, left : left + w].tolist()]
        else:
            body += grid[r].tolist()
    return [BOS, *doc, *vocab.slotted(caption_ids), BREAK, *body, BREAK, *tail, EOS]


def sample_task(weights: MixWeights, rng: np.random.Generator) -> str:
    task = rng.random()
    if task < weights.caption_infill:
        return "caption_infill"
    if task < weights.caption_infill + weights.image_infill:
        return "image_infill"
    return "text_to_image"


def sample_sequence(
    vocab: Vocab,
    example: Example,
    weights: MixWeights,
    rng: np.random.Generator,
    task: str | None = None,
    doc: Sequence[int] = (),
) -> list[int]:
    task = task or sample_task(weights, rng)
    style = example.style if rng.random() < weights.style_token else None
    caption_ids = vocab.caption_ids(example.caption, style)
    if task == "caption_infill":
        return caption_infill(vocab, caption_ids, example.codes, doc)
    if rng.random() < weights.caption_dropout:
        caption_ids = [MASK] * len(caption_ids)
    if task == "image_infill":
        g = example.codes.shape[0]
        h, w = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        top, left = int(rng.integers(0, g - h + 1)), int(rng.integers(0, g - w + 1))
        return image_infill(vocab, caption_ids, example.codes, top, left, h, w, doc)
    return text_to_image(vocab, caption_ids, example.codes, doc)


def collate(sequences: list[list[int]], context: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pads to the longest sequence: ids i64 [B, S] and valid bool [B, S]."""
    longest = max(len(s) for s in sequences)
    if longest > context:
        raise ValueError(f"sequence of {longest} tokens exceeds the context of {context}")
    ids = np.full((len(sequences), longest), PAD, dtype=np.int64)
    valid = np.zeros((len(sequences), longest), dtype=bool)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = s
        valid[i, : len(s)] = True
    return ids, valid


def position_ids(length: int, doc_length: int, aligned: bool) -> list[int]:
    """The position of each token of a row: its index, unless documents are aligned. Then the
    document after <bos> is numbered from 0 and the rest of the row from 1, as if it had no
    document. In caption slots the two segments have the same layout, so the document's cell
    k+1 shares its position with the row's cell k, the token that predicts it: drawing from
    the document becomes attending to one's own position, not to a fixed distance back."""
    if not aligned or doc_length == 0:
        return list(range(length))
    return [0, *range(doc_length), *range(1, length - doc_length)]


def collate_positions(
    sequences: list[list[int]], doc_lengths: Sequence[int], aligned: bool
) -> np.ndarray:
    """Position ids i64 [B, S] for collate's rows (0 on padding)."""
    longest = max(len(s) for s in sequences)
    out = np.zeros((len(sequences), longest), dtype=np.int64)
    for i, (s, d) in enumerate(zip(sequences, doc_lengths, strict=True)):
        out[i, : len(s)] = position_ids(len(s), d, aligned)
    return out
