"""Writes `manifest.json` for an exported `jetformer` model.

app/common/model-manifest.ts validates the shared shape. The `gmm` block carries what the loop
needs beyond it: the token grid, the AR/factored split, the mixtures, and the GMM sampling
settings (cfgScale keeps its meaning across families: the guided density is
p_c^cfgScale · p_u^(1 − cfgScale), so 1 is the conditional model alone).
"""

from __future__ import annotations

from typing import Any

from tessera_models.common import manifest_parts
from tessera_models.common.sampling import SamplingSettings
from tessera_models.jetformer.config import DecoderConfig, FlowConfig
from tessera_models.jetformer.reference_loop import GmmSettings
from tessera_models.jetformer.vocab import BOI, BOS, EOS, NOLABEL, PAD, TEXT_OFFSET, Vocab

FAMILY_VERSION = 1
# Provisional until chosen on the val split: mild guidance, slightly cooler scales (the
# reference's small models sample at scale temperatures 0.7–0.96).
DEFAULTS = GmmSettings(cfg_scale=3.0, temperature_probs=1.0, temperature_scales=0.9)


def build_manifest(
    *,
    model_id: str,
    config_name: str,
    flow: FlowConfig,
    decoder: DecoderConfig,
    vocab: Vocab,
    files: dict[str, dict[str, Any]],
    graphs: dict[str, dict[str, Any]],
    data_card: dict[str, Any],
    training: dict[str, Any],
    parity: dict[str, Any],
    source: dict[str, Any],
) -> dict[str, Any]:
    dc = decoder
    size = flow.image_size
    context = max(dc.context, vocab.text_len + 2 + flow.tokens)
    weight_bytes, kv_per_token_row = manifest_parts.decoder_kv(
        graphs, dc.layers, dc.kv_heads, dc.head_dim, context
    )
    tokenizer = manifest_parts.word_tokenizer_block(
        vocab.words, files["words"], TEXT_OFFSET, [], vocab.size
    )
    del tokenizer["idRanges"]["image"]  # soft tokens take no ids
    d = DEFAULTS
    neutral = SamplingSettings()
    name = f"JetFormer emoji {size}px ({config_name})"
    return {
        **manifest_parts.header_block(model_id, name, "jetformer", source, FAMILY_VERSION),
        "image": manifest_parts.image_block(size, [-1, 1], size // flow.patch, flow.patch),
        "tokenizer": tokenizer,
        "specialTokens": {"pad": PAD, "bos": BOS, "eos": EOS, "null": NOLABEL, "boi": BOI},
        "layouts": {
            "generate": ["bos", "caption", "eos", "boi", "softTokens"],
            "caption": ["boi", "softTokens", "bos", "caption", "eos"],
            "score": ["boi", "softTokens", "bos", "caption", "eos"],
            "likelihood": ["bos", "caption", "eos", "boi", "softTokens"],
        },
        "graphs": graphs,
        "capabilities": {
            "generate": True,
            "infill": "approximate",
            "caption": True,
            "likelihood": "exact",
            "embed": False,
            "retrieval": False,
            "prefixCompletion": False,
        },
        "cfg": manifest_parts.cfg_block(NOLABEL),
        "sampling": manifest_parts.sampling_block(
            {
                "cfgScale": d.cfg_scale,
                # The GMM's scale temperature; top-k, top-p and CD-K do not apply to it.
                "temperature": d.temperature_scales,
                "topK": 0,
                "topP": 1.0,
                "cdk": manifest_parts.cdk_json(neutral),
            },
            {"cfgScale": [0, 20], "temperature": [0.05, 2], "topK": [0, 0], "topP": [1, 1]},
        ),
        "gmm": {
            "tokens": flow.tokens,
            "tokenDim": flow.token_dim,
            "arDims": dc.ar_dims,
            "factoredDims": flow.token_dim - dc.ar_dims,
            "mixtures": dc.mixtures,
            "couplings": flow.couplings,
            "guidance": "closed-form",
            "quantise": "floor",
            "encodeAt": "bin-centre",
            "defaults": {
                "cfgScale": d.cfg_scale,
                "temperatureProbs": d.temperature_probs,
                "temperatureScales": d.temperature_scales,
            },
            "bounds": {"temperatureProbs": [0.05, 4], "temperatureScales": [0.05, 2]},
        },
        **manifest_parts.closing_blocks(
            weight_bytes, kv_per_token_row, context, data_card, training, parity
        ),
    }
