"""Evaluates an exported `transfusion` model with the shared evaluator (docs/evaluation.md).

Usage: python -m tessera_models.transfusion.evaluate --model exports/transfusion-emoji32-cpu-60m-ddpm
         [--limit 120] [--threads 2] [--steps 4,8,16,32] [--no-write]

All numbers come from the exported ONNX graphs through the reference loop, seed = item index,
the manifest's sampler and guidance: prompt adherence top-1/top-5 and its ratio to the
classifier's own accuracy on real test images, FD-emoji with its bootstrap interval, both at
each step count of the sweep (so a user can pick speed or quality); greedy caption exact match
and rank among 100 candidates; infill PSNR inside a centre 16×16 hole at the default step count;
images per second at the default step count (batch 1 + guidance) and the process's peak memory.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.data.emoji import EmojiDataset, load_emoji
from tessera_models.eval.frechet import bootstrap_interval, frechet_distance
from tessera_models.eval.metrics import ClassifierRunner, psnr
from tessera_models.eval.report import report_evaluation
from tessera_models.eval.task_metrics import (
    adherence_vs_classifier,
    caption_metrics,
    closing_stats,
    top1_top5,
)
from tessera_models.transfusion.golden import centre_mask
from tessera_models.transfusion.reference_loop import DiffusionSettings, TransfusionRunner

STEP_SWEEP = (4, 8, 16, 32)
HOLE = 16


def defaults_of(manifest: dict[str, Any]) -> DiffusionSettings:
    d = manifest["diffusion"]["defaults"]
    return DiffusionSettings(int(d["steps"]), float(d["cfgScale"]), str(d["sampler"]))


def generation_metrics(
    runner: TransfusionRunner,
    classifier: ClassifierRunner,
    data: EmojiDataset,
    test: np.ndarray,
    settings: DiffusionSettings,
    real: tuple[np.ndarray, np.ndarray],
) -> dict[str, Any]:
    """Adherence and FD of one sample per test item, and the seconds each image took."""
    t0 = time.perf_counter()
    samples = np.stack(
        [
            runner.generate(data.records[i].caption, data.records[i].set, int(i), settings).image
            for i in test
        ]
    )
    seconds = (time.perf_counter() - t0) / max(1, len(test))
    real_feats, _ = real
    targets = classifier.targets([data.records[i].concept for i in test])
    known = targets >= 0
    feats, logits = classifier.run(samples)
    low, high = bootstrap_interval(feats, real_feats, resamples=200, seed=0)
    return {
        "steps": settings.steps,
        "fd": {"value": frechet_distance(feats, real_feats), "interval95": [low, high]},
        "adherence": top1_top5(logits, targets, known),
        "secondsPerImage": seconds,
    }


def evaluate(
    model_dir: Path,
    limit: int,
    threads: int,
    caption_items: int = 60,
    step_sweep: tuple[int, ...] = STEP_SWEEP,
) -> dict[str, Any]:
    started = time.time()
    runner = TransfusionRunner(model_dir, threads=threads)
    classifier = ClassifierRunner(threads=threads)
    data = load_emoji(size=runner.size)
    base = defaults_of(runner.manifest)
    test = data.indices("test")[:limit]
    real = classifier.run(data.images[test])
    targets = classifier.targets([data.records[i].concept for i in test])
    known = targets >= 0
    m: dict[str, Any] = {"split": {"test": len(test)}, "settings": base.__dict__}
    m["classifierOnReal"] = top1_top5(real[1], targets, known)
    sweep = {}
    for steps in sorted({*step_sweep, base.steps}):
        sweep[steps] = generation_metrics(
            runner, classifier, data, test, replace(base, steps=steps), real
        )
    default = sweep[base.steps]
    m["fd"], m["adherence"] = default["fd"], default["adherence"]
    m["adherenceTop5VsClassifier"] = adherence_vs_classifier(m["adherence"], m["classifierOnReal"])
    m["imagesPerSecond"] = 1.0 / max(1e-9, default["secondsPerImage"])
    m["steps"] = [sweep[s] for s in sorted(sweep)]

    keep = centre_mask(runner.size, HOLE)
    lo = (runner.size - HOLE) // 2
    hole = slice(lo, lo + HOLE)
    outs, sources = [], []
    for i in test:
        r = data.records[i]
        out = runner.generate(r.caption, r.set, int(i), base, known=(data.images[i], keep))
        outs.append(out.image[hole, hole])
        sources.append(data.images[i][hole, hole])
    m["infill"] = {"hole": HOLE, "psnrInHole": psnr(np.stack(outs), np.stack(sources))}

    m["caption"] = caption_metrics(runner, data, test[: min(len(test), caption_items)])
    return m | closing_stats(started)


def results_table(model_id: str, m: dict[str, Any]) -> str:
    fd = m["fd"]
    s = m["settings"]
    lines = [
        f"# {m['date']} — {model_id}",
        "",
        f"Test split, first {m['split']['test']} items; sampler {s['sampler']}, "
        f"{s['steps']} steps, guidance {s['cfg_scale']}; seed = item index.",
        "",
        "| metric | value |",
        "|---|---:|",
        f"| FD-emoji, text to image (95% interval) | {fd['value']:.2f} ({fd['interval95'][0]:.2f}–{fd['interval95'][1]:.2f}) |",
        f"| prompt adherence top-1 / top-5 | {m['adherence']['top1']:.3f} / {m['adherence']['top5']:.3f} |",
        f"| adherence top-5 ÷ classifier top-5 | {m['adherenceTop5VsClassifier']:.2f} |",
        f"| caption exact / rank-100 ({m['caption']['items']} items) | {m['caption']['captionExact']:.3f} / {m['caption']['captionRank100']:.3f} |",
        f"| infill PSNR inside the centre {m['infill']['hole']}×{m['infill']['hole']} hole | {m['infill']['psnrInHole']:.2f} dB |",
        f"| images per second (reference loop, batch 1 + guidance) | {m['imagesPerSecond']:.2f} |",
        f"| peak memory of the evaluation process | {m['peakRssMiB']:.0f} MiB |",
        "",
        "| steps | adherence top-1 / top-5 | FD (95% interval) | seconds per image |",
        "|---:|---:|---:|---:|",
    ]
    for row in m["steps"]:
        f = row["fd"]
        lines.append(
            f"| {row['steps']} | {row['adherence']['top1']:.3f} / {row['adherence']['top5']:.3f} "
            f"| {f['value']:.2f} ({f['interval95'][0]:.2f}–{f['interval95'][1]:.2f}) "
            f"| {row['secondsPerImage']:.2f} |"
        )
    return "\n".join([*lines, ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", default=",".join(str(s) for s in STEP_SWEEP))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    model_dir = Path(args.model)
    sweep = tuple(int(s) for s in args.steps.split(","))
    metrics = evaluate(model_dir, args.limit, args.threads, step_sweep=sweep)
    report_evaluation(model_dir, metrics, results_table, write=not args.no_write)


if __name__ == "__main__":
    main()
