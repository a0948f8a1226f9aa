"""The manifest blocks every family writes the same way (docs/models.md §The manifest): the
header, image, kv layout, guidance and sampling blocks, and the closing memory, data provenance,
training environment, metrics and parity. Family-specific blocks stay in each family. Each
block keeps its keys in the order the families wrote them, so an export writes the same bytes.
"""

from __future__ import annotations

import platform
from typing import Any

import onnxruntime
import torch

from tessera_models.common.prng import PRNG_VERSION
from tessera_models.common.sampling import PIPELINE_VERSION, SamplingSettings

MANIFEST_VERSION = 1
LICENSE_NOTE = (
    "Weights trained on emoji-v1, which includes OpenMoji (CC BY-SA 4.0); see attribution."
)


def header_block(
    model_id: str, name: str, family: str, source: dict[str, Any], family_version: int = 1
) -> dict[str, Any]:
    """The manifest's first keys: what the model is, its licence and where it came from."""
    return {
        "manifestVersion": MANIFEST_VERSION,
        "id": model_id,
        "name": name,
        "license": "CC-BY-SA-4.0",
        "licenseNote": LICENSE_NOTE,
        "source": source,
        "family": family,
        "variant": "tessera",
        "familyVersion": family_version,
    }


def image_block(size: int, value_range: list[int], grid: int, patch: int) -> dict[str, Any]:
    """A square RGB image on white, `grid` × `grid` cells of `patch` pixels."""
    return {
        "width": size,
        "height": size,
        "channels": 3,
        "valueRange": value_range,
        "background": "#ffffff",
        "grid": grid,
        "patch": patch,
    }


def cfg_block(null_id: int) -> dict[str, Any]:
    """Guidance rows: the unconditional row is the conditional one with its caption nulled."""
    return {"rowOrder": ["cond", "uncond"], "uncondRule": "replace-with-null", "nullId": null_id}


def cdk_json(s: SamplingSettings) -> dict[str, Any]:
    return {"alpha": s.cdk_alpha, "k": s.cdk_k, "tau": s.cdk_tau}


def token_defaults(s: SamplingSettings) -> dict[str, Any]:
    """`sampling.defaults` of a family that samples tokens with the shared pipeline."""
    return {
        "cfgScale": s.cfg_scale,
        "temperature": s.temperature,
        "topK": s.top_k,
        "topP": s.top_p,
        "cdk": cdk_json(s),
    }


def sampling_block(defaults: dict[str, Any], bounds: dict[str, Any]) -> dict[str, Any]:
    return {
        "prngVersion": PRNG_VERSION,
        "pipelineVersion": PIPELINE_VERSION,
        "defaults": defaults,
        "bounds": bounds,
    }


def decoder_kv(
    graphs: dict[str, dict[str, Any]],
    layers: int,
    heads: int,
    head_dim: int,
    context: int,
    cache: str = "concat",
) -> tuple[int, int]:
    """Adds the decoder graph's kv block; returns the graphs' weight bytes and the cache's f32
    bytes per token and row (keys and values of every layer)."""
    graphs["decoder"]["kv"] = kv_block(layers, heads, head_dim, context, cache)
    weight_bytes = sum(g["bytes"] for g in graphs.values())
    return weight_bytes, layers * 2 * heads * head_dim * 4


def closing_blocks(
    weight_bytes: int,
    kv_per_token_row: int,
    context: int,
    data_card: dict[str, Any],
    training: dict[str, Any],
    parity: dict[str, Any],
) -> dict[str, Any]:
    """The manifest's last keys; evaluation fills `metrics` later (eval/report.py)."""
    return {
        "memory": memory_block(weight_bytes, kv_per_token_row, context),
        "data": data_block(data_card),
        "training": training_block(training),
        "metrics": {},
        "parity": parity,
    }


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
