"""The Transfusion model: text embedding, patch-in (with the timestep), Llama-style decoder over
embeddings, patch-out and the LM head.

Images are the latents themselves (pixels in [-1, 1], no VAE at 32×32): 4×4 patches → N = 64
patches of C = 48 values, in raster order. patch_in adds a learned 8×8 grid embedding and an MLP
of the timestep's sinusoidal features to each linearly projected patch (the paper conditions on
the timestep this way; the 1-D RoPE positions run through the whole sequence).

Shape glossary: B batch, S sequence, N patches, C values per patch, D width, V vocabulary,
P cached tokens, K LM-scored positions.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from tessera_models.common.rotary import RotaryDecoder
from tessera_models.jpeg_lm.llama import Block, LlamaConfig, RMSNorm
from tessera_models.transfusion.config import ModelConfig
from tessera_models.transfusion.masks import block_causal_mask, image_block


def timestep_features(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features [B, dim] of t ∈ [0, 1] (scaled to 0–1000, as DDPM's step index)."""
    half = dim // 2
    freqs = torch.exp(
        -math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half
    )
    args = 1000.0 * t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def llama_config(c: ModelConfig) -> LlamaConfig:
    return LlamaConfig(
        layers=c.layers,
        width=c.width,
        heads=c.heads,
        hidden=c.hidden,
        vocab_size=c.vocab_size,
        rope_theta=c.rope_theta,
        norm_eps=c.norm_eps,
        init_std=c.init_std,
    )


class PatchIn(nn.Module):
    def __init__(self, c: ModelConfig) -> None:
        super().__init__()
        self.time_dim = c.time_dim
        self.proj = nn.Linear(c.patch_dim, c.width)
        self.grid_pos = nn.Parameter(torch.randn(c.patches, c.width) * c.init_std)
        self.time_mlp = nn.Sequential(
            nn.Linear(c.time_dim, c.width), nn.SiLU(), nn.Linear(c.width, c.width)
        )

    def forward(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """x_t f32 [B,N,C], t f32 [B] -> embeddings [B,N,D]."""
        time = self.time_mlp(timestep_features(t, self.time_dim))
        return self.proj(x_t) + self.grid_pos[None] + time[:, None]


class Decoder(RotaryDecoder):
    """Llama blocks over input embeddings, in the shared decoder layout
    (docs/models.md §Decoder graph I/O): an additive mask input and a concatenated cache; hidden
    states after the final norm come out."""

    def __init__(self, c: ModelConfig) -> None:
        super().__init__()
        self.config = c
        lc = llama_config(c)
        self.layers = nn.ModuleList(Block(lc) for _ in range(c.layers))
        self.norm = RMSNorm(c.width, c.norm_eps)

    def final(self, x: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = self.norm(x)
        return result


class Transfusion(nn.Module):
    def __init__(self, c: ModelConfig) -> None:
        super().__init__()
        if c.vocab_size <= 0:
            raise ValueError("ModelConfig.vocab_size must be set from the vocabulary")
        if c.width % c.heads:
            raise ValueError("width must be a multiple of heads")
        self.config = c
        self.text_emb = nn.Embedding(c.vocab_size, c.width)
        self.patch_in = PatchIn(c)
        self.decoder = Decoder(c)
        self.patch_out = nn.Linear(c.width, c.patch_dim)
        self.lm_head = nn.Linear(c.width, c.vocab_size, bias=False)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=c.init_std)
                if isinstance(module, nn.Linear) and module.bias is not None:
                    nn.init.zeros_(module.bias)
        for block in self.decoder.layers:
            # Scaled residual init keeps early training stable at any depth.
            std = c.init_std / (2 * c.layers) ** 0.5
            nn.init.normal_(block.self_attn.o_proj.weight, std=std)
            nn.init.normal_(block.mlp.down_proj.weight, std=std)

    def forward(
        self,
        ids: torch.Tensor,
        valid: torch.Tensor,
        image_start: torch.Tensor,
        x_t: torch.Tensor,
        t: torch.Tensor,
        lm_positions: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Whole training rows: ids i64 [B,S] (image slots hold any id), valid bool [B,S],
        image_start i64 [B], noisy patches x_t [B,N,C] at times t [B], lm_positions bool [B,S]
        (where a next token is predicted) -> LM logits [K,V] and the patch predictions [B,N,C]."""
        b, s = ids.shape
        n = self.config.patches
        img = image_block(s, image_start, n)
        x = self.text_emb(ids)
        patches = self.patch_in(x_t, t).to(x.dtype)
        x = x.masked_scatter(img[..., None], patches)
        positions = (torch.cumsum(valid.long(), dim=1) - 1).clamp(min=0)
        hidden, _ = self.decoder(x, positions, block_causal_mask(valid, image_start, n))
        pred = self.patch_out(hidden[img].view(b, n, -1))
        return self.lm_head(hidden[lm_positions]), pred
