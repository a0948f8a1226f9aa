"""Rotary position embeddings (RoPE), shared by the decoders that rotate queries and keys, and
the stack of blocks those decoders run with their KV cache.

Rotate-half convention of Hugging Face Llama: pairs (i, i + E/2) turn by position · θ^(-2i/E).

Shape glossary: B batch, S tokens, H heads, E head dim.
  position_ids  i64 [B, S]
  cos, sin      f32 [B, 1, S, E]
  x             [B, H, S, E]  queries or keys
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

KV = tuple[torch.Tensor, torch.Tensor]


def rope_tables(
    position_ids: torch.Tensor, head_dim: int, theta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """cos, sin of every position's angles, halves repeated."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = position_ids.float()[..., None] * inv_freq.to(position_ids.device)
    emb = torch.cat([freqs, freqs], dim=-1)[:, None]
    return emb.cos(), emb.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x rotated by its positions' angles, in x's dtype."""
    half = x.shape[-1] // 2
    turned = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos.to(x.dtype) + turned * sin.to(x.dtype)


def run_blocks(
    blocks: nn.ModuleList,
    x: torch.Tensor,
    cos: torch.Tensor,
    sin: torch.Tensor,
    mask: torch.Tensor,
    past: list[KV] | None,
    *extra: Any,
) -> tuple[torch.Tensor, list[KV]]:
    """Each block in turn on x [B,S,D], with its layer's cached keys and values (if any) and
    `extra` passed on; returns x and every layer's present keys and values."""
    presents: list[KV] = []
    for i, block in enumerate(blocks):
        x, present = block(x, cos, sin, mask, None if past is None else past[i], *extra)
        presents.append(present)
    return x, presents


class RotaryDecoder(nn.Module):
    """Rotary blocks over input embeddings in the shared decoder layout (docs/models.md §Decoder
    graph I/O): an additive mask input and a concatenated cache; hidden states come out after
    the final norm. A family builds `config` (head_dim, rope_theta) and `layers`, and names its
    final norm in `final`, so its modules keep their own names."""

    config: Any
    layers: nn.ModuleList

    def final(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(
        self,
        inputs_embeds: torch.Tensor,
        position_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        past: list[KV] | None = None,
    ) -> tuple[torch.Tensor, list[KV]]:
        cos, sin = rope_tables(position_ids, self.config.head_dim, self.config.rope_theta)
        x, presents = run_blocks(self.layers, inputs_embeds, cos, sin, attention_mask, past)
        return self.final(x), presents
