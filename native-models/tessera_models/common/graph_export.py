"""Tracing a family's modules into ONNX graphs, the one way every family's export does it.

Every graph is traced by the TorchScript exporter at opset OPSET with named, dynamic batch and
sequence dims (docs/models.md §Decoder graph I/O); a family supplies only its modules, example
inputs and names. The cached decoder's names and dims are the shared layout, so they are spelt
here once: inputs, position_ids, attention_mask, past_key_values.* in; the first output and
present.* out.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from tessera_models.common.decoder_io import OPSET, FlatCacheDecoder, past_names, present_names

Axes = dict[str, dict[int, str]]


def export_graph(
    module: nn.Module,
    args: tuple[torch.Tensor, ...],
    path: Path,
    inputs: list[str],
    outputs: list[str],
    axes: Axes,
) -> None:
    torch.onnx.export(
        module.eval(),
        args,
        str(path),
        input_names=inputs,
        output_names=outputs,
        dynamic_axes=axes,
        opset_version=OPSET,
        dynamo=False,
    )


def example_cache(
    batch: int, heads: int, length: int, head_dim: int, layers: int
) -> list[torch.Tensor]:
    """A random past key and value per layer, f32 [B, H, P, E] each, to trace a decoder with."""
    return [torch.randn(batch, heads, length, head_dim) for _ in range(2 * layers)]


def export_cached_decoder(
    decoder: nn.Module,
    example: tuple[torch.Tensor, ...],
    path: Path,
    *,
    layers: int,
    first_input: str,
    first_output: str,
    past: str = "past",
    total: str = "past_and_seq",
    present: str | None = None,
    slots: bool = False,
) -> None:
    """The decoder role: `example` is (first input, position_ids, attention_mask, *past).
    `past`, `total` and `present` name the cache's length dim, the mask's key dim and the
    present's length dim (present defaults to total: a concatenated cache grows by the new
    tokens; a slot cache returns only theirs)."""
    axes: Axes = {
        first_input: {0: "batch", 1: "seq"},
        "position_ids": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 2: "seq", 3: total},
        first_output: {0: "batch", 1: "seq"},
    }
    axes |= {name: {0: "batch", 2: past} for name in past_names(layers)}
    axes |= {name: {0: "batch", 2: present or total} for name in present_names(layers)}
    export_graph(
        FlatCacheDecoder(decoder, slots=slots),
        example,
        path,
        [first_input, "position_ids", "attention_mask", *past_names(layers)],
        [first_output, *present_names(layers)],
        axes,
    )


class EmbedText(nn.Module):
    """Role `embed_text`: input_ids i64 [B,S] -> inputs_embeds f32 [B,S,D], for the families
    whose decoder reads embeddings (text and image tokens are embedded apart)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.emb = model.text_emb

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = self.emb(input_ids)
        return result
