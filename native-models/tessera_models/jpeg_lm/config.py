"""Experiment configuration for `jpeg-lm`: one dataclass tree, one module per experiment."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from tessera_models.jpeg_lm.llama import LlamaConfig
from tessera_models.jpeg_lm.preset_names import PRESETS


@dataclass
class Training:
    batch_size: int = 32
    steps: int = 4000
    lr: float = 1e-3
    warmup: int = 200
    weight_decay: float = 0.1
    eval_every: int = 250
    minutes: float | None = None  # stop early when the wall-clock budget is spent
    p_image_to_text: float = 0.15
    p_caption_dropout: float = 0.1
    p_style_token: float = 0.8
    # Skin-tone variants are 44% of images; down-weighting them spends steps on distinct concepts.
    skin_tone_weight: float = 0.35
    # That share of examples shows its image through one of `augmented_views` views (moved,
    # scaled, turned; colours kept), encoded once and cached: more data per concept, the lever
    # that lifted vq-ar's adherence (LOG.md, vq-ar cpu-9h..11h).
    p_augmented_target: float = 0.0
    augmented_views: int = 0


@dataclass
class ExperimentConfig:
    name: str
    image_size: int = 64
    jpeg_quality: int = 25  # the paper's; tables.bin ships the matching quantisation tables
    bpe_merges: int = 55  # 265 base symbols + 55 merges = the paper's 320 JPEG tokens
    bpe_images: int = 10000  # the paper derives its BPE from 10K images
    model: LlamaConfig = field(default_factory=LlamaConfig)
    training: Training = field(default_factory=Training)
    seed: int = 0
    data_limit: int | None = None  # use only the first N training images (smoke runs)
    # Continue another run: start from its final weights and optimizer, with its tokenizers,
    # under this config's own (warm-restart) schedule. Compute adds up across the two runs.
    warm_start: str | None = None


def load_config(name: str) -> ExperimentConfig:
    """The config named `name`; a preset's old name (cpu-2h) loads it under its current one."""
    name = PRESETS.current(name)
    module = importlib.import_module(f"tessera_models.jpeg_lm.configs.{name.replace('-', '_')}")
    config: ExperimentConfig = module.get_config()
    return config
