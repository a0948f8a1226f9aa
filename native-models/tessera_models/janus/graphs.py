"""The six graphs of the ONNX layout that @huggingface/transformers runs for Janus
(`MultiModalityCausalLM`: models/multi_modality and session_config.js), with its I/O names:

- prepare_inputs_embeds(input_ids, pixel_values, images_seq_mask, images_emb_mask) -> inputs_embeds
- language_model(inputs_embeds, attention_mask, position_ids, past_key_values.{i}.key|value)
  -> hidden_states, present.{i}.key|value
- lm_head(hidden_states) -> logits;  gen_head(hidden_states) -> logits (image codes)
- gen_img_embeds(image_ids) -> inputs_embeds
- image_decode(generated_tokens) -> decoded_image (NCHW, about [-1, 1])

and one graph of Tessera's own beyond that layout, for infill (a reader of the layout ignores it):

- image_encode(pixel_values) -> image_ids: the VQ encoder, a picture in [-1, 1] to its G² codes

Shape glossary: B batch rows, N images per row, S new tokens, P cached tokens, D hidden size,
T image tokens per image, G the generation grid (G² codes per image).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import onnx
import torch
from torch import nn
from transformers import DynamicCache, JanusForConditionalGeneration

from tessera_models.common.graph_export import export_graph
from tessera_models.janus.empty_images import guard_empty_images
from tessera_models.janus.storage import EXTERNAL_DATA_THRESHOLD, save_graph

GRAPHS = (
    "prepare_inputs_embeds",
    "language_model",
    "lm_head",
    "gen_head",
    "gen_img_embeds",
    "image_decode",
    "image_encode",
)


def past_names(layers: int) -> list[str]:
    return [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]


def present_names(layers: int) -> list[str]:
    return [f"present.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]


class PrepareInputsEmbeds(nn.Module):
    """Text embeddings with each image's aligned SigLIP features written over the positions
    `images_seq_mask` marks, in order. An empty image batch ([B, 0, 3, H, W], what readers
    pass for a prompt without pictures) leaves the text embeddings as they are."""

    def __init__(self, model: JanusForConditionalGeneration) -> None:
        super().__init__()
        self.embed = model.get_input_embeddings()
        self.vision = model.model.vision_model
        self.aligner = model.model.aligner

    def forward(
        self,
        input_ids: torch.Tensor,
        pixel_values: torch.Tensor,
        images_seq_mask: torch.Tensor,
        images_emb_mask: torch.Tensor,
    ) -> torch.Tensor:
        hidden = self.embed.embedding_dim
        embeds = self.embed(input_ids.clamp(min=0))  # [B, S, D]
        c, h, w = pixel_values.shape[2:]
        features = self.aligner(self.vision(pixel_values.reshape(-1, c, h, w)).last_hidden_state)
        chosen = features.reshape(-1, hidden)[images_emb_mask.reshape(-1)]  # [(marked), D]
        # Row 0 of the table is a zero feature, so unmarked positions gather something valid
        # even when there are no images at all.
        table = torch.cat([features.new_zeros(1, hidden), chosen])
        marked = images_seq_mask.expand_as(input_ids)
        order = marked.long().reshape(-1).cumsum(0).reshape(marked.shape)
        index = torch.where(marked, order, torch.zeros_like(order))
        return torch.where(marked.unsqueeze(-1), table[index], embeds)


class TextEmbeds(nn.Module):
    """The text-only branch of prepare_inputs_embeds (empty_images.py); `embed` shares the
    weight name of PrepareInputsEmbeds.embed so both branches read one copy."""

    def __init__(self, model: JanusForConditionalGeneration) -> None:
        super().__init__()
        self.embed = model.get_input_embeddings()

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embed(input_ids.clamp(min=0))


class LanguageModel(nn.Module):
    """The Llama body over `inputs_embeds` with a flat KV cache: past [B,H,P,E] in, present
    [B,H,P+S,E] out. `attention_mask` [B, P+S] is 1 for tokens to attend to."""

    def __init__(self, model: JanusForConditionalGeneration) -> None:
        super().__init__()
        self.lm = model.model.language_model
        self.layers = model.config.text_config.num_hidden_layers

    def forward(
        self,
        inputs_embeds: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        *past: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        cache = DynamicCache(config=self.lm.config)
        for i in range(self.layers):
            cache.update(past[2 * i], past[2 * i + 1], i)
        out = self.lm(
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            use_cache=True,
        )
        present: list[torch.Tensor] = []
        for layer in out.cache.layers[: self.layers]:
            present += [layer.keys, layer.values]
        return (out.last_hidden_state, *present)


class GenImgEmbeds(nn.Module):
    def __init__(self, model: JanusForConditionalGeneration) -> None:
        super().__init__()
        self.model = model

    def forward(self, image_ids: torch.Tensor) -> torch.Tensor:
        return self.model.prepare_embeddings_for_image_generation(image_ids)


class ImageDecode(nn.Module):
    def __init__(self, model: JanusForConditionalGeneration) -> None:
        super().__init__()
        self.vq = model.model.vqmodel

    def forward(self, generated_tokens: torch.Tensor) -> torch.Tensor:
        return self.vq.decode(generated_tokens)


class ImageEncode(nn.Module):
    def __init__(self, model: JanusForConditionalGeneration) -> None:
        super().__init__()
        self.vq = model.model.vqmodel

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        codes = self.vq.encode(pixel_values).image_tokens
        return codes.reshape(pixel_values.shape[0], -1)


def export_graphs(
    model: JanusForConditionalGeneration,
    onnx_dir: Path,
    *,
    external_data_threshold: int = EXTERNAL_DATA_THRESHOLD,
) -> dict[str, Path]:
    """Writes the fp32 graphs into `onnx_dir` (storage.py: weights past the threshold as
    external data); returns their paths by name."""
    onnx_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        # The exporter writes a graph over 2 GiB as one file per tensor; each is read back
        # whole and stored the layout's way.
        traced = _trace_graphs(model, Path(scratch))
        paths = {name: onnx_dir / f"{name}.onnx" for name in GRAPHS}
        for name, graph in traced.items():
            save_graph(graph(), paths[name], external_data_threshold)
    return paths


def _trace_graphs(
    model: JanusForConditionalGeneration, onnx_dir: Path
) -> dict[str, Callable[[], onnx.ModelProto]]:
    """Traces every graph into `onnx_dir`; returns a loader of each, loaded one at a time."""
    cfg = model.config
    tc, vc = cfg.text_config, cfg.vision_config
    layers, kv_heads = tc.num_hidden_layers, tc.num_key_value_heads
    head_dim = getattr(tc, "head_dim", None) or tc.hidden_size // tc.num_attention_heads
    hidden, size = tc.hidden_size, vc.image_size
    codebook, grid = cfg.vq_config.num_embeddings, cfg.vq_config.num_patches
    paths = {name: onnx_dir / f"{name}.onnx" for name in GRAPHS}
    bs = {0: "batch_size", 1: "sequence_length"}

    # Traced with one image in one of two rows; images and tokens stay dynamic.
    seq = vc.num_image_tokens + 4
    ids = torch.randint(0, tc.vocab_size, (2, seq))
    seq_mask = torch.zeros(2, seq, dtype=torch.bool)
    seq_mask[0, 2 : 2 + vc.num_image_tokens] = True
    emb_mask = torch.ones(2, 1, vc.num_image_tokens, dtype=torch.bool)
    emb_mask[1] = False
    pixels = torch.rand(2, 1, 3, size, size) * 2 - 1
    with_images = onnx_dir / "prepare_inputs_embeds.with_images.onnx"
    text_only = onnx_dir / "prepare_inputs_embeds.text_only.onnx"
    export_graph(
        PrepareInputsEmbeds(model),
        (ids, pixels, seq_mask, emb_mask),
        with_images,
        ["input_ids", "pixel_values", "images_seq_mask", "images_emb_mask"],
        ["inputs_embeds"],
        {
            "input_ids": bs,
            "pixel_values": {0: "batch_size", 1: "num_images"},
            "images_seq_mask": bs,
            "images_emb_mask": {0: "batch_size", 1: "num_images"},
            "inputs_embeds": bs,
        },
    )
    export_graph(
        TextEmbeds(model),
        (ids,),
        text_only,
        ["input_ids"],
        ["inputs_embeds"],
        {"input_ids": bs, "inputs_embeds": bs},
    )
    loaders = {
        "prepare_inputs_embeds": lambda: guard_empty_images(with_images, text_only),
        **{
            name: partial(onnx.load, str(path))
            for name, path in paths.items()
            if name != "prepare_inputs_embeds"
        },
    }

    b, s, p = 2, 3, 4
    embeds = torch.randn(b, s, hidden)
    mask = torch.ones(b, p + s, dtype=torch.long)
    positions = torch.arange(p, p + s).expand(b, s)
    past = [torch.randn(b, kv_heads, p, head_dim) for _ in range(2 * layers)]
    axes = {
        "inputs_embeds": bs,
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": bs,
        "hidden_states": bs,
    }
    axes |= {n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names(layers)}
    axes |= {n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names(layers)}
    export_graph(
        LanguageModel(model),
        (embeds, mask, positions, *past),
        paths["language_model"],
        ["inputs_embeds", "attention_mask", "position_ids", *past_names(layers)],
        ["hidden_states", *present_names(layers)],
        axes,
    )

    head_axes = {"hidden_states": bs, "logits": bs}
    for name, head in (("lm_head", model.lm_head), ("gen_head", model.model.generation_head)):
        export_graph(head, (embeds,), paths[name], ["hidden_states"], ["logits"], head_axes)

    export_graph(
        GenImgEmbeds(model),
        (torch.randint(0, codebook, (2, 1)),),
        paths["gen_img_embeds"],
        ["image_ids"],
        ["inputs_embeds"],
        {"image_ids": bs, "inputs_embeds": bs},
    )
    export_graph(
        ImageDecode(model),
        (torch.randint(0, codebook, (2, grid * grid)),),
        paths["image_decode"],
        ["generated_tokens"],
        ["decoded_image"],
        {"generated_tokens": {0: "batch_size"}, "decoded_image": {0: "batch_size"}},
    )
    picture = grid * 2 ** (len(cfg.vq_config.channel_multiplier) - 1)
    export_graph(
        ImageEncode(model),
        (torch.rand(2, 3, picture, picture) * 2 - 1,),
        paths["image_encode"],
        ["pixel_values"],
        ["image_ids"],
        {"pixel_values": {0: "batch_size"}, "image_ids": {0: "batch_size"}},
    )
    return loaders
