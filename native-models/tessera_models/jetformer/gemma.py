"""The Gemma-style decoder: RMSNorm (1 + w), RoPE, gated-GELU MLP and multi-query attention,
over input embeddings (text and soft image tokens are embedded outside it), with a KV cache.

One module serves training, prefill (P = 0) and single-token steps, in the decoder layout every
family shares (docs/models.md §Decoder graph I/O): an additive mask and a concatenated cache.

Shape glossary:
  B batch (2 for a CFG pair)   S new tokens   P cached tokens   L layers   H query heads
  K key/value heads (1: multi-query)   E head dim   D width   F MLP hidden
  inputs_embeds   f32 [B, S, D]
  position_ids    i64 [B, S]
  attention_mask  f32 [B, 1, S, P+S]   additive: 0 attends, MASK_VALUE blocks
  past k / v      f32 [B, K, P, E] per layer
  hidden          f32 [B, S, D]        after the final norm
  present k / v   f32 [B, K, P+S, E] per layer
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from tessera_models.common.rotary import RotaryDecoder, apply_rope
from tessera_models.jetformer.config import DecoderConfig

MASK_VALUE = -1e9
KV = tuple[torch.Tensor, torch.Tensor]


class RMSNorm(nn.Module):
    """Gemma's RMSNorm: the learned scale is stored as an offset from 1 and starts at 0."""

    def __init__(self, width: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return (y * (1.0 + self.weight.float())).to(x.dtype)


class Attention(nn.Module):
    def __init__(self, c: DecoderConfig) -> None:
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c.heads, c.kv_heads, c.head_dim
        self.q_proj = nn.Linear(c.width, c.heads * c.head_dim, bias=False)
        self.k_proj = nn.Linear(c.width, c.kv_heads * c.head_dim, bias=False)
        self.v_proj = nn.Linear(c.width, c.kv_heads * c.head_dim, bias=False)
        self.o_proj = nn.Linear(c.heads * c.head_dim, c.width, bias=False)

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        mask: torch.Tensor,
        past: KV | None,
    ) -> tuple[torch.Tensor, KV]:
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        t = k.shape[2]
        group = self.heads // self.kv_heads
        # Every query head of a group reads the group's one key/value head.
        kx = (
            k[:, :, None]
            .expand(b, self.kv_heads, group, t, self.head_dim)
            .reshape(b, self.heads, t, self.head_dim)
        )
        vx = (
            v[:, :, None]
            .expand(b, self.kv_heads, group, t, self.head_dim)
            .reshape(b, self.heads, t, self.head_dim)
        )
        y = F.scaled_dot_product_attention(q, kx, vx, attn_mask=mask.to(q.dtype))
        return self.o_proj(y.transpose(1, 2).reshape(b, s, -1)), (k, v)


class GatedMlp(nn.Module):
    def __init__(self, c: DecoderConfig) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(c.width, c.hidden, bias=False)
        self.up_proj = nn.Linear(c.width, c.hidden, bias=False)
        self.down_proj = nn.Linear(c.hidden, c.width, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.gelu(self.gate_proj(x), approximate="tanh") * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c: DecoderConfig) -> None:
        super().__init__()
        self.pre_attention_norm = RMSNorm(c.width, c.norm_eps)
        self.attn = Attention(c)
        self.pre_ffw_norm = RMSNorm(c.width, c.norm_eps)
        self.mlp = GatedMlp(c)
        self.drop = nn.Dropout(c.dropout)

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        mask: torch.Tensor,
        past: KV | None,
    ) -> tuple[torch.Tensor, KV]:
        h, present = self.attn(self.pre_attention_norm(x), cos, sin, mask, past)
        x = x + self.drop(h)
        return x + self.drop(self.mlp(self.pre_ffw_norm(x))), present


class GemmaDecoder(RotaryDecoder):
    def __init__(self, c: DecoderConfig) -> None:
        super().__init__()
        if c.heads % c.kv_heads:
            raise ValueError("query heads must be a multiple of key/value heads")
        self.config = c
        self.layers = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.final_norm = RMSNorm(c.width, c.norm_eps)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=0.02)
        for block in self.layers:
            # Scaled residual init keeps early training stable at any depth.
            std = 0.02 / (2 * c.layers) ** 0.5
            nn.init.normal_(block.attn.o_proj.weight, std=std)
            nn.init.normal_(block.mlp.down_proj.weight, std=std)

    def final(self, x: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = self.final_norm(x)
        return result


def additive_mask(valid: torch.Tensor, past_valid: torch.Tensor | None = None) -> torch.Tensor:
    """f32 [B,1,S,P+S] from valid [B,S] (False = padding) and an optional cache's validity.

    Causal; padding keys are blocked; a padding query still sees itself so its softmax row
    stays finite.
    """
    s = valid.shape[1]
    keys = valid if past_valid is None else torch.cat([past_valid, valid], dim=1)
    total = keys.shape[1]
    q = torch.arange(s, device=valid.device)[:, None] + (total - s)
    k = torch.arange(total, device=valid.device)[None, :]
    allowed = ((k <= q)[None, None] & keys[:, None, None, :]) | (k == q)[None, None]
    zeros = torch.zeros(allowed.shape, dtype=torch.float32, device=valid.device)
    return zeros.masked_fill(~allowed, MASK_VALUE)


def positions_from_valid(valid: torch.Tensor, start: int = 0) -> torch.Tensor:
    """i64 [B,S]: each valid token's index among the valid ones (padding repeats its left one),
    so a padded row has exactly the positions of the same row without padding."""
    return (torch.cumsum(valid.long(), dim=1) - 1).clamp(min=0) + start
