"""The training set-up the families that learn from captioned emoji-v1 images share: which
training images a run draws and how often, the noise generator each rank draws from, and the
loop settings of the configs that spell their optimiser the same way (jetformer, transfusion).

Skin-tone variants are 44% of the images; drawing them less often spends steps on distinct
concepts, so every family weights its draws the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from tessera_models.common.carried_run import carried_dir
from tessera_models.common.resolved_config import resolve
from tessera_models.common.trainer import LoopSettings, Schedule, schedule_settings
from tessera_models.common.training import Runtime
from tessera_models.data.emoji import EmojiDataset, load_emoji


class CaptionedTraining(Schedule, Protocol):
    @property
    def b2(self) -> float: ...
    @property
    def clip(self) -> float: ...
    @property
    def checkpoint_minutes(self) -> float: ...
    @property
    def val_items(self) -> int: ...
    @property
    def skin_tone_weight(self) -> float: ...


class CaptionedExperiment(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def data_limit(self) -> int | None: ...
    @property
    def training(self) -> CaptionedTraining: ...


def training_indices(data: EmojiDataset, data_limit: int | None) -> np.ndarray:
    """The train split, or its first `data_limit` images (smoke runs)."""
    indices = data.indices("train")
    return indices if data_limit is None else indices[:data_limit]


def draw_weights(data: EmojiDataset, indices: np.ndarray, skin_tone_weight: float) -> np.ndarray:
    """Each image's probability of being drawn: skin-tone variants weighted down."""
    weights = np.array(
        [skin_tone_weight if "skin tone" in data.records[i].caption else 1.0 for i in indices]
    )
    normalised: np.ndarray = weights / weights.sum()
    return normalised


@dataclass(frozen=True)
class TrainingImages:
    data: EmojiDataset
    train_idx: np.ndarray
    weights: np.ndarray  # draw probabilities of train_idx
    val_idx: np.ndarray  # the held-out images each evaluation scores


def training_images(
    config: CaptionedExperiment, data_root: str | None, image_size: int
) -> TrainingImages:
    data = load_emoji(data_root, size=image_size)
    tc = config.training
    train_idx = training_indices(data, config.data_limit)
    return TrainingImages(
        data=data,
        train_idx=train_idx,
        weights=draw_weights(data, train_idx, tc.skin_tone_weight),
        val_idx=data.indices("val")[: tc.val_items],
    )


def noise_generator(seed: int, step: int, runtime: Runtime) -> torch.Generator:
    """Noise draws continue afresh after a resume and differ across ranks."""
    mixed = (seed * 1_000_003 + runtime.rank * 7919 + step) % 2**63
    return torch.Generator(device=runtime.device).manual_seed(mixed)


def loop_settings(family: str, config: CaptionedExperiment, run: Path) -> LoopSettings:
    """A run longer than a session carries its state in the repository (carried_run.py)."""
    tc = config.training
    return LoopSettings(
        run_dir=run,
        seed=config.seed,
        **schedule_settings(tc),
        log_every=10,
        betas=(0.9, tc.b2),
        grad_clip=tc.clip,
        checkpoint_seconds=tc.checkpoint_minutes * 60,
        resolved_config=resolve(config),
        carried_dir=carried_dir(family, config.name),
    )
