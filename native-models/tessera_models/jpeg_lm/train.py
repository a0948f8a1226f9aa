"""Trains the `jpeg-lm` decoder on captioned JPEG bodies of emoji-v1 train images.

Usage: python -m tessera_models.jpeg_lm.train --config cpu-1h [--data DIR] [--threads N]
Resumes from runs/jpeg-lm/<config>/model.pt when it exists; keeps the best held-out
checkpoint in model_best.pt for export.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, replace

import numpy as np
import torch
import torch.nn.functional as F

from tessera_models.common.training import (
    RunLog,
    Runtime,
    all_reduce_mean,
    cosine_lr,
    resume,
    save_checkpoint,
    setup_runtime,
    training_cli,
    training_progress,
    warm_start,
    wrap_ddp,
)
from tessera_models.jpeg_lm.config import ExperimentConfig, load_config
from tessera_models.jpeg_lm.llama import Llama, causal_mask
from tessera_models.jpeg_lm.paths import run_dir
from tessera_models.jpeg_lm.prepare import Prepared, length_stats, prepare
from tessera_models.jpeg_lm.sequences import (
    Example,
    MixWeights,
    collate,
    sample_sequence,
    text_to_image,
)
from tessera_models.jpeg_lm.vocab import PAD, Vocab


def build_examples(prep: Prepared) -> list[Example]:
    vocab = prep.vocab
    return [
        Example(r.caption, r.set, vocab.jpeg_ids(prep.bodies[r.index])) for r in prep.data.records
    ]


def sequence_loss(
    model: torch.nn.Module, ids: torch.Tensor, valid: torch.Tensor, runtime: Runtime
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean next-token loss and per-token losses [B, S-1] (0 where the target is padding)."""
    positions = torch.arange(ids.shape[1], device=ids.device).expand_as(ids)
    with runtime.autocast():
        logits, _ = model(ids, positions, causal_mask(valid))
    per_token = F.cross_entropy(
        logits[:, :-1].float().transpose(1, 2), ids[:, 1:], reduction="none", ignore_index=PAD
    )
    mask = valid[:, 1:].float()
    return (per_token * mask).sum() / mask.sum(), per_token * mask


@torch.no_grad()
def held_out(
    model: Llama, vocab: Vocab, examples: list[Example], runtime: Runtime
) -> dict[str, float]:
    """Teacher-forced text→image loss on held-out items: nats per JPEG token, bits per byte."""
    model.eval()
    nats = 0.0
    tokens = 0
    body_bytes = 0
    for i in range(0, len(examples), 32):
        chunk = [e for e in examples[i : i + 32] if len(e.body) + 20 <= model.config.context]
        if not chunk:
            continue
        seqs = [text_to_image(vocab.caption_ids(e.caption, e.style), e.body) for e in chunk]
        ids_np, valid_np = collate(seqs, model.config.context)
        ids = torch.from_numpy(ids_np).to(runtime.device)
        valid = torch.from_numpy(valid_np).to(runtime.device)
        _, per_token = sequence_loss(model, ids, valid, runtime)
        is_jpeg = (ids[:, 1:] >= vocab.jpeg_offset) & valid[:, 1:]
        nats += float(per_token[is_jpeg].sum())
        tokens += int(is_jpeg.sum())
        body_bytes += sum(len(vocab.jpeg_bytes(e.body)) for e in chunk)
    model.train()
    return {
        "val_jpeg_nats": nats / max(1, tokens),
        "val_bits_per_byte": nats / math.log(2) / max(1, body_bytes),
    }


