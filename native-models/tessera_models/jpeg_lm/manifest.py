"""Writes `manifest.json` for an exported `jpeg-lm` model
(docs/models.md §jpeg-lm graphs and assets, §The manifest).

app/common/model-manifest.ts validates the same shape; the `jpeg` block names the shipped
tables, the fixed header and the byte BPE, each hashed, plus the MCU grammar's limits.
"""

from __future__ import annotations

from typing import Any

from tessera_models.common.manifest_parts import (
    data_block,
    kv_block,
    memory_block,
    training_block,
    word_tokenizer_block,
)
from tessera_models.common.prng import PRNG_VERSION
from tessera_models.common.sampling import PIPELINE_VERSION, SamplingSettings
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.config import ExperimentConfig
from tessera_models.jpeg_lm.llama import LlamaConfig
from tessera_models.jpeg_lm.vocab import BOS, END_IMG, EOS, IMG, NULL, PAD, TEXT_OFFSET, Vocab

MANIFEST_VERSION = 1
FAMILY_VERSION = 1
# The paper's sampling (README example): temperature 1.0, top-p 0.9, top-k 50; CFG is ours.
DEFAULTS = SamplingSettings(cfg_scale=2.0, temperature=1.0, top_k=50, top_p=0.9)


def build_manifest(
    *,
    model_id: str,
    config: ExperimentConfig,
    model_config: LlamaConfig,
    vocab: Vocab,
    files: dict[str, dict[str, Any]],
    graphs: dict[str, dict[str, Any]],
    max_mcu_tokens: int,
    data_card: dict[str, Any],
    data_stats: dict[str, Any],
    training: dict[str, Any],
    parity: dict[str, Any],
    source: dict[str, Any],
) -> dict[str, Any]:
    mc = model_config
    size = config.image_size
    per_row = size // jpeg_bytes.MCU
    weight_bytes = graphs["decoder"]["bytes"]
    kv_per_token_row = mc.layers * 2 * mc.heads * mc.head_dim * 4
    graphs["decoder"]["kv"] = kv_block(mc.layers, mc.heads, mc.head_dim, mc.context, cache="slots")
    d = DEFAULTS
    return {
        "manifestVersion": MANIFEST_VERSION,
        "id": model_id,
        "name": f"JPEG-LM emoji {size}px ({config.name})",
        "license": "CC-BY-SA-4.0",
        "licenseNote": "Weights trained on emoji-v1, which includes OpenMoji (CC BY-SA 4.0); see attribution.",
        "source": source,
        "family": "jpeg-lm",
        "variant": "tessera",
        "familyVersion": FAMILY_VERSION,
        "image": {
            "width": size,
            "height": size,
            "channels": 3,
            "valueRange": [0, 255],
            "background": "#ffffff",
            "grid": per_row,
            "patch": jpeg_bytes.MCU,
        },
        "tokenizer": word_tokenizer_block(
            vocab.words, files["words"], TEXT_OFFSET, [vocab.jpeg_offset, vocab.size], vocab.size
        ),
        "specialTokens": {
            "pad": PAD,
            "bos": BOS,
            "eos": EOS,
            "null": NULL,
            "boi": IMG,
            "eoi": END_IMG,
        },
        "layouts": {
            "generate": ["bos", "caption", "boi", "mcus", "eos"],
            "complete": ["bos", "caption", "boi", "knownMcus", "mcus", "eos"],
            "infill": ["bos", "caption", "boi", "mcusWithKnown", "eos"],
            "caption": ["bos", "boi", "mcus", "eoi", "caption", "eos"],
            "score": ["bos", "boi", "mcus", "eoi", "caption", "eos"],
        },
        "graphs": graphs,
        "capabilities": {
            "generate": True,
            "infill": "constrained",
            "caption": True,
            "likelihood": "tokens",
            "embed": False,
            "retrieval": False,
            "prefixCompletion": True,
        },
        "cfg": {"rowOrder": ["cond", "uncond"], "uncondRule": "replace-with-null", "nullId": NULL},
        "sampling": {
            "prngVersion": PRNG_VERSION,
            "pipelineVersion": PIPELINE_VERSION,
            "defaults": {
                "cfgScale": d.cfg_scale,
                "temperature": d.temperature,
                "topK": d.top_k,
                "topP": d.top_p,
                "cdk": {"alpha": d.cdk_alpha, "k": d.cdk_k, "tau": d.cdk_tau},
            },
            "bounds": {
                "cfgScale": [0, 20],
                "temperature": [0, 3],
                "topK": [0, vocab.bpe.size],
                "topP": [0.05, 1],
            },
        },
        "jpeg": {
            "quality": config.jpeg_quality,
            "subsampling": jpeg_bytes.SUBSAMPLING,
            "restartInterval": 1,
            "mcus": per_row * per_row,
            "mcusPerRow": per_row,
            "mcuSize": jpeg_bytes.MCU,
            "maxMcuTokens": max_mcu_tokens,
            "tables": files["tables"],
            "header": files["header"],
            "bpe": files["bpe"] | {"size": vocab.bpe.size, "offset": vocab.jpeg_offset},
        },
        "memory": memory_block(weight_bytes, kv_per_token_row, mc.context),
        "data": data_block(data_card) | {"jpegLengths": data_stats},
        "training": training_block(training),
        "metrics": {},
        "parity": parity,
    }
