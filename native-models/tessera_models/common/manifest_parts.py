"""The manifest blocks every family writes the same way (docs/models.md §The manifest): kv layout,
memory, data provenance and training environment. Family-specific blocks stay in each family."""

from __future__ import annotations

import platform
from typing import Any

import onnxruntime
import torch


def kv_block(
    layers: int, heads: int, head_dim: int, context: int, cache: str = "concat"
) -> dict[str, Any]:
    """`cache`: "concat" (past [B,H,P,E] in, present [B,H,P+S,E] out) or "slots" (a slot
    buffer [B,H,C,E] in, only the new [B,H,S,E] out; the caller appends them)."""
    return {
        "cache": cache,
        "layers": layers,
        "kvHeads": heads,
        "headDim": head_dim,
        "pastKey": "past_key_values.{i}.key",
        "pastValue": "past_key_values.{i}.value",
        "presentKey": "present.{i}.key",
        "presentValue": "present.{i}.value",
        "context": context,
    }


def memory_block(weight_bytes: int, kv_per_token_row: int, context: int) -> dict[str, int]:
    """Weights three times over (file, session, arena) plus a full CFG cache and headroom."""
    return {
        "weightBytes": weight_bytes,
        "kvBytesPerTokenPerRow": kv_per_token_row,
        "recommendedRamBytes": int(3 * weight_bytes + 2 * context * kv_per_token_row + 64 * 2**20),
    }


def data_block(data_card: dict[str, Any]) -> dict[str, Any]:
    attribution = [
        {"set": s["title"], "license": s["license"], "author": s["author"], "url": s["authorUrl"]}
        for s in data_card["sets"]
    ]
    return {
        "dataset": data_card["dataset"],
        "splitSeed": data_card["splitOptions"]["seed"],
        "counts": data_card["counts"]["all"],
        "files": data_card["files"],
        "attribution": attribution,
    }


def training_block(training: dict[str, Any]) -> dict[str, Any]:
    return {
        **training,
        "hardware": f"{platform.machine()} CPU"
        if not torch.cuda.is_available()
        else torch.cuda.get_device_name(),
        "versions": {
            "torch": torch.__version__,
            "onnxruntime": onnxruntime.__version__,
            "python": platform.python_version(),
        },
    }


def word_tokenizer_block(
    words: Any, file_entry: dict[str, Any], text_offset: int, image_range: list[int], size: int
) -> dict[str, Any]:
    """The `tokenizer` block of a family whose captions use the shared word tokenizer, with
    its words at `text_offset` and the image's own tokens in `image_range`."""
    styles = [i for i, w in enumerate(words.vocab) if w.startswith("<set:")]
    return {
        "kind": "word",
        **file_entry,
        "vocabSize": size,
        "maxTokens": words.max_tokens,
        "idRanges": {
            "text": [text_offset, text_offset + len(words)],
            "image": image_range,
            "style": [text_offset + styles[0], text_offset + styles[-1] + 1] if styles else None,
        },
        "unknown": text_offset + words.id("<unk>"),
        "styles": {words.vocab[i][5:-1]: text_offset + i for i in styles},
    }
