"""Exports the three `vq-ar` graphs (docs/models.md §vq-ar graphs) with the I/O names of
docs/models.md §Decoder graph I/O.

Shape glossary as in transformer.py and image_tokenizer.py; every batch, sequence and cache
length is a symbolic dim, traced with batch 2 so the CFG pair stays dynamic.
"""

from __future__ import annotations

from pathlib import Path

import torch

from tessera_models.common.decoder_io import (
    OPSET,
    FlatCacheDecoder,
    past_names,
    present_names,
)
from tessera_models.vq_ar.image_tokenizer import DecodeGraph, EncodeGraph, ImageTokenizer
from tessera_models.vq_ar.transformer import Transformer, causal_mask


def export_decoder(model: Transformer, path: Path) -> None:
    cfg = model.config
    b, s, p = 2, 3, 4
    ids = torch.randint(0, cfg.vocab_size, (b, s))
    positions = torch.arange(p, p + s).expand(b, s)
    mask = causal_mask(
        torch.ones(b, s, dtype=torch.bool),
        past_len=p,
        past_valid=torch.ones(b, p, dtype=torch.bool),
    )
    past = [torch.randn(b, cfg.heads, p, cfg.head_dim) for _ in range(2 * cfg.layers)]
    inputs = ["input_ids", "position_ids", "attention_mask", *past_names(cfg.layers)]
    outputs = ["logits", *present_names(cfg.layers)]
    axes: dict[str, dict[int, str]] = {
        "input_ids": {0: "batch", 1: "seq"},
        "position_ids": {0: "batch", 1: "seq"},
        "attention_mask": {0: "batch", 2: "seq", 3: "total"},
        "logits": {0: "batch", 1: "seq"},
    }
    axes |= {n: {0: "batch", 2: "past"} for n in past_names(cfg.layers)}
    axes |= {n: {0: "batch", 2: "total"} for n in present_names(cfg.layers)}
    torch.onnx.export(
        FlatCacheDecoder(model).eval(),
        (ids, positions, mask, *past),
        str(path),
        input_names=inputs,
        output_names=outputs,
        dynamic_axes=axes,
        opset_version=OPSET,
        dynamo=False,
    )


def export_tokenizer(tokenizer: ImageTokenizer, encode_path: Path, decode_path: Path) -> None:
    size, grid = tokenizer.config.image_size, tokenizer.config.grid
    image = torch.rand(2, 3, size, size) * 2 - 1
    codes = torch.randint(0, tokenizer.config.codebook_size, (2, grid, grid))
    torch.onnx.export(
        EncodeGraph(tokenizer).eval(),
        (image,),
        str(encode_path),
        input_names=["image"],
        output_names=["codes"],
        dynamic_axes={"image": {0: "batch"}, "codes": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )
    torch.onnx.export(
        DecodeGraph(tokenizer).eval(),
        (codes,),
        str(decode_path),
        input_names=["codes"],
        output_names=["image"],
        dynamic_axes={"codes": {0: "batch"}, "image": {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )
