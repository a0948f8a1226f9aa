"""Writes `manifest.json` for an exported `jpeg-lm` model
(docs/models.md §jpeg-lm graphs and assets, §The manifest).

app/common/model-manifest.ts validates the same shape; the `jpeg` block names the shipped
tables, the fixed header and the byte BPE, each hashed, plus the MCU grammar's limits.
"""

from __future__ import annotations

from typing import Any

from tessera_models.common import manifest_parts
from tessera_models.common.sampling import SamplingSettings
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.config import ExperimentConfig
from tessera_models.jpeg_lm.llama import LlamaConfig
from tessera_models.jpeg_lm.vocab import BOS, END_IMG, EOS, IMG, NULL, PAD, TEXT_OFFSET, Vocab

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
    weight_bytes, kv_per_token_row = manifest_parts.decoder_kv(
        graphs, mc.layers, mc.heads, mc.head_dim, mc.context, cache="slots"
    )
    closing = manifest_parts.closing_blocks(
        weight_bytes, kv_per_token_row, mc.context, data_card, training, parity
    )
    closing["data"] |= {"jpegLengths": data_stats}
    name = f"JPEG-LM emoji {size}px ({config.name})"
    return {
        **manifest_parts.header_block(model_id, name, "jpeg-lm", source, FAMILY_VERSION),
        "image": manifest_parts.image_block(size, [0, 255], per_row, jpeg_bytes.MCU),
        "tokenizer": manifest_parts.word_tokenizer_block(
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
        "cfg": manifest_parts.cfg_block(NULL),
        "sampling": manifest_parts.sampling_block(
            manifest_parts.token_defaults(DEFAULTS),
            {
                "cfgScale": [0, 20],
                "temperature": [0, 3],
                "topK": [0, vocab.bpe.size],
                "topP": [0.05, 1],
            },
        ),
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
        **closing,
    }
