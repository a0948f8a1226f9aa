"""Trains the FSQ image tokenizer on emoji-v1 train images (L1 + L2 reconstruction).

Usage: python -m tessera_models.vq_ar.train_tokenizer --config cpu-1h [--data DIR]
Resumes from runs/vq-ar/<config>/tokenizer.pt when it exists.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict

import torch
import torch.nn.functional as F

from tessera_models.common.training import (
    RunLog,
    all_reduce_mean,
    cosine_lr,
    resume,
    save_checkpoint,
    setup_runtime,
    training_cli,
    training_progress,
    wrap_ddp,
)
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


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    if config.warm_start is not None:
        raise ValueError(
            f"config {config.name} continues {config.warm_start} and uses its tokenizer: "
            "run only train_transformer for it"
        )
    runtime = setup_runtime(threads)
    tc = config.tokenizer_training
    out = run_dir(config.name)
    log = RunLog(out / "tokenizer", runtime.is_main)
    data = load_emoji(data_root, size=config.image_size)
    train_idx = data.indices("train")
    if config.data_limit is not None:
        train_idx = train_idx[: config.data_limit]
    train_images = torch.from_numpy(to_unit_range(data.images[train_idx]))
    val_idx = data.indices("val")[:512]
    val_images = torch.from_numpy(to_unit_range(data.images[val_idx])).to(runtime.device)

    torch.manual_seed(config.seed)
    model = ImageTokenizer(config.tokenizer).to(runtime.device)
    opt = torch.optim.AdamW(
        model.parameters(), lr=tc.lr, betas=(0.9, 0.99), weight_decay=tc.weight_decay
    )
    ckpt_path = out / "tokenizer.pt"
    step, elapsed, _ = resume(ckpt_path, model, opt, log)
    ddp_model = wrap_ddp(model, runtime)
    gen = torch.Generator().manual_seed(config.seed * 1000 + runtime.rank + step)
    params = sum(p.numel() for p in model.parameters())
    log.write(
        event="start",
        params=params,
        train_images=len(train_idx),
        **{"threads": torch.get_num_threads()},
    )

    def checkpoint() -> None:
        if runtime.is_main:
            save_checkpoint(
                ckpt_path,
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "step": step,
                    "elapsed": elapsed,
                    "config": asdict(config.tokenizer),
                },
            )

    metrics: dict[str, float] = {}
    t0 = time.time() - elapsed
    while True:
        progress = training_progress(step, tc.steps, time.time() - t0, tc.minutes)
        if progress >= 1.0:
            break
        for group in opt.param_groups:
            group["lr"] = cosine_lr(step, progress, tc.lr, tc.warmup)
        pick = torch.randint(len(train_images), (tc.batch_size,), generator=gen)
        x = train_images[pick]
        flip = torch.rand(tc.batch_size, generator=gen) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(-1), x).to(runtime.device)
        with runtime.autocast():
            rec, _ = ddp_model(x)
        rec = rec.float()
        loss = F.l1_loss(rec, x) + F.mse_loss(rec, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        elapsed = time.time() - t0
        if step % 50 == 0:
            log.write(
                step=step,
                loss=float(all_reduce_mean(loss.detach(), runtime)),
                lr=opt.param_groups[0]["lr"],
            )
        if step % tc.eval_every == 0:
            metrics = evaluate(model, val_images, config.tokenizer.codebook_size)
            log.write(step=step, **metrics)
            checkpoint()
    metrics = evaluate(model, val_images, config.tokenizer.codebook_size)
    log.write(event="done", step=step, elapsed_min=elapsed / 60, **metrics)
    checkpoint()
    return metrics


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
