"""Writes the Tessera `manifest.json` of a converted Janus-Pro folder (family and variant
`janus-pro`). app/common/model-manifest.ts validates the same shape with zod; the prompt
templates in `layouts` are Janus's own chat format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onnx import TensorProto
from transformers import GenerationConfig, JanusConfig

from tessera_models.common.decoder_io import OPSET
from tessera_models.common.manifest_parts import kv_block, memory_block, training_block
from tessera_models.common.onnx_tools import graph_entry, sha256_file
from tessera_models.common.prng import PRNG_VERSION
from tessera_models.common.sampling import PIPELINE_VERSION
from tessera_models.janus.layout import head_dim
from tessera_models.janus.storage import data_file

MANIFEST_VERSION = 1
FAMILY_VERSION = 1
GENERATE_TEMPLATE = "<|User|>: {prompt}\n\n<|Assistant|>:"
CAPTION_QUESTION = "Describe this image in one sentence."


def build_manifest(
    *,
    model_id: str,
    name: str,
    license_name: str,
    config: JanusConfig,
    generation: GenerationConfig,
    tokens: dict[str, int],
    out: Path,
    graphs: dict[str, Path],
    dtypes: dict[str, str],
    parity: dict[str, Any],
    source: dict[str, Any],
) -> dict[str, Any]:
    tc, vc, vq = config.text_config, config.vision_config, config.vq_config
    grid = vq.num_patches
    size = grid * 2 ** (len(vq.channel_multiplier) - 1)
    entries = {}
    for role, path in graphs.items():
        entry = {
            **graph_entry(path, OPSET),
            "file": path.relative_to(out).as_posix(),
            "dtype": dtypes[role],
        }
        data = data_file(path)
        if data.is_file():
            entry["externalData"] = {
                "file": data.relative_to(out).as_posix(),
                "sha256": sha256_file(data),
                "bytes": data.stat().st_size,
            }
        for spec in entry["inputs"] + entry["outputs"]:
            # graph_entry names float and int64 tensors only; the image masks are bool.
            if spec["dtype"] == str(TensorProto.BOOL):
                spec["dtype"] = "bool"
        entries[role] = entry
    context = tc.max_position_embeddings
    entries["language_model"]["kv"] = kv_block(
        tc.num_hidden_layers, tc.num_key_value_heads, head_dim(config), context
    )
    kv_per_token_row = tc.num_hidden_layers * 2 * tc.num_key_value_heads * head_dim(config) * 4
    weight_bytes = sum(
        e["bytes"] + e.get("externalData", {}).get("bytes", 0) for e in entries.values()
    )
    return {
        "manifestVersion": MANIFEST_VERSION,
        "id": model_id,
        "name": name,
        "license": license_name,
        "source": source,
        "family": "janus-pro",
        "variant": "janus-pro",
        "familyVersion": FAMILY_VERSION,
        "image": {
            "width": size,
            "height": size,
            "channels": 3,
            "valueRange": [-1, 1],
            "background": "#7f7f7f",
            "grid": grid,
            "patch": size // grid,
        },
        "tokenizer": {
            "kind": "bpe",
            "file": "tokenizer.json",
            "sha256": sha256_file(out / "tokenizer.json"),
            "vocabSize": tc.vocab_size,
            "maxTokens": min(512, context - grid * grid - 64),
            "idRanges": {"text": [0, tc.vocab_size], "style": None},
            "unknown": tokens["pad"],
            "styles": {},
        },
        "specialTokens": {
            "pad": tokens["pad"],
            "bos": tokens["bos"],
            "eos": tokens["eos"],
            "null": tokens["pad"],
            "boi": tokens["boi"],
            "eoi": tokens["eoi"],
        },
        "layouts": {
            # Janus's chat format; the unconditional row keeps the first and last tokens.
            "generate": ["bos", {"text": GENERATE_TEMPLATE}, "boi", {"codes": grid * grid}],
            "caption": [
                "bos",
                {"text": "<|User|>: "},
                "boi",
                {"imageFeatures": vc.num_image_tokens, "placeholder": config.image_token_id},
                "eoi",
                {"text": "\n{question}\n\n<|Assistant|>:"},
            ],
            "captionQuestion": [CAPTION_QUESTION],
            "imageInput": [{"size": vc.image_size, "mean": 0.5, "std": 0.5}],
        },
        "graphs": entries,
        "capabilities": {
            "generate": True,
            # image_encode gives a picture's codes; the rest are picked in raster order with
            # the codes outside the mask forced, so the model sees only what precedes a cell.
            "infill": "constrained" if "image_encode" in graphs else "none",
            "caption": True,
            # log p(text | picture) through the understanding path, token by token.
            "likelihood": "tokens",
            "embed": False,
            "retrieval": False,
            "prefixCompletion": False,
        },
        "cfg": {
            "rowOrder": ["cond", "uncond"],
            "uncondRule": "pad-keep-ends",
            "nullId": tokens["pad"],
        },
        "sampling": {
            "prngVersion": PRNG_VERSION,
            "pipelineVersion": PIPELINE_VERSION,
            "defaults": {
                "cfgScale": float(generation.guidance_scale or 5),
                "temperature": float(generation.temperature or 1.0),
                "topK": 0,
                "topP": float(generation.top_p or 1.0),
                "cdk": {"alpha": 0.1, "k": 10, "tau": 1.0},
                "bestOf": 1,
            },
            "bounds": {
                "cfgScale": [0, 20],
                "temperature": [0, 3],
                "topK": [0, vq.num_embeddings],
                "topP": [0.05, 1],
            },
        },
        "vq": {"grid": grid, "codebook": vq.num_embeddings, "quantizer": "vq"},
        "memory": memory_block(weight_bytes, kv_per_token_row, context),
        "data": {},
        "training": training_block({"converted": True}),
        "metrics": {},
        "parity": parity,
    }
