"""Trains the evaluator's emoji classifier on the train split and exports it to ONNX.

Usage: python -m tessera_models.eval.train_classifier [--data DIR] [--out DIR] [--minutes M]
       [--steps N] [--limit N] [--threads T]

Classes are the distinct train-split concepts: the emoji name without its skin tone. Skin-tone
variants differ by a few pixels of one colour at 32 px, and as separate classes they split each
concept's few examples five ways; merging them left the evaluator about 4,900 classes with more
examples each (a caption-level version reached only 11.7% test top-5). val/test hold concepts
rendered in a set (style) where they were not trained, so their accuracy measures what the
evaluator is for: recognising an emoji regardless of who drew it. test-unseen concepts are not
classes, so no accuracy exists for it by construction.

Writes to --out (default native-models/eval): classifier.onnx, classifier.labels.json,
classifier.card.json. The PyTorch checkpoint goes to --run-dir (default runs/eval/classifier),
which is git-ignored.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from tessera_models.common.training import RunLog, save_checkpoint
from tessera_models.data.emoji import NATIVE_MODELS, EmojiDataset, load_emoji, to_unit_range
from tessera_models.eval.classifier import (
    EVALUATOR_VERSION,
    FEATURE_DIM,
    ClassifierConfig,
    ClassifierGraph,
    EmojiClassifier,
    count_params,
)
from tessera_models.eval.metrics import ClassifierRunner, topk_accuracy

DEFAULT_OUT = NATIVE_MODELS / "eval"
ONNX_OPSET = 17
ONNX_SIZE_LIMIT = 8 * 1024 * 1024
# Time kept back from --minutes for the final evaluation, export and parity check, so the
# whole run (not just the training loop) fits the budget.
RESERVE_S = 25.0
AUGMENTATION = "affine: scale 0.9-1.1, rotation +-8 deg, translation +-2 px, white fill"


def default_run_dir() -> Path:
    return Path(os.environ.get("TESSERA_RUNS_DIR", NATIVE_MODELS / "runs")) / "eval" / "classifier"


def learning_rate(step: int, progress: float, peak: float, warmup: int) -> float:
    """Linear warmup, then cosine to 2% of peak over `progress` in [0, 1].

    `progress` is the larger of the step and wall-clock fractions, so a run ended by --minutes
    has still annealed. Kept local rather than shared so the evaluator's recipe cannot change
    when another family's training plumbing does.
    """
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, max(0.0, progress))
    return peak * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def class_list(data: EmojiDataset) -> list[str]:
    return sorted({r.concept for r in data.records if r.split == "train"})


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Small affine jitter only. No colour jitter (colour words such as "blue heart" are part of
    the label) and no flips (arrows and hands have a direction)."""
    b = x.shape[0]
    scale = torch.empty(b).uniform_(0.9, 1.1, generator=gen)
    angle = torch.empty(b).uniform_(-8.0, 8.0, generator=gen) * (math.pi / 180.0)
    shift = torch.empty(b, 2).uniform_(-2.0, 2.0, generator=gen) * (2.0 / x.shape[-1])
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # grid_sample fills with 0; shifting by -1 first makes that fill the white background (+1).
    return F.grid_sample(x - 1.0, grid, mode="bilinear", align_corners=False) + 1.0


@torch.no_grad()
def predict(model: EmojiClassifier, images_u8: np.ndarray, batch: int = 256) -> np.ndarray:
    model.eval()
    out = [
        model(torch.from_numpy(to_unit_range(images_u8[i : i + batch])))[1].numpy()
        for i in range(0, len(images_u8), batch)
    ]
    model.train()
    return np.concatenate(out) if out else np.zeros((0, model.config.num_classes), np.float32)


