"""The attention mask of a Transfusion sequence: causal, plus both ways inside the image block.

Additive f32 masks [B,1,S,P+S] in the shared decoder layout (0 attends, MASK_VALUE blocks). A
padding key is blocked; a padding query still sees itself so its softmax row stays finite.
"""

from __future__ import annotations

import numpy as np
import torch

MASK_VALUE = -1e9


def image_block(length: int, image_start: torch.Tensor, patches: int) -> torch.Tensor:
    """bool [B,S]: the positions of each row's image block."""
    p = torch.arange(length, device=image_start.device)[None]
    start = image_start[:, None]
    return (p >= start) & (p < start + patches)


def block_causal_mask(valid: torch.Tensor, image_start: torch.Tensor, patches: int) -> torch.Tensor:
    """f32 [B,1,S,S] for whole training rows: valid bool [B,S], image_start i64 [B]."""
    s = valid.shape[1]
    q = torch.arange(s, device=valid.device)[:, None]
    k = torch.arange(s, device=valid.device)[None, :]
    img = image_block(s, image_start, patches)
    allowed = (k <= q)[None] | (img[:, :, None] & img[:, None, :])
    allowed = (allowed & valid[:, None, :]) | (k == q)[None]
    zeros = torch.zeros(allowed.shape, dtype=torch.float32, device=valid.device)
    return zeros.masked_fill(~allowed, MASK_VALUE)[:, None]


def block_causal_mask_np(
    rows: int, new: int, past: int, image: tuple[int, int] | None
) -> np.ndarray:
    """f32 [B,1,S,P+S] for unpadded rows of `new` tokens after `past` cached ones; `image` is
    the (start, end) of the image block in whole-sequence positions, when it is among them."""
    q = np.arange(new)[:, None] + past
    k = np.arange(past + new)[None, :]
    allowed = k <= q
    if image is not None:
        lo, hi = image
        allowed |= (q >= lo) & (q < hi) & (k >= lo) & (k < hi)
    mask = np.where(allowed, np.float32(0), np.float32(MASK_VALUE)).astype(np.float32)
    return np.ascontiguousarray(np.broadcast_to(mask[None, None], (rows, 1, new, past + new)))
