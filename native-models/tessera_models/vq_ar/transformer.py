"""OPT-style decoder-only transformer with an explicit KV cache (CM3Leon, arXiv 2309.02591).

As in the paper: pre-LayerNorm without learnable parameters, no biases, learned absolute
positions, ReLU MLP, zero-initialised output projections. One graph serves training, prefill
(P = 0) and single-token steps, with the I/O conventions of docs/models.md §Decoder graph I/O.

With `rotary`, queries and keys are also rotated by their positions (RoPE): the absolute
table still says which cell a token is, and the rotation makes "the token k places back" one
pattern for every position, which a retrieved document's same cell (a fixed distance back in
caption slots) needs. The rotation has no weights, so a checkpoint loads either way.

Shape glossary:
  B  batch (2 for a CFG pair)   S  new tokens this call   P  cached tokens
  L  layers   H  heads   E  head dim (width / H)   D  width   V  vocabulary
  input_ids       i64 [B, S]
  position_ids    i64 [B, S]
  attention_mask  f32 [B, 1, S, P+S]   additive: 0 attends, -inf (large negative) blocks
  past k / v      f32 [B, H, P, E] per layer
  logits          f32 [B, S, V]
  present k / v   f32 [B, H, P+S, E] per layer
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tessera_models.common.rotary import apply_rope, rope_tables

MASK_VALUE = -1e9  # finite, so fully masked pad rows stay NaN-free in fp32 and ONNX


@dataclass
class TransformerConfig:
    layers: int = 6
    width: int = 256
    heads: int = 8
    context: int = 96
    vocab_size: int = 0  # set from the vocabulary at training time
    init_std: float = 0.02
    rotary: bool = False
    rotary_base: float = 10000.0
    # Residual dropout while training (identity in eval mode, so exported graphs do not have
    # it): a 5.6 M model many epochs into 16k images memorises them (LOG.md, cpu-8h).
    dropout: float = 0.0

    @property
    def head_dim(self) -> int:
        return self.width // self.heads


KV = tuple[torch.Tensor, torch.Tensor]
Rotation = tuple[torch.Tensor, torch.Tensor]  # cos, sin: f32 [B, 1, S, E]


class Attention(nn.Module):
    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.width, 3 * config.width, bias=False)
        self.out = nn.Linear(config.width, config.width, bias=False)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, past: KV | None, rot: Rotation | None
    ) -> tuple[torch.Tensor, KV]:
        b, s, d = x.shape
        q, k, v = (
            self.qkv(x).view(b, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        )
        if rot is not None:  # cached keys are stored rotated
            q, k = apply_rope(q, *rot), apply_rope(k, *rot)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask.to(q.dtype))
        return self.out(y.transpose(1, 2).reshape(b, s, d)), (k, v)


class Block(nn.Module):
    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(config.width, elementwise_affine=False)
        self.attn = Attention(config)
        self.norm2 = nn.LayerNorm(config.width, elementwise_affine=False)
        self.up = nn.Linear(config.width, 4 * config.width, bias=False)
        self.down = nn.Linear(4 * config.width, config.width, bias=False)
        self.dropout = config.dropout

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, past: KV | None, rot: Rotation | None
    ) -> tuple[torch.Tensor, KV]:
        h, present = self.attn(self.norm1(x), mask, past, rot)
        x = x + F.dropout(h, self.dropout, self.training)
        h = self.down(F.relu(self.up(self.norm2(x))))
        x = x + F.dropout(h, self.dropout, self.training)
        return x, present


class Transformer(nn.Module):
    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        if config.vocab_size <= 0:
            raise ValueError("TransformerConfig.vocab_size must be set from the vocabulary")
        self.config = config
        self.tokens = nn.Embedding(config.vocab_size, config.width)
        self.positions = nn.Embedding(config.context, config.width)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.width, elementwise_affine=False)
        self.apply(self._init)
        for block in self.blocks:
            nn.init.zeros_(block.attn.out.weight)
            nn.init.zeros_(block.down.weight)

    def _init(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            std = self.config.init_std
            nn.init.trunc_normal_(module.weight, std=std, a=-3 * std, b=3 * std)

    def forward(
        self,
        input_ids: torch.Tensor,
        position_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        past: list[KV] | None = None,
    ) -> tuple[torch.Tensor, list[KV]]:
        x = self.tokens(input_ids) + self.positions(position_ids)
        c = self.config
        rot = rope_tables(position_ids, c.head_dim, c.rotary_base) if c.rotary else None
        presents: list[KV] = []
        for i, block in enumerate(self.blocks):
            x, present = block(x, attention_mask, None if past is None else past[i], rot)
            presents.append(present)
        # The output projection is tied to the token embedding.
        logits = F.linear(self.norm(x), self.tokens.weight)
        return logits, presents


def causal_mask(
    valid: torch.Tensor, past_len: int = 0, past_valid: torch.Tensor | None = None
) -> torch.Tensor:
    """Additive mask f32 [B,1,S,P+S] from valid [B,S] (False = padding) and an optional cache.

    Padding keys are blocked; a padding query still sees itself so its softmax row stays finite.
    """
    b, s = valid.shape
    total = past_len + s
    key_valid = valid if past_valid is None else torch.cat([past_valid, valid], dim=1)
    q_pos = torch.arange(s, device=valid.device)[:, None] + past_len
    k_pos = torch.arange(total, device=valid.device)[None, :]
    allowed = (k_pos <= q_pos)[None, None] & key_valid[:, None, None, :]
    allowed = allowed | (k_pos == q_pos)[None, None]
    mask = torch.zeros(b, 1, s, total, device=valid.device)
    return mask.masked_fill(~allowed, MASK_VALUE)
