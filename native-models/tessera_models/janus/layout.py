"""The configuration files of the ONNX layout that @huggingface/transformers reads for Janus
(`multi_modality`): config.json in DeepSeek's format (configs.js normalises it through
`language_config`), generation_config.json, and the image processor's and processor's configs
(models/janus/*). The tokenizer files are copied from the checkpoint unchanged."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import GenerationConfig, JanusConfig

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def head_dim(config: JanusConfig) -> int:
    tc = config.text_config
    return getattr(tc, "head_dim", None) or tc.hidden_size // tc.num_attention_heads


def language_config(config: JanusConfig) -> dict[str, Any]:
    tc = config.text_config
    return {
        "model_type": "llama",
        "vocab_size": tc.vocab_size,
        "hidden_size": tc.hidden_size,
        "intermediate_size": tc.intermediate_size,
        "num_hidden_layers": tc.num_hidden_layers,
        "num_attention_heads": tc.num_attention_heads,
        "num_key_value_heads": tc.num_key_value_heads,
        "head_dim": head_dim(config),
        "max_position_embeddings": tc.max_position_embeddings,
        "rms_norm_eps": tc.rms_norm_eps,
    }


def write_config_files(
    config: JanusConfig,
    generation: GenerationConfig,
    tokens: dict[str, int],
    out: Path,
    *,
    external_data: Sequence[str] = (),
) -> None:
    """`external_data` names the graph files (language_model.onnx) whose weights sit in one
    external-data file beside them: transformers.js looks for it only when config.json says so."""
    vc, vq = config.vision_config, config.vq_config
    files: dict[str, dict[str, Any]] = {
        "config.json": {
            "model_type": "multi_modality",
            "architectures": ["MultiModalityCausalLM"],
            "language_config": language_config(config),
            "vision_config": {
                "image_size": vc.image_size,
                "patch_size": vc.patch_size,
                "num_image_tokens": vc.num_image_tokens,
            },
            "gen_vision_config": {
                "image_token_size": vq.num_embeddings,
                "n_embed": vq.embed_dim,
                "num_patches": vq.num_patches,
            },
            "image_token_id": config.image_token_id,
            **(
                {
                    "transformers.js_config": {
                        "use_external_data_format": dict.fromkeys(external_data, 1)
                    }
                }
                if external_data
                else {}
            ),
        },
        "generation_config.json": {
            "bos_token_id": tokens["bos"],
            "eos_token_id": tokens["eos"],
            "pad_token_id": tokens["pad"],
            "guidance_scale": generation.guidance_scale or 5,
            "temperature": generation.temperature or 1.0,
            "do_sample": True,
        },
        "preprocessor_config.json": {
            "image_processor_type": "VLMImageProcessor",
            "image_size": vc.image_size,
            "min_size": 14,
            "do_resize": True,
            "do_rescale": True,
            "rescale_factor": 1 / 255,
            "do_normalize": True,
            "image_mean": [0.5, 0.5, 0.5],
            "image_std": [0.5, 0.5, 0.5],
            "background_color": [127, 127, 127],
        },
        "processor_config.json": {
            "processor_class": "VLChatProcessor",
            "image_tag": "<image_placeholder>",
            "image_start_tag": "<begin_of_image>",
            "image_end_tag": "<end_of_image>",
            "pad_tag": "<｜▁pad▁｜>",
            "num_image_tokens": vc.num_image_tokens,
        },
    }
    for name, body in files.items():
        (out / name).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def copy_tokenizer(src: Path, out: Path) -> None:
    if not (src / "tokenizer.json").is_file():
        raise FileNotFoundError(
            f"{src} has no tokenizer.json: convert a checkpoint folder with its tokenizer files"
        )
    for name in TOKENIZER_FILES:
        if (src / name).is_file():
            shutil.copyfile(src / name, out / name)
