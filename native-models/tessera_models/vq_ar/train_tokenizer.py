"""Trains the FSQ image tokenizer on emoji-v1 train images (L1 + L2 reconstruction).

Usage: python -m tessera_models.vq_ar.train_tokenizer --config cpu-round1 [--data DIR]
Resumes from runs/vq-ar/<config>/tokenizer.pt when it exists.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from functools import partial
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from tessera_models.common.resolved_config import resolve
from tessera_models.common.trainer import (
    LoopSettings,
    StepLoss,
    TrainingHooks,
    schedule_settings,
    train_with,
)
from tessera_models.common.training import Runtime, training_cli
from tessera_models.data.emoji import load_emoji, to_unit_range
from tessera_models.vq_ar.config import ExperimentConfig, load_config
from tessera_models.vq_ar.image_tokenizer import ImageTokenizer
from tessera_models.vq_ar.paths import run_dir


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR in dB of images in [-1, 1] (peak-to-peak 2), averaged over the batch."""
    mse = ((a.float() - b.float()) ** 2).flatten(1).mean(1).clamp_min(1e-10)
    return float((10 * torch.log10(4.0 / mse)).mean())


@torch.no_grad()
def evaluate(model: ImageTokenizer, images: torch.Tensor, codebook: int) -> dict[str, float]:
    model.eval()
    recs, codes = [], []
    for i in range(0, len(images), 256):
        rec, c = model(images[i : i + 256])
        recs.append(rec.clamp(-1, 1))
        codes.append(c.flatten())
    model.train()
    all_codes = torch.cat(codes)
    counts = torch.bincount(all_codes, minlength=codebook).float()
    p = counts / counts.sum()
    entropy = float(-(p[p > 0] * p[p > 0].log()).sum())
    return {
        "val_psnr": psnr(torch.cat(recs), images),
        "codes_used": int((counts > 0).sum()),
        "perplexity": math.exp(entropy),
    }


class TokenizerHooks(TrainingHooks):
    """The FSQ tokenizer's part of the shared loop: flipped train images, L1 + L2 loss."""

    def __init__(self, config: ExperimentConfig, runtime: Runtime, data_root: str | None) -> None:
        self.config = config
        self.runtime = runtime
        data = load_emoji(data_root, size=config.image_size)
        train_idx = data.indices("train")
        if config.data_limit is not None:
            train_idx = train_idx[: config.data_limit]
        self.train_images = torch.from_numpy(to_unit_range(data.images[train_idx]))
        val_idx = data.indices("val")[:512]
        self.val_images = torch.from_numpy(to_unit_range(data.images[val_idx])).to(runtime.device)
        self.gen = torch.Generator()

    def build_model(self) -> torch.nn.Module:
        return ImageTokenizer(self.config.tokenizer)

    def model_config(self) -> dict[str, Any]:
        return asdict(self.config.tokenizer)

    def param_groups(self, model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
        return [{"params": list(model.parameters()), "weight_decay": weight_decay}]

    def begin(self, step: int, runtime: Runtime) -> None:
        # Batches are drawn with torch: a resumed run and each rank draw their own.
        self.gen.manual_seed(self.config.seed * 1000 + runtime.rank + step)

    def start_info(self) -> dict[str, Any]:
        return {"train_images": len(self.train_images), "threads": torch.get_num_threads()}

    def next_batch(self, rng: np.random.Generator, progress: float) -> torch.Tensor:
        size = self.config.tokenizer_training.batch_size
        pick = torch.randint(len(self.train_images), (size,), generator=self.gen)
        x = self.train_images[pick]
        flip = torch.rand(size, generator=self.gen) < 0.5
        return torch.where(flip[:, None, None, None], x.flip(-1), x).to(self.runtime.device)

    def loss(self, model: torch.nn.Module, batch: torch.Tensor) -> StepLoss:
        with self.runtime.autocast():
            rec, _ = model(batch)
        rec = rec.float()
        return StepLoss(F.l1_loss(rec, batch) + F.mse_loss(rec, batch))

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        assert isinstance(model, ImageTokenizer)
        return evaluate(model, self.val_images, self.config.tokenizer.codebook_size)


def loop_settings(config: ExperimentConfig) -> LoopSettings:
    tc = config.tokenizer_training
    out = run_dir(config.name)
    return LoopSettings(
        run_dir=out,
        log_dir=out / "tokenizer",
        checkpoint_name="tokenizer.pt",
        best_name=None,  # the codes every later stage sees come from the last weights
        seed=config.seed,
        **schedule_settings(tc),
        log_every=50,
        betas=(0.9, 0.99),
        resolved_config=resolve(config),
    )


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    if config.warm_start is not None:
        raise ValueError(
            f"config {config.name} continues {config.warm_start} and uses its tokenizer: "
            "run only train_transformer for it"
        )
    hooks = partial(TokenizerHooks, config, data_root=data_root)
    return train_with(loop_settings(config), hooks, threads)


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
