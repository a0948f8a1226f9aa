"""Writes `manifest.json`, the contract between an exported `vq-ar` model and the app
(docs/models.md §The manifest). app/common validates the same shape with zod."""

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
from tessera_models.common.sampling import PIPELINE_VERSION
from tessera_models.vq_ar.config import ExperimentConfig
from tessera_models.vq_ar.vocab import (
    BOS,
    BREAK,
    EOS,
    INFILL,
    MASK,
    PAD,
    SENTINEL0,
    SENTINELS,
    TEXT_OFFSET,
    Vocab,
)

MANIFEST_VERSION = 1
FAMILY_VERSION = 1


def build_manifest(
    *,
    model_id: str,
    config: ExperimentConfig,
    vocab: Vocab,
    words_entry: dict[str, Any],
    graphs: dict[str, dict[str, Any]],
    data_card: dict[str, Any],
    training: dict[str, Any],
    parity: dict[str, Any],
    source: dict[str, Any],
    retrieval: dict[str, Any] | None = None,
) -> dict[str, Any]:
    tc = config.transformer
    grid = config.tokenizer.grid
    defaults = config.sampling
    image_first = ["bos", "sentinel0", "break", {"image": grid * grid}, "break", "infill"]
    image_first += ["sentinel0", "caption", "eos"]
    weight_bytes = sum(g["bytes"] for g in graphs.values())
    kv_per_token_row = tc.layers * 2 * tc.heads * tc.head_dim * 4
    graphs["decoder"]["kv"] = kv_block(tc.layers, tc.heads, tc.head_dim, tc.context)
    return {
        "manifestVersion": MANIFEST_VERSION,
        "id": model_id,
        "name": f"vq-ar emoji 32px ({config.name})",
        "license": "CC-BY-SA-4.0",
        "licenseNote": "Weights trained on emoji-v1, which includes OpenMoji (CC BY-SA 4.0); see attribution.",
        "source": source,
        "family": "vq-ar",
        "variant": "tessera",
        "familyVersion": FAMILY_VERSION,
        "image": {
            "width": config.image_size,
            "height": config.image_size,
            "channels": 3,
            "valueRange": [-1, 1],
            "background": "#ffffff",
            "grid": grid,
            "patch": config.image_size // grid,
        },
        "tokenizer": {
            **word_tokenizer_block(
                vocab.words, words_entry, TEXT_OFFSET, [vocab.image_offset, vocab.size], vocab.size
            ),
            # Prompt captions (a document's too) are left-padded with <pad> to this length.
            **({"captionSlot": vocab.caption_slot} if vocab.caption_slot else {}),
        },
        "specialTokens": {
            "pad": PAD,
            "bos": BOS,
            "eos": EOS,
            "break": BREAK,
            "mask": MASK,
            "null": MASK,
            "infill": INFILL,
            "sentinels": list(range(SENTINEL0, SENTINEL0 + SENTINELS)),
        },
        "layouts": {
            "generate": [
                "bos",
                *(["document"] if retrieval is not None else []),
                "caption",
                "break",
                {"image": grid * grid},
                "break",
                "eos",
            ],
            "infill": [
                "bos",
                "caption",
                "break",
                "imageWithSentinels",
                "break",
                "infill",
                "segments",
                "eos",
            ],
            # Scoring teacher-forces a caption through the captioning layout.
            "caption": image_first,
            "score": image_first,
        },
        "graphs": graphs,
        "capabilities": {
            "generate": True,
            "infill": "native",
            "caption": True,
            "likelihood": "tokens",
            "embed": False,
            "retrieval": retrieval is not None,
            "prefixCompletion": False,
        },
        "cfg": {"rowOrder": ["cond", "uncond"], "uncondRule": "replace-with-null", "nullId": MASK},
        "sampling": {
            "prngVersion": PRNG_VERSION,
            "pipelineVersion": PIPELINE_VERSION,
            "defaults": {
                "cfgScale": defaults.cfg_scale,
                "temperature": defaults.temperature,
                "topK": defaults.top_k,
                "topP": defaults.top_p,
                "cdk": {"alpha": defaults.cdk_alpha, "k": defaults.cdk_k, "tau": defaults.cdk_tau},
                "bestOf": config.best_of,
            },
            "bounds": {
                "cfgScale": [0, 20],
                "temperature": [0, 3],
                "topK": [0, config.tokenizer.codebook_size],
                "topP": [0.05, 1],
            },
        },
        "vq": {
            "grid": grid,
            "codebook": config.tokenizer.codebook_size,
            "quantizer": "fsq",
            "levels": config.tokenizer.levels,
        },
        "memory": memory_block(weight_bytes, kv_per_token_row, tc.context),
        "data": data_block(data_card),
        "training": training_block(training),
        "metrics": {},
        "parity": parity,
        **({"retrieval": retrieval} if retrieval is not None else {}),
    }
