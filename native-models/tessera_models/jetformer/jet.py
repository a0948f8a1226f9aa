"""Jet: a normalizing flow of affine channel couplings, each conditioned by a small ViT.

Each coupling permutes a token's C dims by its own fixed random permutation, keeps the first
half x1 and transforms the second: bias, raw = ViT(x1); scale = 2·sigmoid(raw);
x2 ← (x2 + bias)·scale (inverse x2 ← x2/scale − bias); log|det| = Σ log sigmoid(raw) + log 2.
The ViT's output projection starts at zero, so every coupling starts as the identity (scale
2·sigmoid(0) = 1). The ViT attends over all N tokens, so the flow mixes the image globally.
Coupling arithmetic always runs in fp32: an invertible map in half precision does not invert.

Shape glossary: B batch, N tokens, C dims per token, E ViT width.
  x, z     f32 [B, N, C]
  logdet   f32 [B]
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tessera_models.jetformer.config import FlowConfig

LOG2 = math.log(2.0)


class VitBlock(nn.Module):
    """Pre-LayerNorm transformer encoder block (bidirectional attention, GELU MLP)."""

    def __init__(self, width: int, heads: int, mlp_ratio: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.fc1 = nn.Linear(width, mlp_ratio * width)
        self.fc2 = nn.Linear(mlp_ratio * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, e = x.shape
        q, k, v = (
            self.qkv(self.norm1(x))
            .view(b, n, 3, self.heads, e // self.heads)
            .permute(2, 0, 3, 1, 4)
        )
        y = F.scaled_dot_product_attention(q, k, v)
        x = x + self.proj(y.transpose(1, 2).reshape(b, n, e))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class CouplingNet(nn.Module):
    """x1 [B, N, C/2] -> bias, raw scale [B, N, C/2] each."""

    def __init__(self, config: FlowConfig) -> None:
        super().__init__()
        half = config.token_dim // 2
        self.init_proj = nn.Linear(half, config.width)
        self.posemb = nn.Parameter(
            torch.randn(1, config.tokens, config.width) / math.sqrt(config.width)
        )
        self.blocks = nn.ModuleList(
            VitBlock(config.width, config.heads, config.mlp_ratio) for _ in range(config.depth)
        )
        self.norm = nn.LayerNorm(config.width, eps=1e-6)
        self.final_proj = nn.Linear(config.width, 2 * half)
        nn.init.zeros_(self.final_proj.weight)
        nn.init.zeros_(self.final_proj.bias)

    def forward(self, x1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.init_proj(x1) + self.posemb
        for block in self.blocks:
            h = block(h)
        bias, raw = self.final_proj(self.norm(h)).chunk(2, dim=-1)
        return bias, raw


def permutations(config: FlowConfig) -> torch.Tensor:
    """i64 [couplings, C]: coupling i splits dims perm[i][:C/2] (kept) | perm[i][C/2:]."""
    rng = np.random.default_rng(config.permutation_seed)
    return torch.from_numpy(
        np.stack([rng.permutation(config.token_dim) for _ in range(config.couplings)])
    )


def _at_least_fp32(x: torch.Tensor) -> torch.Tensor:
    return x if x.dtype == torch.float64 else x.float()


class Jet(nn.Module):
    def __init__(self, config: FlowConfig) -> None:
        super().__init__()
        if config.couplings < 1:
            raise ValueError("a Jet flow needs at least one coupling")
        self.config = config
        self.nets = nn.ModuleList(CouplingNet(config) for _ in range(config.couplings))
        perm = permutations(config)
        self.register_buffer("perm", perm, persistent=True)
        self.register_buffer("inv_perm", torch.argsort(perm, dim=1), persistent=True)

    def _split(self, x: torch.Tensor, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        half = self.config.token_dim // 2
        x = x[..., self.perm[i]]
        return x[..., :half], x[..., half:]

    def _merge(self, x1: torch.Tensor, x2: torch.Tensor, i: int) -> torch.Tensor:
        return torch.cat([x1, x2], dim=-1)[..., self.inv_perm[i]]

    def _affine(self, x1: torch.Tensor, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        bias, raw = self.nets[i](x1)
        scale = 2.0 * torch.sigmoid(raw)
        logdet = (F.logsigmoid(raw) + LOG2).sum(dim=(1, 2))
        return bias, scale, logdet

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x -> z, log|det ∂z/∂x| summed over every dim."""
        with torch.autocast(x.device.type, enabled=False):
            x = _at_least_fp32(x)
            logdet = x.new_zeros(x.shape[0])
            for i in range(self.config.couplings):
                x1, x2 = self._split(x, i)
                bias, scale, ld = self._affine(x1, i)
                x = self._merge(x1, (x2 + bias) * scale, i)
                logdet = logdet + ld
            return x, logdet

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """z -> x, running the couplings in reverse."""
        with torch.autocast(z.device.type, enabled=False):
            z = _at_least_fp32(z)
            for i in reversed(range(self.config.couplings)):
                z1, z2 = self._split(z, i)
                bias, scale, _ = self._affine(z1, i)
                z = self._merge(z1, z2 / scale - bias, i)
            return z
