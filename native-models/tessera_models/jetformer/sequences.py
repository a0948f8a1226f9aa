"""Training batches: images with their captions in one of the two orders.

Each example is text-first (generation) with probability `text_prefix_prob`, else image-first
(captioning). A text-first caption is dropped to <nolabel> tokens with probability
`p_caption_dropout` (the unconditional row of guidance); the set's style token leads the
caption with probability `p_style_token`.

Shape glossary: B batch, T text slots (caption, <eos>, padding), H = W = 32.
  images      u8   [B, H, W, 3]
  text_ids    i64  [B, T]
  text_valid  bool [B, T]   caption tokens and <eos>
  text_first  bool [B]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from tessera_models.data.emoji import EmojiDataset
from tessera_models.jetformer.config import Training
from tessera_models.jetformer.vocab import EOS, NOLABEL, PAD, Vocab


@dataclass
class Batch:
    images: torch.Tensor
    text_ids: torch.Tensor
    text_valid: torch.Tensor
    text_first: torch.Tensor

    def to(self, device: torch.device) -> Batch:
        return Batch(
            self.images.to(device),
            self.text_ids.to(device),
            self.text_valid.to(device),
            self.text_first.to(device),
        )


def text_slots(vocab: Vocab, rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Captions -> padded [caption, <eos>] slots and their validity."""
    t = vocab.text_len
    ids = np.full((len(rows), t), PAD, np.int64)
    for r, caption in enumerate(rows):
        seq = [*caption[: t - 1], EOS]
        ids[r, : len(seq)] = seq
    return ids, ids != PAD


def sample_batch(
    data: EmojiDataset,
    vocab: Vocab,
    picks: np.ndarray,
    tc: Training,
    rng: np.random.Generator,
) -> Batch:
    text_first = rng.random(len(picks)) < tc.text_prefix_prob
    captions = []
    for r, i in enumerate(picks):
        rec = data.records[i]
        style = rec.set if rng.random() < tc.p_style_token else None
        ids = vocab.caption_ids(rec.caption, style)
        if text_first[r] and rng.random() < tc.p_caption_dropout:
            ids = [NOLABEL] * len(ids)
        captions.append(ids)
    ids, valid = text_slots(vocab, captions)
    return Batch(
        images=torch.from_numpy(data.images[picks]),
        text_ids=torch.from_numpy(ids),
        text_valid=torch.from_numpy(valid),
        text_first=torch.from_numpy(text_first),
    )


def captioned_batch(
    data: EmojiDataset, vocab: Vocab, indices: np.ndarray, text_first: bool, style: bool = True
) -> Batch:
    """Held-out items in one order with their real captions (and style token), no dropout."""
    captions = [
        vocab.caption_ids(data.records[i].caption, data.records[i].set if style else None)
        for i in indices
    ]
    ids, valid = text_slots(vocab, captions)
    return Batch(
        images=torch.from_numpy(data.images[indices]),
        text_ids=torch.from_numpy(ids),
        text_valid=torch.from_numpy(valid),
        text_first=torch.full((len(indices),), text_first, dtype=torch.bool),
    )
