"""Experiment configuration for `jetformer`: one dataclass tree, one module per experiment."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field


@dataclass
class FlowConfig:
    """Jet: channel couplings of a small ViT each, over 4×4-pixel patches of a 32² image."""

    couplings: int = 16  # each coupling can expand a dim at most 2×: fewer saturate
    width: int = 64
    depth: int = 1  # ViT blocks per coupling
    heads: int = 4
    mlp_ratio: int = 4
    patch: int = 4
    image_size: int = 32
    permutation_seed: int = 0  # the fixed random channel permutations

    @property
    def tokens(self) -> int:
        return (self.image_size // self.patch) ** 2

    @property
    def token_dim(self) -> int:
        return self.patch * self.patch * 3


@dataclass
class DecoderConfig:
    """Gemma-style decoder: RMSNorm, RoPE, gated MLP, multi-query attention."""

    layers: int = 4
    width: int = 192
    heads: int = 4
    kv_heads: int = 1
    head_dim: int = 48
    hidden: int = 768
    dropout: float = 0.0
    rope_theta: float = 10000.0
    norm_eps: float = 1e-6
    # The longest sequence a loop runs (<bos>, 16 caption tokens, <eos>, <boi>, 64 image tokens,
    # with room), recorded in the manifest; RoPE itself sets no limit.
    context: int = 96
    vocab_size: int = 0  # set from the vocabulary at training time
    ar_dims: int = 8  # dims of each soft token modelled autoregressively; the rest are N(0, 1)
    mixtures: int = 64
    scale_tol: float = 1e-6
    mean_bias_std: float = 0.02  # perturbed so the zero-initialised components differ


@dataclass
class Training:
    batch_size: int = 64
    steps: int = 1200
    lr: float = 1e-3
    warmup: int = 100  # steps of linear warmup before the cosine
    weight_decay: float = 1e-4
    b2: float = 0.95
    clip: float = 1.0
    eval_every: int = 200
    val_items: int = 256  # held-out images scored at each evaluation
    minutes: float | None = None  # stop early when the wall-clock budget is spent
    checkpoint_minutes: float = 3.0  # a run can be killed at any time: lose at most this
    text_prefix_prob: float = 0.5  # the rest are image-first (captioning) examples
    text_loss_weight: float = 0.0025
    p_caption_dropout: float = 0.1
    p_style_token: float = 0.8
    # Skin-tone variants are 44% of images; down-weighting them spends steps on distinct concepts.
    skin_tone_weight: float = 0.35
    rgb_noise_max: float = 32.0  # σ in 0–255 space at the start of the cosine curriculum
    rgb_noise_min: float = 0.0
    latent_noise_max: float = 0.3  # teacher-forcing noise std ~ U(0, max) on text-first rows


@dataclass
class ExperimentConfig:
    name: str
    flow: FlowConfig = field(default_factory=FlowConfig)
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    training: Training = field(default_factory=Training)
    seed: int = 0
    data_limit: int | None = None  # use only the first N training images (smoke runs)


def load_config(name: str) -> ExperimentConfig:
    module = importlib.import_module(f"tessera_models.jetformer.configs.{name.replace('-', '_')}")
    config: ExperimentConfig = module.get_config()
    return config