def train(
    config: ExperimentConfig, data_root: str | None = None, threads: int | None = None
) -> dict[str, float]:
    runtime = setup_runtime(threads)
    tc = config.training
    out = run_dir(config.name)
    log = RunLog(out, runtime.is_main)
    prep = prepare(config, data_root)
    vocab = prep.vocab
    data = prep.data
    examples = build_examples(prep)
    mcfg = replace(config.model, vocab_size=vocab.size)
    # A caption of at most max_tokens words plus four structural tokens must fit beside the body.
    room = mcfg.context - vocab.words.max_tokens - 4
    train_idx = data.indices("train")
    if config.data_limit is not None:
        train_idx = train_idx[: config.data_limit]
    too_long = [i for i in train_idx if len(examples[i].body) > room]
    train_idx = np.array([i for i in train_idx if len(examples[i].body) <= room])
    weights = np.array(
        [tc.skin_tone_weight if "skin tone" in data.records[i].caption else 1.0 for i in train_idx]
    )
    weights /= weights.sum()
    val_examples = [examples[i] for i in data.indices("val")[:256]]
    mix = MixWeights(tc.p_image_to_text, tc.p_caption_dropout, tc.p_style_token)

    torch.manual_seed(config.seed)
    model = Llama(mcfg).to(runtime.device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": tc.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=tc.lr,
        betas=(0.9, 0.95),
    )
    ckpt_path = out / "model.pt"
    step, elapsed, state = resume(ckpt_path, model, opt, log)
    if state is None and config.warm_start is not None:
        warm_start(run_dir(config.warm_start) / "model.pt", model, opt, log)
    ddp_model = wrap_ddp(model, runtime)
    rng = np.random.default_rng([config.seed, runtime.rank, step])
    n_params = sum(p.numel() for p in model.parameters())
    if state is None:
        log.write(
            event="start",
            params=n_params,
            vocab=vocab.size,
            train_images=len(train_idx),
            dropped_too_long=len(too_long),
            lengths=length_stats([prep.bodies[i] for i in train_idx[:2000]], vocab.bpe),
        )
    tokens_seen = 0 if state is None else int(state.get("tokens_seen", 0))
    best_val = float("inf") if state is None else float(state.get("best_val", float("inf")))

    def checkpoint() -> None:
        if runtime.is_main:
            save_checkpoint(
                ckpt_path,
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "step": step,
                    "elapsed": elapsed,
                    "config": asdict(mcfg),
                    "tokens_seen": tokens_seen,
                    "best_val": best_val,
                },
            )

    def keep_if_best(metrics: dict[str, float]) -> float:
        value = metrics["val_jpeg_nats"]
        if runtime.is_main and value < best_val:
            save_checkpoint(
                out / "model_best.pt",
                {
                    "model": model.state_dict(),
                    "step": step,
                    "config": asdict(mcfg),
                    "metrics": metrics,
                },
            )
            return value
        return best_val

    metrics: dict[str, float] = {}
    t0 = time.time() - elapsed
    last_save = time.time()
    while True:
        progress = training_progress(step, tc.steps, time.time() - t0, tc.minutes)
        if progress >= 1.0:
            break
        for group in opt.param_groups:
            group["lr"] = cosine_lr(step, progress, tc.lr, tc.warmup)
        picks = rng.choice(train_idx, size=tc.batch_size, p=weights)
        seqs = [sample_sequence(vocab, examples[i], mix, rng) for i in picks]
        ids_np, valid_np = collate(seqs, mcfg.context)
        ids = torch.from_numpy(ids_np).to(runtime.device)
        valid = torch.from_numpy(valid_np).to(runtime.device)
        loss, _ = sequence_loss(ddp_model, ids, valid, runtime)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens_seen += int(valid_np.sum()) * runtime.world_size
        elapsed = time.time() - t0
        if step % 25 == 0:
            log.write(
                step=step,
                loss=float(all_reduce_mean(loss.detach(), runtime)),
                lr=opt.param_groups[0]["lr"],
                tok_per_s=tokens_seen / max(elapsed, 1e-6),
            )
        if step % tc.eval_every == 0:
            metrics = held_out(model, vocab, val_examples, runtime)
            log.write(step=step, **metrics)
            best_val = keep_if_best(metrics)
            checkpoint()
            last_save = time.time()
        elif time.time() - last_save > 300:
            checkpoint()  # a session can end at any time: never lose more than five minutes
            last_save = time.time()
    metrics = held_out(model, vocab, val_examples, runtime)
    best_val = keep_if_best(metrics)
    log.write(
        event="done",
        step=step,
        elapsed_min=elapsed / 60,
        tokens=tokens_seen,
        flops=float(6 * n_params * tokens_seen),
        **metrics,
    )
    checkpoint()
    return metrics


def main() -> None:
    training_cli(__doc__, train, load_config)


if __name__ == "__main__":
    main()
