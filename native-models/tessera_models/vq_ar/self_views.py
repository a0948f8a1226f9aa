"""Augmented views of each training image, used as its own retrieved document.

Why: cpu-3h and cpu-4h never learned to draw from a retrieved document's image. A document
of the same concept drawn by another set shares few codes with the target cell for cell, so
the gain from looking a fixed 82 tokens back is small, and a 5.6 M model does not find it.
A view of the target itself (moved, scaled, turned and recoloured a little, then encoded
again) shares much more, so copying pays at once. The view is given another set's style
token, and it is a clean image like a real document, so neither its caption nor its codes
tell it apart. Measured (LOG.md, cpu-5h to cpu-7h): with index positions the views did not
teach the look-back in 550 steps; with aligned documents (sequences.position_ids) they did.

Shape glossary: N images, K views per image, G code grid side, H×W pixels.
  images  u8  [N, H, W, 3]  on white
  views   i64 [N, K, G, G]  FSQ codes of each image's K views
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from tessera_models.data.emoji import to_unit_range
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer

VIEWS = 2  # per image; each use also draws its own style token
# The strongest view: moved, scaled, turned and recoloured by up to this much. Each view draws
# a strength in [0, 1] (a squared uniform: weak views are the common case, so copying pays)
# and scales every range by it. Views range from the target's own codes to few shared codes
# (the FSQ code of a 4×4 patch changes with a half-pixel shift); on emoji-v1 a view shares
# 42 % of its target's codes on average, a document of another set 2.5 %.
SCALE = 0.15  # ± relative
TURN_DEGREES = 12.0
SHIFT_PIXELS = 2.0
HUE_DEGREES = 25.0
SATURATION = 0.25  # ± relative


def _hue_matrix(angle: torch.Tensor) -> torch.Tensor:
    """f32 [B, 3, 3]: rotations of RGB about the grey axis (white and black stay put)."""
    c, s = torch.cos(angle), torch.sin(angle)
    k = 1.0 / 3.0
    r = math.sqrt(k)
    one_minus = (1 - c)[:, None, None] * k
    base = one_minus * torch.ones(3, 3) + c[:, None, None] * torch.eye(3)
    skew = torch.tensor([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    return base + (s * r)[:, None, None] * skew


def augment(images: np.ndarray, rng: np.random.Generator, colour: bool = True) -> np.ndarray:
    """One random view of each image: u8 [N, H, W, 3] → u8 [N, H, W, 3], white fill. Without
    `colour`, only moved, scaled and turned (a view that keeps "red" red)."""
    n, h, w, _ = images.shape
    x = torch.from_numpy(images).float().div(255.0).permute(0, 3, 1, 2)
    strength = rng.uniform(0.0, 1.0, n) ** 2  # weak views more often: copying must pay

    def spread(limit: float, shape: tuple[int, ...] = ()) -> torch.Tensor:
        draw = rng.uniform(-1.0, 1.0, (n, *shape)) * limit
        return torch.from_numpy(draw * strength.reshape(n, *[1] * len(shape))).float()

    scale = 1.0 + spread(SCALE)
    turn = torch.deg2rad(spread(TURN_DEGREES))
    shift = spread(SHIFT_PIXELS, (2,))
    # The affine maps output coordinates (in [-1, 1]) to input ones, hence the inverse scale.
    cos, sin = torch.cos(turn) / scale, torch.sin(turn) / scale
    theta = torch.stack(
        [
            torch.stack([cos, -sin, shift[:, 0] * 2 / w], dim=1),
            torch.stack([sin, cos, shift[:, 1] * 2 / h], dim=1),
        ],
        dim=1,
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # Sampling 1 - x with zero padding fills what moves into view with white.
    moved = 1.0 - F.grid_sample(1.0 - x, grid, align_corners=False, padding_mode="zeros")
    out = moved
    if colour:
        hue = _hue_matrix(torch.deg2rad(spread(HUE_DEGREES)))
        rgb = torch.einsum("bij,bjhw->bihw", hue.float(), moved)
        grey = rgb.mean(dim=1, keepdim=True)
        sat = (1.0 + spread(SATURATION))[:, None, None, None]
        out = grey + sat * (rgb - grey)
    return (out.clamp(0.0, 1.0).permute(0, 2, 3, 1).numpy() * 255.0).round().astype(np.uint8)


@torch.no_grad()
def encode_views(
    tokenizer: ImageTokenizer, images: np.ndarray, views: int, seed: int, colour: bool = True
) -> np.ndarray:
    """i64 [N, views, G, G]: codes of `views` random views of every image."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(views):
        codes = []
        for i in range(0, len(images), 512):
            view = augment(images[i : i + 512], rng, colour)
            codes.append(tokenizer.encode(torch.from_numpy(to_unit_range(view)))[1].numpy())
        out.append(np.concatenate(codes))
    return np.stack(out, axis=1)


def load_or_encode_views(
    path: Path,
    tokenizer_path: Path,
    load_tokenizer: Callable[[], ImageTokenizer],
    images: np.ndarray,
    needed: np.ndarray,
    seed: int,
    count: int = VIEWS,
    colour: bool = True,
) -> np.ndarray:
    """i64 [N, count, G, G]: views of the `needed` images (other rows -1), from the cache
    (an .npz) when it is newer than the tokenizer and covers them, else encoded and cached."""
    needed = np.unique(needed)
    if path.exists() and path.stat().st_mtime >= tokenizer_path.stat().st_mtime:
        with np.load(path) as cached:
            views: np.ndarray = cached["views"]
            covered = np.isin(needed, cached["indices"]).all()
        if views.shape[:2] == (len(images), count) and covered:
            return views
    encoded = encode_views(load_tokenizer(), images[needed], count, seed, colour)
    views = np.full((len(images), *encoded.shape[1:]), -1, np.int64)
    views[needed] = encoded
    np.savez(path, views=views, indices=needed)
    return views
