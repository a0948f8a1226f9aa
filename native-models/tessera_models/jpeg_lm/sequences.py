"""The `jpeg-lm` training mix (docs/models.md §jpeg-lm sequences) from captions and tokenized JPEG
bodies.

Layouts (body = MCU tokens with RST markers, ending in EOI):
  text→image   <bos> caption <img> body <eos>
  image→text   <bos> <img> body </img> caption <eos>
Caption dropout replaces every caption token with <null> (same length, same positions): the
unconditional row of classifier-free guidance. The header is not in the sequence: it is the
same bytes for every image of a size, so it would spend context and compute on no information.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tessera_models.jpeg_lm.vocab import BOS, END_IMG, EOS, IMG, NULL, PAD, Vocab


@dataclass
class Example:
    caption: str
    style: str
    body: list[int]  # JPEG token ids (already offset into the vocabulary)


@dataclass
class MixWeights:
    image_to_text: float
    caption_dropout: float
    style_token: float


def text_to_image(caption_ids: list[int], body: list[int]) -> list[int]:
    return [BOS, *caption_ids, IMG, *body, EOS]


def image_to_text(caption_ids: list[int], body: list[int]) -> list[int]:
    return [BOS, IMG, *body, END_IMG, *caption_ids, EOS]


def unconditional_row(caption_ids: list[int]) -> list[int]:
    return [NULL] * len(caption_ids)


def sample_sequence(
    vocab: Vocab, example: Example, weights: MixWeights, rng: np.random.Generator
) -> list[int]:
    style = example.style if rng.random() < weights.style_token else None
    caption_ids = vocab.caption_ids(example.caption, style)
    if rng.random() < weights.image_to_text:
        return image_to_text(vocab.caption_ids(example.caption, None), example.body)
    if rng.random() < weights.caption_dropout:
        caption_ids = unconditional_row(caption_ids)
    return text_to_image(caption_ids, example.body)


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
