"""The `jetformer` ONNX graphs (one role each; all fp32 arithmetic, pure functions):

  flow_forward  image f32[B,H,W,3] (dequantised, [-1,1]) -> z f32[B,N,C], logdet f32[B]
  flow_inverse  z f32[B,N,C] -> image f32[B,H,W,3] (unclipped)
  embed_text    input_ids i64[B,S] -> inputs_embeds f32[B,S,D]
  embed_image   z_ar f32[B,S,d] -> inputs_embeds f32[B,S,D]
  decoder       inputs_embeds, position_ids, attention_mask, past_key_values.* ->
                hidden f32[B,S,D], present.* (the shared decoder layout, concatenated cache)
  gmm_head      hidden f32[B,S,D] -> mix_logits [B,S,K], means [B,S,K,d], scales [B,S,K,d]
                (square-plus applied and floored; temperatures are the caller's)
  text_head     hidden f32[B,S,D] -> logits f32[B,S,V]
  score         image f32[B,H,W,3], prompt_ids i64[B,P] -> bits f32[B] (exact bits per
                sub-pixel after an unpadded text-first prompt; one graph for evaluation)

Patchify and unpatchify live inside the flow graphs, so the token layout is defined once, here.
The heads take every position (not only the last) so caption scoring is one run. Batch,
sequence and cache lengths are symbolic dims, traced with batch 2.
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
from tessera_models.jetformer.gemma import additive_mask
from tessera_models.jetformer.model import JetFormer


class FlowForward(nn.Module):
    def __init__(self, model: JetFormer) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model.encode(image)


class FlowInverse(nn.Module):
    def __init__(self, model: JetFormer) -> None:
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.model.decode(z)


class EmbedImage(nn.Module):
    def __init__(self, model: JetFormer) -> None:
        super().__init__()
        self.emb = model.img_emb

    def forward(self, z_ar: torch.Tensor) -> torch.Tensor:
        return self.emb(z_ar)


class GmmHeadGraph(nn.Module):
    def __init__(self, model: JetFormer) -> None:
        super().__init__()
        self.head = model.gmm

    def forward(self, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.head(hidden)


class TextHead(nn.Module):
    def __init__(self, model: JetFormer) -> None:
        super().__init__()
        self.head = model.text_head

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.head(hidden)


class Score(nn.Module):
    def __init__(self, model: JetFormer) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor, prompt_ids: torch.Tensor) -> torch.Tensor:
        return self.model.score_bits(image, prompt_ids)


def export_all(model: JetFormer, folder: Path) -> dict[str, Path]:
    """Writes every graph into `folder`; returns role -> path."""
    fc, dc = model.flow_config, model.config
    b, size, n, c = 2, fc.image_size, fc.tokens, fc.token_dim
    image = torch.rand(b, size, size, 3) * 2 - 1
    z = torch.randn(b, n, c)
    paths = {role: folder / f"{role}.onnx" for role in GRAPH_ROLES}
    batch = {0: "batch"}
    export_graph(
        FlowForward(model),
        (image,),
        paths["flow_forward"],
        ["image"],
        ["z", "logdet"],
        {"image": batch, "z": batch, "logdet": batch},
    )
    export_graph(
        FlowInverse(model),
        (z,),
        paths["flow_inverse"],
        ["z"],
        ["image"],
        {"z": batch, "image": batch},
    )
    seq = {0: "batch", 1: "seq"}
    export_graph(
        EmbedText(model),
        (torch.randint(0, dc.vocab_size, (b, 3)),),
        paths["embed_text"],
        ["input_ids"],
        ["inputs_embeds"],
        {"input_ids": seq, "inputs_embeds": seq},
    )
    export_graph(
        EmbedImage(model),
        (torch.randn(b, 3, dc.ar_dims),),
        paths["embed_image"],
        ["z_ar"],
        ["inputs_embeds"],
        {"z_ar": seq, "inputs_embeds": seq},
    )
    hidden = torch.randn(b, 3, dc.width)
    export_graph(
        GmmHeadGraph(model),
        (hidden,),
        paths["gmm_head"],
        ["hidden"],
        ["mix_logits", "means", "scales"],
        {"hidden": seq, "mix_logits": seq, "means": seq, "scales": seq},
    )
    export_graph(
        TextHead(model),
        (hidden,),
        paths["text_head"],
        ["hidden"],
        ["logits"],
        {"hidden": seq, "logits": seq},
    )
    export_decoder(model, paths["decoder"])
    export_graph(
        Score(model),
        (image, torch.randint(0, dc.vocab_size, (b, 4))),
        paths["score"],
        ["image", "prompt_ids"],
        ["bits"],
        {"image": batch, "prompt_ids": {0: "batch", 1: "prompt"}, "bits": batch},
    )
    return paths


GRAPH_ROLES = (
    "flow_forward",
    "flow_inverse",
    "embed_text",
    "embed_image",
    "decoder",
    "gmm_head",
    "text_head",
    "score",
)


def export_decoder(model: JetFormer, path: Path) -> None:
    dc = model.config
    b, s, p = 2, 3, 4
    embeds = torch.randn(b, s, dc.width)
    positions = torch.arange(p, p + s).expand(b, s)
    past = example_cache(b, dc.kv_heads, p, dc.head_dim, dc.layers)
    mask = additive_mask(torch.ones(b, s, dtype=torch.bool), torch.ones(b, p, dtype=torch.bool))
    export_cached_decoder(
        model.decoder,
        (embeds, positions, mask, *past),
        path,
        layers=dc.layers,
        first_input="inputs_embeds",
        first_output="hidden",
    )
