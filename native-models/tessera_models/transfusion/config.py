"""Experiment configuration for `transfusion`: one dataclass tree, one module per experiment."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

OBJECTIVES = ("ddpm", "flow")
SAMPLERS = {"ddpm": ("ddim",), "flow": ("euler", "heun", "midpoint")}


@dataclass
class ModelConfig:
    """Llama-style blocks (RMSNorm, RoPE, SwiGLU) over text embeddings and image patches."""

    layers: int = 4
    width: int = 192
    heads: int = 4
    hidden: int = 512
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    init_std: float = 0.02
    vocab_size: int = 0  # set from the vocabulary at training time
    image_size: int = 32
    patch: int = 4
    time_dim: int = 64  # sinusoidal features of the timestep before its MLP

    @property
    def head_dim(self) -> int:
        return self.width // self.heads

    @property
    def grid(self) -> int:
        return self.image_size // self.patch

    @property
    def patches(self) -> int:
        return self.grid**2

    @property
    def patch_dim(self) -> int:
        return self.patch * self.patch * 3


@dataclass
class DiffusionConfig:
    """`ddpm`: ε-prediction on the cosine schedule with T steps, sampled by DDIM.
    `flow`: rectified flow x_t = (1 − t)·x_0 + t·ε, velocity ε − x_0, sampled by an ODE solver.
    Either way the network sees t in [0, 1] (DDPM's step index over T), 1 = pure noise."""

    objective: str = "ddpm"
    timesteps: int = 1000  # DDPM's T
    cosine_offset: float = 0.008  # the cosine schedule's s
    steps: int = 16  # sampling steps by default
    sampler: str = "ddim"
    cfg_scale: float = 3.0


@dataclass
class Training:
    batch_size: int = 64
    steps: int = 2000
    lr: float = 1e-3
    warmup: int = 100
    weight_decay: float = 0.1
    b2: float = 0.95
    clip: float = 1.0
    eval_every: int = 250
    val_items: int = 256
    minutes: float | None = None  # the wall-clock budget; the schedule follows it
    checkpoint_minutes: float = 3.0  # a run can be killed at any time: lose at most this
    diffusion_weight: float = 5.0  # the paper's λ
    p_image_first: float = 0.2  # captioning examples
    image_first_max_t: float = 0.5  # their noise is capped at half the schedule
    p_caption_dropout: float = 0.1
    p_style_token: float = 0.8
    # Skin-tone variants are 44% of images; down-weighting them spends steps on distinct concepts.
    skin_tone_weight: float = 0.35


@dataclass
class ExperimentConfig:
    name: str
    model: ModelConfig = field(default_factory=ModelConfig)
    diffusion: DiffusionConfig = field(default_factory=DiffusionConfig)
    training: Training = field(default_factory=Training)
    seed: int = 0
    data_limit: int | None = None  # use only the first N training images (smoke runs)

    def __post_init__(self) -> None:
        d = self.diffusion
        if d.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, not {d.objective!r}")
        if d.sampler not in SAMPLERS[d.objective]:
            raise ValueError(
                f"a {d.objective} model samples with {SAMPLERS[d.objective]}, not {d.sampler!r}"
            )


def load_config(name: str) -> ExperimentConfig:
    module = importlib.import_module(f"tessera_models.transfusion.configs.{name.replace('-', '_')}")
    config: ExperimentConfig = module.get_config()
    return config
