"""Exports the three `vq-ar` graphs (docs/models.md §vq-ar graphs) with the I/O names of
docs/models.md §Decoder graph I/O.

Shape glossary as in transformer.py and image_tokenizer.py; every batch, sequence and cache
length is a symbolic dim, traced with batch 2 so the CFG pair stays dynamic.
"""

from __future__ import annotations

from pathlib import Path

import torch

from tessera_models.common.graph_export import example_cache, export_cached_decoder, export_graph
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
    past = example_cache(b, cfg.heads, p, cfg.head_dim, cfg.layers)
    export_cached_decoder(
        model,
        (ids, positions, mask, *past),
        path,
        layers=cfg.layers,
        first_input="input_ids",
        first_output="logits",
        total="total",
    )


def export_tokenizer(tokenizer: ImageTokenizer, encode_path: Path, decode_path: Path) -> None:
    size, grid = tokenizer.config.image_size, tokenizer.config.grid
    image = torch.rand(2, 3, size, size) * 2 - 1
    codes = torch.randint(0, tokenizer.config.codebook_size, (2, grid, grid))
    export_graph(
        EncodeGraph(tokenizer),
        (image,),
        encode_path,
        ["image"],
        ["codes"],
        {"image": {0: "batch"}, "codes": {0: "batch"}},
    )
    export_graph(
        DecodeGraph(tokenizer),
        (codes,),
        decode_path,
        ["codes"],
        ["image"],
        {"codes": {0: "batch"}, "image": {0: "batch"}},
    )
