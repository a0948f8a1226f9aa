"""The `transfusion` ONNX graphs (one role each; fp32 arithmetic, pure functions):

  embed_text  input_ids i64[B,S] -> inputs_embeds f32[B,S,D]
  patch_in    x_t f32[B,N,C], t f32[B] -> inputs_embeds f32[B,N,D]   (grid and time embedded)
  decoder     inputs_embeds, position_ids, attention_mask f32[B,1,S,P+S], past_key_values.* ->
              hidden f32[B,S,D], present.*   (the shared decoder layout, concatenated cache)
  patch_out   hidden f32[B,N,D] -> prediction f32[B,N,C]   (ε for ddpm, velocity for flow)
  lm_head     hidden f32[B,S,D] -> logits f32[B,S,V]

The attention mask is an input, never a constant: the image block attends both ways, the text
causally, and the loop builds both. A denoising step runs patch_in, the decoder against the
text prefix's cache (its own keys and values are discarded: they are stale at the next step)
and patch_out. Batch, sequence and cache lengths are symbolic, traced with batch 2.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from tessera_models.common.graph_export import (
    EmbedText,
    example_cache,
    export_cached_decoder,
    export_graph,
)
from tessera_models.transfusion.masks import block_causal_mask_np
from tessera_models.transfusion.model import Transfusion

GRAPH_ROLES = ("embed_text", "patch_in", "decoder", "patch_out", "lm_head")


class PatchInGraph(nn.Module):
    def __init__(self, model: Transfusion) -> None:
        super().__init__()
        self.patch_in = model.patch_in

    def forward(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.patch_in(x_t, t)


class Linear(nn.Module):
    def __init__(self, layer: nn.Module) -> None:
        super().__init__()
        self.layer = layer

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.layer(hidden)


def export_all(model: Transfusion, folder: Path) -> dict[str, Path]:
    """Writes every graph into `folder`; returns role -> path."""
    c = model.config
    b = 2
    paths = {role: folder / f"{role}.onnx" for role in GRAPH_ROLES}
    seq = {0: "batch", 1: "seq"}
    export_graph(
        EmbedText(model),
        (torch.randint(0, c.vocab_size, (b, 3)),),
        paths["embed_text"],
        ["input_ids"],
        ["inputs_embeds"],
        {"input_ids": seq, "inputs_embeds": seq},
    )
    batch = {0: "batch"}
    export_graph(
        PatchInGraph(model),
        (torch.randn(b, c.patches, c.patch_dim), torch.rand(b)),
        paths["patch_in"],
        ["x_t", "t"],
        ["inputs_embeds"],
        {"x_t": batch, "t": batch, "inputs_embeds": batch},
    )
    hidden = torch.randn(b, c.patches, c.width)
    export_graph(
        Linear(model.patch_out),
        (hidden,),
        paths["patch_out"],
        ["hidden"],
        ["prediction"],
        {"hidden": batch, "prediction": batch},
    )
    export_graph(
        Linear(model.lm_head),
        (torch.randn(b, 3, c.width),),
        paths["lm_head"],
        ["hidden"],
        ["logits"],
        {"hidden": seq, "logits": seq},
    )
    export_decoder(model, paths["decoder"])
    return paths


def export_decoder(model: Transfusion, path: Path) -> None:
    c = model.config
    b, s, p = 2, 3, 4
    embeds = torch.randn(b, s, c.width)
    positions = torch.arange(p, p + s).expand(b, s)
    past = example_cache(b, c.heads, p, c.head_dim, c.layers)
    # Traced with a mask that is neither all zeros nor causal, so nothing about it can be
    # specialised; it stays a graph input either way.
    mask = torch.from_numpy(block_causal_mask_np(b, s, p, (p + 1, p + 3)))
    export_cached_decoder(
        model.decoder,
        (embeds, positions, mask, *past),
        path,
        layers=c.layers,
        first_input="inputs_embeds",
        first_output="hidden",
    )
