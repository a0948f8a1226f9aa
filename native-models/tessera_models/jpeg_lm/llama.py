"""A plain Llama-architecture decoder (RMSNorm, RoPE, SwiGLU, no biases) with an explicit KV cache.

JPEG-LM uses an unmodified Llama: no convolutions, no 2-D positions; image structure is left to
the bytes. One module serves training, prefill (P = 0) and single-token steps. The additive
mask follows Tessera's decoder layout (docs/models.md §Decoder graph I/O); `hf_additive_mask` builds
it from the 2-D 0/1 mask of the Hugging Face Llama ONNX layout, so both exports share this code.

Shape glossary:
  B  batch (2 for a CFG pair)   S  new tokens this call   P  cached tokens
  L  layers   H  heads   E  head dim (width / H)   D  width   F  SwiGLU hidden   V  vocabulary
  input_ids       i64 [B, S]
  position_ids    i64 [B, S]
  attention_mask  f32 [B, 1, S, P+S]   additive: 0 attends, MASK_VALUE blocks
  past k / v      f32 [B, H, P, E] per layer
  logits          f32 [B, S, V]
  present k / v   f32 [B, H, P+S, E] per layer

Slot cache (`slots=True`, the layout Tessera's decoder graph is exported in): the cache is a
buffer of C ≥ P slots that the caller owns and appends to; the graph never copies it.
  C  slots in the buffer (the first P hold the cache, the rest are blocked by the mask)
  attention_mask  f32 [B, 1, S, C+S]
  past k / v      f32 [B, H, C, E] per layer
  present k / v   f32 [B, H, S, E] per layer: only the new tokens', for the caller to append
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tessera_models.common.rotary import apply_rope, rope_tables, run_blocks

MASK_VALUE = -1e9


@dataclass
class LlamaConfig:
    layers: int = 6
    width: int = 256
    heads: int = 4
    hidden: int = 688
    context: int = 832
    vocab_size: int = 0  # set from the vocabulary at training time
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    init_std: float = 0.02
    # Residual dropout while training; identity in eval mode, so exported graphs are unchanged.
    dropout: float = 0.0

    @property
    def head_dim(self) -> int:
        return self.width // self.heads


KV = tuple[torch.Tensor, torch.Tensor]


class RMSNorm(nn.Module):
    def __init__(self, width: int, eps: float) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * y.to(x.dtype)


class Attention(nn.Module):
    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.heads = config.heads
        d = config.width
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        mask: torch.Tensor,
        past: KV | None,
        slots: bool = False,
    ) -> tuple[torch.Tensor, KV]:
        b, s, d = x.shape
        shape = (b, s, self.heads, d // self.heads)
        q = self.q_proj(x).view(shape).transpose(1, 2)
        k = self.k_proj(x).view(shape).transpose(1, 2)
        v = self.v_proj(x).view(shape).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if slots and past is not None:
            y = _slot_attention(q, k, v, past, mask.to(q.dtype))
            return self.o_proj(y.transpose(1, 2).reshape(b, s, d)), (k, v)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask.to(q.dtype))
        return self.o_proj(y.transpose(1, 2).reshape(b, s, d)), (k, v)


def _slot_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, past: KV, mask: torch.Tensor
) -> torch.Tensor:
    """Softmax attention over [cache slots, new tokens] without concatenating keys or values:
    scores are computed against each part and joined (small: [B,H,S,C+S]), and the weighted
    sum is split the same way. Copying the cache every step is what made each step's cost grow
    with its length; this reads it in place."""
    scale = q.shape[-1] ** -0.5
    scores = torch.cat([q @ past[0].transpose(-1, -2), q @ k.transpose(-1, -2)], dim=-1)
    weights = torch.softmax(scores * scale + mask, dim=-1)
    c = past[0].shape[2]
    return weights[..., :c] @ past[1] + weights[..., c:] @ v


class MLP(nn.Module):
    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(config.width, config.hidden, bias=False)
        self.up_proj = nn.Linear(config.width, config.hidden, bias=False)
        self.down_proj = nn.Linear(config.hidden, config.width, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(config.width, config.norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.width, config.norm_eps)
        self.mlp = MLP(config)
        self.dropout = config.dropout

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        mask: torch.Tensor,
        past: KV | None,
        slots: bool = False,
    ) -> tuple[torch.Tensor, KV]:
        h, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past, slots)
        x = x + F.dropout(h, self.dropout, self.training)
        h = self.mlp(self.post_attention_layernorm(x))
        return x + F.dropout(h, self.dropout, self.training), present


class Llama(nn.Module):
    def __init__(self, config: LlamaConfig) -> None:
        super().__init__()
        if config.vocab_size <= 0:
            raise ValueError("LlamaConfig.vocab_size must be set from the vocabulary")
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.width)
        self.layers = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.norm = RMSNorm(config.width, config.norm_eps)
        self.apply(self._init)
        for block in self.layers:
            # Scaled residual init keeps early training stable at any depth.
            nn.init.normal_(
                block.self_attn.o_proj.weight, std=config.init_std / (2 * config.layers) ** 0.5
            )
            nn.init.normal_(
                block.mlp.down_proj.weight, std=config.init_std / (2 * config.layers) ** 0.5
            )

    def _init(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=self.config.init_std)

    def forward(
        self,
        input_ids: torch.Tensor,
        position_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        past: list[KV] | None = None,
        slots: bool = False,
    ) -> tuple[torch.Tensor, list[KV]]:
        cfg = self.config
        cos, sin = rope_tables(position_ids, cfg.head_dim, cfg.rope_theta)
        x = self.embed_tokens(input_ids)
        x, presents = run_blocks(self.layers, x, cos, sin, attention_mask, past, slots)
        # The output projection is tied to the token embedding (as in small Llama releases).
        logits = F.linear(self.norm(x), self.embed_tokens.weight)
        return logits, presents


def causal_mask(
    valid: torch.Tensor, past_len: int = 0, past_valid: torch.Tensor | None = None
) -> torch.Tensor:
    """Additive mask f32 [B,1,S,P+S] from valid [B,S] (False = padding) and an optional cache.

    Padding keys are blocked; a padding query still sees itself so its softmax row stays finite.
    """
    s = valid.shape[1]
    key_valid = valid if past_valid is None else torch.cat([past_valid, valid], dim=1)
    return hf_additive_mask(key_valid.long(), s)


def hf_additive_mask(mask_2d: torch.Tensor, new_tokens: int) -> torch.Tensor:
    """The additive [B,1,S,T] mask from a Hugging Face 0/1 mask i64 [B,T] over cache + new."""
    total = mask_2d.shape[1]
    q_pos = torch.arange(new_tokens, device=mask_2d.device)[:, None] + (total - new_tokens)
    k_pos = torch.arange(total, device=mask_2d.device)[None, :]
    allowed = (k_pos <= q_pos)[None, None] & (mask_2d[:, None, None, :] > 0)
    allowed = allowed | (k_pos == q_pos)[None, None]
    zeros = torch.zeros(allowed.shape, dtype=torch.float32, device=mask_2d.device)
    return zeros.masked_fill(~allowed, MASK_VALUE)