def split_accuracy(
    model: EmojiClassifier, data: EmojiDataset, split: str, column: dict[str, int]
) -> dict[str, Any]:
    idx = data.indices(split)
    targets = np.array([column.get(data.records[i].concept, -1) for i in idx], dtype=np.int64)
    known = targets >= 0
    logits = predict(model, data.images[idx[known]])
    return {
        "top1": round(topk_accuracy(logits, targets[known], 1), 4),
        "top5": round(topk_accuracy(logits, targets[known], 5), 4),
        "n": int(known.sum()),
        # Always 0 for val/test by construction of the splits; reported so a rebuilt dataset
        # that breaks that promise shows up here instead of silently shrinking n.
        "n_not_a_class": int((~known).sum()),
    }


def export_onnx(model: EmojiClassifier, example: torch.Tensor, path: Path) -> None:
    graph = ClassifierGraph(model).eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # dynamo=False is deliberate (the TorchScript exporter gives a plain static graph with
        # a dynamic batch axis); its deprecation notice is noise here.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            graph,
            (example,),
            str(path),
            input_names=["image"],
            output_names=["features", "logits"],
            dynamic_axes={"image": {0: "batch"}, "features": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=ONNX_OPSET,
            dynamo=False,
        )
    size = path.stat().st_size
    if size > ONNX_SIZE_LIMIT:
        raise RuntimeError(f"{path} is {size} bytes; the evaluator must stay under 8 MB")


def onnx_parity(
    model: EmojiClassifier, out_dir: Path, images_u8: np.ndarray, threads: int
) -> dict[str, float]:
    """Max abs difference between onnxruntime and PyTorch on real images, both outputs."""
    runner = ClassifierRunner(out_dir, threads=threads)
    onnx_feats, onnx_logits = runner.run(images_u8)
    model.eval()
    with torch.no_grad():
        feats, logits = model(torch.from_numpy(to_unit_range(images_u8)))
    return {
        "features": float(np.abs(onnx_feats - feats.numpy()).max()),
        "logits": float(np.abs(onnx_logits - logits.numpy()).max()),
        "batch": len(images_u8),
    }


def dataset_fingerprint(root: Path) -> dict[str, Any]:
    card = root / "datacard.json"
    info: dict[str, Any] = {"name": "emoji-v1"}
    if card.exists():
        meta = json.loads(card.read_text(encoding="utf-8"))
        info["split_options"] = meta.get("splitOptions")
        files = meta.get("files") or {}
        info["sha256"] = {
            name: f.get("sha256") for name, f in files.items() if name != "images-64.npy"
        }
    return info


