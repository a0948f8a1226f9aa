"""Trains Transfusion on captioned emoji-v1 train images through the shared loop.

Usage: python -m tessera_models.transfusion.train --config cpu-60m-ddpm [--data DIR] [--threads N]
Runs through common/trainer.py: resumes from runs/transfusion/<config>/model.pt when it exists,
checkpoints every few minutes, keeps the best held-out loss in model_best.pt for export.
Several GPUs: torchrun --nproc_per_node N -m tessera_models.transfusion.train --config gpu
"""

from __future__ import annotations

from dataclasses import asdict, replace
from functools import partial
from typing import Any

import numpy as np
import torch

from tessera_models.common import captioned_training
from tessera_models.common.trainer import StepLoss, TrainingHooks, decay_groups, train_with
from tessera_models.common.training import Runtime, training_cli
from tessera_models.data.emoji import EmojiDataset
from tessera_models.text.caption_vocab import build_word_tokenizer
from tessera_models.transfusion.config import ExperimentConfig, load_config
from tessera_models.transfusion.loss import transfusion_loss
from tessera_models.transfusion.model import Transfusion
from tessera_models.transfusion.paths import run_dir
from tessera_models.transfusion.schedule import cosine_alphas_bar
from tessera_models.transfusion.sequences import Batch, captioned_batch, sample_batch
from tessera_models.transfusion.vocab import Vocab

# Held-out losses use one fixed draw of noise levels and noise, so evaluations compare.
VAL_NOISE_SEED = 1234


def build_vocab(data: EmojiDataset) -> Vocab:
    return Vocab(build_word_tokenizer(data, data.indices("train")))


def alphas_bar_tensor(config: ExperimentConfig, device: torch.device) -> torch.Tensor:
    d = config.diffusion
    return torch.from_numpy(cosine_alphas_bar(d.timesteps, d.cosine_offset)).float().to(device)


@torch.no_grad()
def held_out_losses(
    model: Transfusion,
    config: ExperimentConfig,
    vocab: Vocab,
    data: EmojiDataset,
    indices: np.ndarray,
    device: torch.device,
) -> dict[str, float]:
    """The diffusion loss of text-first rows (fixed noise draws over the whole schedule) and the
    caption's nats per token given the clean image (image-first rows at t = 0)."""
    gen = torch.Generator(device=device).manual_seed(VAL_NOISE_SEED)
    alphas = alphas_bar_tensor(config, device)
    n = model.config.patches
    diff, text = [], []
    for i in range(0, len(indices), 64):
        chunk = indices[i : i + 64]
        batch = captioned_batch(data, vocab, chunk, False, n).to(device)
        _, parts = transfusion_loss(model, batch, config.diffusion, 1.0, 1.0, alphas, generator=gen)
        diff.append(parts["diffusion_loss"] * len(chunk))
        first = captioned_batch(data, vocab, chunk, True, n).to(device)
        _, parts = transfusion_loss(model, first, config.diffusion, 0.0, 1.0, alphas, generator=gen)
        text.append(parts["lm_loss"] * len(chunk))
    count = max(1, len(indices))
    d, t = sum(diff) / count, sum(text) / count
    weight = config.training.diffusion_weight
    return {"val_diffusion_loss": d, "val_caption_nats": t, "val_loss": t + weight * d}


class TransfusionHooks(TrainingHooks):
    """Transfusion's part of the shared loop: both orders, caption dropout, noise levels drawn
    per row (capped for captioning rows), the LM and diffusion losses logged apart."""

    def __init__(self, config: ExperimentConfig, runtime: Runtime, data_root: str | None) -> None:
        self.config = config
        self.runtime = runtime
        images = captioned_training.training_images(config, data_root, config.model.image_size)
        self.data, self.train_idx, self.val_idx = images.data, images.train_idx, images.val_idx
        self.weights = images.weights
        self.vocab = build_vocab(self.data)
        self.model_cfg = replace(config.model, vocab_size=self.vocab.size)
        self.alphas = alphas_bar_tensor(config, runtime.device)
        self.generator: torch.Generator | None = None

    def build_model(self) -> torch.nn.Module:
        return Transfusion(self.model_cfg)

    def model_config(self) -> dict[str, Any]:
        return {"model": asdict(self.model_cfg), "diffusion": asdict(self.config.diffusion)}

    def begin(self, step: int, runtime: Runtime) -> None:
        self.generator = captioned_training.noise_generator(self.config.seed, step, runtime)

    def param_groups(self, model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
        # Embeddings and the patch grid are tables, not weights to shrink.
        return decay_groups(
            model,
            weight_decay,
            lambda name, p: p.dim() < 2 or name.endswith("grid_pos") or name.startswith("text_emb"),
        )

    def start_info(self) -> dict[str, Any]:
        return {
            "vocab": self.vocab.size,
            "train_images": len(self.train_idx),
            "objective": self.config.diffusion.objective,
        }

    def next_batch(self, rng: np.random.Generator, progress: float) -> Batch:
        tc = self.config.training
        picks = rng.choice(self.train_idx, size=tc.batch_size, p=self.weights)
        batch = sample_batch(self.data, self.vocab, picks, tc, self.model_cfg.patches, rng)
        return batch.to(self.runtime.device)

    def loss(self, model: torch.nn.Module, batch: Batch) -> StepLoss:
        tc = self.config.training
        loss, metrics = transfusion_loss(
            model,
            batch,
            self.config.diffusion,
            tc.image_first_max_t,
            tc.diffusion_weight,
            self.alphas,
            autocast=self.runtime.autocast(),
            generator=self.generator,
        )
        return StepLoss(loss, tokens=int(batch.valid.sum()), metrics=metrics)

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        assert isinstance(model, Transfusion)
        return held_out_losses(
            model, self.config, self.vocab, self.data, self.val_idx, self.runtime.device
        )

    def best_value(self, metrics: dict[str, float]) -> float:
        return metrics["val_loss"]


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    settings = captioned_training.loop_settings("transfusion", config, run_dir(config.name))
    return train_with(settings, partial(TransfusionHooks, config, data_root=data_root), threads)


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
