"""Training rows: a captioned image in one of the paper's two orders, with the LM targets.

  text first   [<bos>, caption, <pad>…, <boi>, patches(N), <eoi>, <eos>]   generation
  image first  [<bos>, <boi>, patches(N), <eoi>, caption, <eos>, <pad>…]   captioning
Both are M + N + 4 long (M = the tokenizer's caption limit). Padding is masked out of attention
and skipped by positions, so a padded row computes what the same row unpadded computes at
inference. Each text element predicts the next valid text element (the LM loss); patches are
scored by the diffusion loss instead. A text-first caption is dropped to <null> tokens with
probability p_caption_dropout (guidance's unconditional row), and such a row has no LM loss.

Shape glossary: B batch, S = M + N + 4, N patches, C values per patch.
  ids          i64  [B,S]   image slots hold <pad>
  valid        bool [B,S]
  image_start  i64  [B]
  targets      i64  [B,S]   next token, or IGNORE
  images       u8   [B,H,W,3]
  image_first  bool [B]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from tessera_models.data.emoji import EmojiDataset
from tessera_models.transfusion.config import Training
from tessera_models.transfusion.vocab import BOI, BOS, EOI, EOS, NULL, PAD, Vocab

IGNORE = -100


@dataclass
class Batch:
    ids: torch.Tensor
    valid: torch.Tensor
    image_start: torch.Tensor
    targets: torch.Tensor
    images: torch.Tensor
    image_first: torch.Tensor

    def to(self, device: torch.device) -> Batch:
        return Batch(*(getattr(self, f).to(device) for f in self.__dataclass_fields__))

    @property
    def lm_positions(self) -> torch.Tensor:
        return self.targets != IGNORE


def row(
    caption: list[int], max_caption: int, patches: int, image_first: bool, dropped: bool
) -> tuple[list[int], int, list[int]]:
    """One row's ids (image slots as <pad>, `patches` of them), image start and targets."""
    cap = caption[:max_caption]
    pad = [PAD] * (max_caption - len(cap))
    img = [PAD] * patches
    if image_first:
        ids = [BOS, BOI, *img, EOI, *cap, EOS, *pad]
        start = 2
    else:
        ids = [BOS, *cap, *pad, BOI, *img, EOI, EOS]
        start = 2 + max_caption
    is_text = [not (start <= p < start + patches) for p in range(len(ids))]
    valid = [i != PAD or not t for i, t in zip(ids, is_text, strict=True)]
    targets = [IGNORE] * len(ids)
    if not dropped:
        kept = [p for p in range(len(ids)) if valid[p]]
        for here, nxt in itertools.pairwise(kept):
            if is_text[here] and is_text[nxt]:
                targets[here] = ids[nxt]
    return ids, start, targets


def build_batch(
    data: EmojiDataset,
    vocab: Vocab,
    picks: np.ndarray,
    captions: list[list[int]],
    image_first: np.ndarray,
    dropped: np.ndarray,
    patches: int,
) -> Batch:
    rows = [
        row(c, vocab.max_caption, patches, bool(f), bool(d))
        for c, f, d in zip(captions, image_first, dropped, strict=True)
    ]
    ids = np.array([r[0] for r in rows], np.int64)
    starts = np.array([r[1] for r in rows], np.int64)
    img = (np.arange(ids.shape[1])[None] >= starts[:, None]) & (
        np.arange(ids.shape[1])[None] < starts[:, None] + patches
    )
    return Batch(
        ids=torch.from_numpy(ids),
        valid=torch.from_numpy((ids != PAD) | img),
        image_start=torch.from_numpy(starts),
        targets=torch.from_numpy(np.array([r[2] for r in rows], np.int64)),
        images=torch.from_numpy(data.images[picks]),
        image_first=torch.from_numpy(np.asarray(image_first, bool)),
    )


def sample_batch(
    data: EmojiDataset,
    vocab: Vocab,
    picks: np.ndarray,
    tc: Training,
    patches: int,
    rng: np.random.Generator,
) -> Batch:
    image_first = rng.random(len(picks)) < tc.p_image_first
    dropped = ~image_first & (rng.random(len(picks)) < tc.p_caption_dropout)
    captions = []
    for r, i in enumerate(picks):
        rec = data.records[i]
        style = rec.set if rng.random() < tc.p_style_token else None
        ids = vocab.caption_ids(rec.caption, style)
        captions.append([NULL] * len(ids) if dropped[r] else ids)
    return build_batch(data, vocab, picks, captions, image_first, dropped, patches)


def captioned_batch(
    data: EmojiDataset, vocab: Vocab, indices: np.ndarray, image_first: bool, patches: int
) -> Batch:
    """Held-out items in one order with their real captions and style tokens, no dropout."""
    captions = [vocab.caption_ids(data.records[i].caption, data.records[i].set) for i in indices]
    flags = np.full(len(indices), image_first)
    return build_batch(data, vocab, indices, captions, flags, np.zeros(len(indices), bool), patches)