def train(args: argparse.Namespace) -> dict[str, Any]:
    started = time.time()
    torch.set_num_threads(args.threads)
    out_dir = Path(args.out)
    run_dir = Path(args.run_dir)
    log = RunLog(run_dir, enabled=True)

    data = load_emoji(args.data, size=32)
    labels = class_list(data)
    column = {c: i for i, c in enumerate(labels)}
    train_idx = data.indices("train")
    if args.limit is not None:
        # Spread over all sets rather than taking the first sets in file order.
        rng = np.random.default_rng(args.seed)
        train_idx = np.sort(
            rng.choice(train_idx, size=min(args.limit, len(train_idx)), replace=False)
        )
    train_u8 = torch.from_numpy(np.ascontiguousarray(data.images[train_idx]))
    train_y = torch.tensor([column[data.records[i].concept] for i in train_idx], dtype=torch.long)

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    config = ClassifierConfig(num_classes=len(labels), head=args.head)
    model = EmojiClassifier(config)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": args.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=args.lr,
        betas=(0.9, 0.99),
    )
    params = count_params(model)
    log.write(
        event="start",
        params=params,
        classes=len(labels),
        train_images=len(train_idx),
        threads=torch.get_num_threads(),
    )

    budget_s = None if args.minutes is None else max(0.0, args.minutes * 60 - RESERVE_S)
    warmup = min(100, max(1, args.steps // 20))
    step = 0
    train_start = time.time()
    loss_sum, loss_n = 0.0, 0
    while step < args.steps:
        spent = time.time() - started
        if budget_s is not None and spent > budget_s:
            log.write(event="budget", step=step)
            break
        progress = step / args.steps
        if budget_s is not None and budget_s > 0:
            progress = max(progress, spent / budget_s)
        lr = learning_rate(step, progress, args.lr, warmup)
        for group in opt.param_groups:
            group["lr"] = lr
        pick = torch.randint(len(train_u8), (args.batch_size,), generator=gen)
        x = train_u8[pick].permute(0, 3, 1, 2).float() / 127.5 - 1.0
        x = augment(x, gen)
        _, logits = model(x)
        loss = F.cross_entropy(logits, train_y[pick], label_smoothing=args.label_smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        loss_sum += loss.item()
        loss_n += 1
        if step % 100 == 0:
            log.write(step=step, loss=loss_sum / loss_n, lr=lr)
            loss_sum, loss_n = 0.0, 0
        if args.eval_every and step % args.eval_every == 0:
            log.write(
                step=step,
                **{f"val_{k}": v for k, v in split_accuracy(model, data, "val", column).items()},
            )
    train_s = time.time() - train_start
    model.eval()

    save_checkpoint(
        run_dir / "classifier.pt",
        {"model": model.state_dict(), "config": config.to_json(), "labels": labels, "step": step},
    )
    accuracy = {
        "val": split_accuracy(model, data, "val", column),
        "test": split_accuracy(model, data, "test", column),
        "test-unseen": "n/a by construction: its concepts are not classifier classes",
    }

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "classifier.labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    parity_images = data.images[data.indices("val")[:200]]
    export_onnx(
        model, torch.from_numpy(to_unit_range(parity_images[:8])), out_dir / "classifier.onnx"
    )
    parity = onnx_parity(model, out_dir, parity_images, args.threads)

    card = {
        "evaluator_version": EVALUATOR_VERSION,
        "model": "EmojiClassifier: residual CNN, 4 stages, 128-d penultimate features",
        "config": config.to_json(),
        "params": params,
        "feature_dim": FEATURE_DIM,
        "classes": len(labels),
        "class_definition": "sorted distinct concepts (caption without skin tone) of the train split",
        "input": "image f32 [B,3,32,32] RGB in [-1,1] (to_unit_range of uint8 [B,32,32,3])",
        "outputs": {"features": "f32 [B,128]", "logits": f"f32 [B,{len(labels)}]"},
        "dataset": dataset_fingerprint(data.root),
        "training": {
            "steps": step,
            "max_steps": args.steps,
            "minutes_budget": args.minutes,
            "batch_size": args.batch_size,
            "train_images": len(train_idx),
            "epochs": round(step * args.batch_size / max(1, len(train_idx)), 2),
            "optimizer": f"AdamW lr {args.lr} wd {args.weight_decay}, cosine, warmup {warmup}",
            "label_smoothing": args.label_smoothing,
            "augmentation": AUGMENTATION,
            "seed": args.seed,
            "threads": args.threads,
            "train_wall_clock_s": round(train_s, 1),
        },
        "accuracy": accuracy,
        "onnx": {
            "file": "classifier.onnx",
            "bytes": (out_dir / "classifier.onnx").stat().st_size,
            "opset": ONNX_OPSET,
            "max_abs_diff_vs_pytorch": parity,
        },
        "wall_clock_s": round(time.time() - started, 1),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out_dir / "classifier.card.json").write_text(
        json.dumps(card, indent=2) + "\n", encoding="utf-8"
    )
    log.write(event="done", step=step, val=accuracy["val"], test=accuracy["test"], parity=parity)
    return card


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=None, help="emoji-v1 folder (default: the build cache)")
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help="where the ONNX, labels and card go"
    )
    parser.add_argument(
        "--run-dir", default=str(default_run_dir()), help="checkpoint and log.jsonl"
    )
    parser.add_argument(
        "--minutes", type=float, default=None, help="wall-clock cap for the whole run"
    )
    parser.add_argument("--steps", type=int, default=20000, help="maximum optimiser steps")
    parser.add_argument(
        "--limit", type=int, default=None, help="train on a random subset of N images"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--eval-every", type=int, default=500, help="log val accuracy; 0 = never")
    parser.add_argument("--head", choices=("cosine", "linear"), default="cosine")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    return train(parse_args(argv))


if __name__ == "__main__":
    main()
