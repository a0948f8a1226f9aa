"""Exports the `jpeg-lm` decoder twice from the same weights
(docs/models.md §jpeg-lm graphs and assets, §Decoder graph I/O):

  decoder.onnx        Tessera's layout with a slot cache (llama.py): the caller owns a buffer
                      of C slots, the graph reads it in place and returns only the new keys
                      and values; additive f32 mask [B,1,S,C+S]
  hf/onnx/model.onnx  the Hugging Face Llama layout (2-D i64 attention_mask over cache + new
                      tokens), with config.json, so standard text-generation runtimes load it

Shape glossary as in llama.py; batch, sequence and cache lengths are symbolic dims, traced with
batch 2 so the CFG pair stays dynamic.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from tessera_models.common.decoder_io import past_names, present_names
from tessera_models.common.graph_export import example_cache, export_cached_decoder, export_graph
from tessera_models.jpeg_lm.llama import Llama, causal_mask, hf_additive_mask


class HfDecoder(nn.Module):
    """input_ids, attention_mask (0/1 over past + new), position_ids, past… -> logits, present…"""

    def __init__(self, model: Llama) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        *past_flat: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        mask = hf_additive_mask(attention_mask, input_ids.shape[1])
        logits, presents = self.model(input_ids, position_ids, mask, past)
        return (logits, *[t for kv in presents for t in kv])


def _example(model: Llama) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    cfg = model.config
    b, s, p = 2, 3, 4
    ids = torch.randint(0, cfg.vocab_size, (b, s))
    positions = torch.arange(p, p + s).expand(b, s)
    return ids, positions, example_cache(b, cfg.heads, p, cfg.head_dim, cfg.layers)


def export_decoder(model: Llama, path: Path) -> None:
    cfg = model.config
    ids, positions, past = _example(model)
    b, s = ids.shape
    c = past[0].shape[2]
    # Traced with the last slot free, as when the buffer has room left over.
    mask = causal_mask(
        torch.ones(b, s, dtype=torch.bool),
        past_len=c,
        past_valid=torch.arange(c).expand(b, c) < c - 1,
    )
    export_cached_decoder(
        model,
        (ids, positions, mask, *past),
        path,
        layers=cfg.layers,
        first_input="input_ids",
        first_output="logits",
        past="slots",
        total="slots_and_seq",
        present="seq",
        slots=True,
    )


def export_hf(model: Llama, folder: Path, special: dict[str, int]) -> Path:
    """The Hugging Face layout: <folder>/onnx/model.onnx plus config and generation config."""
    cfg = model.config
    (folder / "onnx").mkdir(parents=True, exist_ok=True)
    ids, positions, past = _example(model)
    b, s = ids.shape
    mask_2d = torch.ones(b, past[0].shape[2] + s, dtype=torch.int64)
    axes: dict[str, dict[int, str]] = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    axes |= {n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names(cfg.layers)}
    axes |= {n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names(cfg.layers)}
    path = folder / "onnx" / "model.onnx"
    export_graph(
        HfDecoder(model),
        (ids, mask_2d, positions, *past),
        path,
        ["input_ids", "attention_mask", "position_ids", *past_names(cfg.layers)],
        ["logits", *present_names(cfg.layers)],
        axes,
    )
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.width,
        "intermediate_size": cfg.hidden,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "num_key_value_heads": cfg.heads,
        "head_dim": cfg.head_dim,
        "max_position_embeddings": cfg.context,
        "rms_norm_eps": cfg.norm_eps,
        "rope_theta": cfg.rope_theta,
        "hidden_act": "silu",
        "tie_word_embeddings": True,
        "attention_bias": False,
        "mlp_bias": False,
        "torch_dtype": "float32",
        "bos_token_id": special["bos"],
        "eos_token_id": special["eos"],
        "pad_token_id": special["pad"],
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    generation = {
        "bos_token_id": special["bos"],
        "eos_token_id": special["eos"],
        "pad_token_id": special["pad"],
    }
    (folder / "generation_config.json").write_text(
        json.dumps(generation, indent=2) + "\n", encoding="utf-8"
    )
    return path
