"""Writes `manifest.json`, the contract between an exported `vq-ar` model and the app
(docs/models.md §The manifest). app/common validates the same shape with zod."""

from __future__ import annotations

from typing import Any

from tessera_models.common import manifest_parts
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
    weight_bytes, kv_per_token_row = manifest_parts.decoder_kv(
        graphs, tc.layers, tc.heads, tc.head_dim, tc.context
    )
    name = f"vq-ar emoji 32px ({config.name})"
    return {
        **manifest_parts.header_block(model_id, name, "vq-ar", source, FAMILY_VERSION),
        "image": manifest_parts.image_block(
            config.image_size, [-1, 1], grid, config.image_size // grid
        ),
        "tokenizer": {
            **manifest_parts.word_tokenizer_block(
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
        "cfg": manifest_parts.cfg_block(MASK),
        "sampling": manifest_parts.sampling_block(
            {**manifest_parts.token_defaults(defaults), "bestOf": config.best_of},
            {
                "cfgScale": [0, 20],
                "temperature": [0, 3],
                "topK": [0, config.tokenizer.codebook_size],
                "topP": [0.05, 1],
            },
        ),
        "vq": {
            "grid": grid,
            "codebook": config.tokenizer.codebook_size,
            "quantizer": "fsq",
            "levels": config.tokenizer.levels,
        },
        **manifest_parts.closing_blocks(
            weight_bytes, kv_per_token_row, tc.context, data_card, training, parity
        ),
        **({"retrieval": retrieval} if retrieval is not None else {}),
    }
