"""Trains Transfusion on captioned emoji-v1 train images through the shared loop.

Usage: python -m tessera_models.transfusion.train --config cpu-60m-ddpm [--data DIR] [--threads N]
Runs through common/trainer.py: resumes from runs/transfusion/<config>/model.pt when it exists,
checkpoints every few minutes, keeps the best held-out loss in model_best.pt for export.
Several GPUs: torchrun --nproc_per_node N -m tessera_models.transfusion.train --config gpu
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import numpy as np
import torch

from tessera_models.common.carried_run import carried_dir
from tessera_models.common.resolved_config import resolve
from tessera_models.common.trainer import (
    LoopSettings,
    StepLoss,
    TrainingHooks,
    decay_groups,
    run_training,
)
from tessera_models.common.training import Runtime, setup_runtime, training_cli
from tessera_models.data.emoji import EmojiDataset, load_emoji
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
        tc = config.training
        self.data = load_emoji(data_root, size=config.model.image_size)
        self.vocab = build_vocab(self.data)
        self.model_cfg = replace(config.model, vocab_size=self.vocab.size)
        train_idx = self.data.indices("train")
        if config.data_limit is not None:
            train_idx = train_idx[: config.data_limit]
        self.train_idx = train_idx
        weights = np.array(
            [
                tc.skin_tone_weight if "skin tone" in self.data.records[i].caption else 1.0
                for i in train_idx
            ]
        )
        self.weights = weights / weights.sum()
        self.val_idx = self.data.indices("val")[: tc.val_items]
        self.alphas = alphas_bar_tensor(config, runtime.device)
        self.generator: torch.Generator | None = None

    def build_model(self) -> torch.nn.Module:
        return Transfusion(self.model_cfg)

    def model_config(self) -> dict[str, Any]:
        return {"model": asdict(self.model_cfg), "diffusion": asdict(self.config.diffusion)}

    def begin(self, step: int, runtime: Runtime) -> None:
        # Noise draws continue afresh after a resume and differ across ranks.
        seed = (self.config.seed * 1_000_003 + runtime.rank * 7919 + step) % 2**63
        self.generator = torch.Generator(device=runtime.device).manual_seed(seed)

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


def loop_settings(config: ExperimentConfig) -> LoopSettings:
    tc = config.training
    return LoopSettings(
        run_dir=run_dir(config.name),
        seed=config.seed,
        steps=tc.steps,
        minutes=tc.minutes,
        lr=tc.lr,
        warmup=tc.warmup,
        weight_decay=tc.weight_decay,
        eval_every=tc.eval_every,
        log_every=10,
        betas=(0.9, tc.b2),
        grad_clip=tc.clip,
        checkpoint_seconds=tc.checkpoint_minutes * 60,
        resolved_config=resolve(config),
        carried_dir=carried_dir("transfusion", config.name),
    )


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    runtime = setup_runtime(threads)
    hooks = TransfusionHooks(config, runtime, data_root)
    return run_training(loop_settings(config), hooks, runtime)


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
