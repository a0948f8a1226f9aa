"""Writes `manifest.json` for an exported `transfusion` model.

app/common/model-manifest.ts validates the shared shape. The `diffusion` block carries what the
loop needs beyond it: the objective and what patch_out predicts, the schedule (ᾱ for ddpm, so
the loop never recomputes it), the network's time convention, the patch grid, the samplers and
the sampling defaults and bounds (steps, sampler, guidance).
"""

from __future__ import annotations

from typing import Any

from tessera_models.common import manifest_parts
from tessera_models.common.sampling import SamplingSettings
from tessera_models.transfusion.config import SAMPLERS, DiffusionConfig, ModelConfig
from tessera_models.transfusion.schedule import cosine_alphas_bar
from tessera_models.transfusion.vocab import BOI, BOS, EOI, EOS, NULL, PAD, TEXT_OFFSET, Vocab

FAMILY_VERSION = 1
MAX_STEPS = 250  # the paper's step count


def diffusion_block(model: ModelConfig, d: DiffusionConfig) -> dict[str, Any]:
    block: dict[str, Any] = {
        "objective": d.objective,
        "prediction": "eps" if d.objective == "ddpm" else "velocity",
        "timeInput": "t in [0, 1], 1 = pure noise (ddpm: step index / timesteps)",
        "patches": model.patches,
        "patchDim": model.patch_dim,
        "samplers": list(SAMPLERS[d.objective]),
        "infill": "repaint",
        "defaults": {"steps": d.steps, "sampler": d.sampler, "cfgScale": d.cfg_scale},
        "bounds": {"steps": [1, MAX_STEPS], "cfgScale": [0, 20]},
    }
    if d.objective == "ddpm":
        block |= {
            "schedule": "cosine",
            "timesteps": d.timesteps,
            "cosineOffset": d.cosine_offset,
            "alphasBar": [float(a) for a in cosine_alphas_bar(d.timesteps, d.cosine_offset)],
        }
    else:
        block |= {"schedule": "rectified-flow", "timesteps": 0}
    return block


def build_manifest(
    *,
    model_id: str,
    config_name: str,
    model: ModelConfig,
    diffusion: DiffusionConfig,
    vocab: Vocab,
    files: dict[str, dict[str, Any]],
    graphs: dict[str, dict[str, Any]],
    data_card: dict[str, Any],
    training: dict[str, Any],
    parity: dict[str, Any],
    source: dict[str, Any],
) -> dict[str, Any]:
    size = model.image_size
    context = vocab.max_caption + model.patches + 4
    weight_bytes, kv_per_token_row = manifest_parts.decoder_kv(
        graphs, model.layers, model.heads, model.head_dim, context
    )
    tokenizer = manifest_parts.word_tokenizer_block(
        vocab.words, files["words"], TEXT_OFFSET, [], vocab.size
    )
    del tokenizer["idRanges"]["image"]  # patches take no ids
    neutral = SamplingSettings()
    name = f"Transfusion emoji {size}px ({config_name})"
    return {
        **manifest_parts.header_block(model_id, name, "transfusion", source, FAMILY_VERSION),
        "image": manifest_parts.image_block(size, [-1, 1], model.grid, model.patch),
        "tokenizer": tokenizer,
        "specialTokens": {
            "pad": PAD,
            "bos": BOS,
            "eos": EOS,
            "null": NULL,
            "boi": BOI,
            "eoi": EOI,
        },
        "layouts": {
            "generate": ["bos", "caption", "boi", "patches", "eoi", "eos"],
            "infill": ["bos", "caption", "boi", "patches", "eoi", "eos"],
            "caption": ["bos", "boi", "patches", "eoi", "caption", "eos"],
            "score": ["bos", "boi", "patches", "eoi", "caption", "eos"],
        },
        "graphs": graphs,
        "capabilities": {
            "generate": True,
            "infill": "native",
            "caption": True,
            "likelihood": "none",
            "embed": False,
            "retrieval": False,
            "prefixCompletion": False,
        },
        "cfg": manifest_parts.cfg_block(NULL),
        "sampling": manifest_parts.sampling_block(
            {
                "cfgScale": diffusion.cfg_scale,
                # Token sampling settings do not apply to denoising; neutral values.
                "temperature": 1.0,
                "topK": 0,
                "topP": 1.0,
                "cdk": manifest_parts.cdk_json(neutral),
            },
            {"cfgScale": [0, 20], "temperature": [1, 1], "topK": [0, 0], "topP": [1, 1]},
        ),
        "diffusion": diffusion_block(model, diffusion),
        **manifest_parts.closing_blocks(
            weight_bytes, kv_per_token_row, context, data_card, training, parity
        ),
    }
