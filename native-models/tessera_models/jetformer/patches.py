"""Pixels ↔ soft-token inputs: 4×4 patches, dequantisation noise and the RGB noise curriculum.

Shape glossary: B batch, H = W = 32 pixels, N = (H/p)² tokens, C = p·p·3 dims per token.
  images  f32 [B, H, W, 3] in [-1, 1] (channels last, as the app holds RGB)
  tokens  f32 [B, N, C], each token's dims ordered (row in patch, column in patch, channel)
"""

from __future__ import annotations

import math

import torch

# A uint8 level spans 1/127.5 in [-1, 1]: the dequantisation noise fills exactly one level.
LEVEL = 1.0 / 127.5


def patchify(images: torch.Tensor, patch: int) -> torch.Tensor:
    b, h, w, c = images.shape
    x = images.reshape(b, h // patch, patch, w // patch, patch, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(b, (h // patch) * (w // patch), patch * patch * c)


def unpatchify(tokens: torch.Tensor, patch: int, size: int) -> torch.Tensor:
    b = tokens.shape[0]
    g = size // patch
    x = tokens.reshape(b, g, g, patch, patch, 3)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(b, size, size, 3)


def u8_to_unit(images_u8: torch.Tensor) -> torch.Tensor:
    """uint8 [B,H,W,3] -> f32 in [-1, 1], each level at the bottom of its bin."""
    return images_u8.float() / 127.5 - 1.0


def dequantise(images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Uniform noise over one level, so a density over reals bounds the discrete likelihood."""
    noise = torch.rand(images.shape, generator=generator, device=images.device) * LEVEL
    return images + noise


def rgb_noise_sigma(progress: float, sigma_max: float, sigma_min: float) -> float:
    """The curriculum's σ in 0–255 space: cosine from sigma_max at the start to sigma_min."""
    return (sigma_max - sigma_min) * (1 + math.cos(math.pi * progress)) * 0.5 + sigma_min


def add_rgb_noise(
    images: torch.Tensor, sigma: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Gaussian noise of per-row σ [B] in 0–255 space, rounded back to levels (unclipped), as if
    it had been added to the uint8 images before scaling to [-1, 1]."""
    levels = torch.round((images + 1) * 127.5)
    noise = torch.randn(images.shape, generator=generator, device=images.device)
    levels = torch.round(levels + sigma.view(-1, 1, 1, 1) * noise)
    return levels / 127.5 - 1
