"""Evaluates an exported `jetformer` model with the shared evaluator (docs/evaluation.md).

Usage: python -m tessera_models.jetformer.evaluate --model exports/jetformer-emoji32-cpu-240m
         [--limit 120] [--threads 2] [--no-write]

All numbers come from the exported ONNX graphs through the reference loop, seed = item index,
manifest defaults: exact bits per sub-pixel on test and on unseen concepts (caption given, each
level at its bin centre), prompt adherence top-1/top-5 and its ratio to the classifier's own
accuracy on real test images, FD-emoji with its bootstrap interval, greedy caption exact match
and rank among 100 candidates, seconds per image and the process's peak memory.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.data.emoji import load_emoji
from tessera_models.eval.frechet import bootstrap_interval, frechet_distance
from tessera_models.eval.metrics import ClassifierRunner
from tessera_models.eval.report import report_evaluation
from tessera_models.eval.task_metrics import (
    adherence_vs_classifier,
    caption_metrics,
    closing_stats,
    top1_top5,
)
from tessera_models.jetformer.reference_loop import GmmSettings, JetFormerRunner


def defaults_of(manifest: dict[str, Any]) -> GmmSettings:
    d = manifest["gmm"]["defaults"]
    return GmmSettings(d["cfgScale"], d["temperatureProbs"], d["temperatureScales"])


def evaluate(model_dir: Path, limit: int, threads: int, caption_items: int = 60) -> dict[str, Any]:
    started = time.time()
    runner = JetFormerRunner(model_dir, threads=threads)
    classifier = ClassifierRunner(threads=threads)
    data = load_emoji(size=runner.manifest["image"]["width"])
    base = defaults_of(runner.manifest)
    test = data.indices("test")[:limit]
    unseen = data.indices("test-unseen")[:limit]
    m: dict[str, Any] = {
        "split": {"test": len(test), "testUnseen": len(unseen)},
        "settings": base.__dict__,
    }

    def bits(indices: np.ndarray) -> float | None:
        if not len(indices):
            return None
        values = [
            runner.bits_per_dim(data.images[i], data.records[i].caption, data.records[i].set)
            for i in indices
        ]
        return float(np.mean(values))

    m["bitsPerDim"] = {"test": bits(test), "testUnseen": bits(unseen)}

    real_feats, real_logits = classifier.run(data.images[test])
    targets = classifier.targets([data.records[i].concept for i in test])
    known = targets >= 0
    t0 = time.perf_counter()
    samples = np.stack(
        [
            runner.generate(data.records[i].caption, data.records[i].set, int(i), base).image
            for i in test
        ]
    )
    m["secondsPerImage"] = (time.perf_counter() - t0) / max(1, len(test))
    feats, logits = classifier.run(samples)
    low, high = bootstrap_interval(feats, real_feats, resamples=200, seed=0)
    m["fd"] = {"value": frechet_distance(feats, real_feats), "interval95": [low, high]}
    m["adherence"] = top1_top5(logits, targets, known)
    m["classifierOnReal"] = top1_top5(real_logits, targets, known)
    m["adherenceTop5VsClassifier"] = adherence_vs_classifier(m["adherence"], m["classifierOnReal"])
    m["caption"] = caption_metrics(runner, data, test[: min(len(test), caption_items)])
    return m | closing_stats(started)


def results_table(model_id: str, m: dict[str, Any]) -> str:
    fd = m["fd"]
    b = m["bitsPerDim"]

    def num(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    return "\n".join(
        [
            f"# {m['date']} — {model_id}",
            "",
            f"Test split, first {m['split']['test']} items (unseen concepts: "
            f"{m['split']['testUnseen']}); manifest defaults; seed = item index.",
            "",
            "| metric | value |",
            "|---|---:|",
            f"| exact bits per sub-pixel, test (caption given) | {num(b['test'])} |",
            f"| exact bits per sub-pixel, unseen concepts | {num(b['testUnseen'])} |",
            f"| FD-emoji, text to image (95% interval) | {fd['value']:.2f} ({fd['interval95'][0]:.2f}–{fd['interval95'][1]:.2f}) |",
            f"| prompt adherence top-1 / top-5 | {m['adherence']['top1']:.3f} / {m['adherence']['top5']:.3f} |",
            f"| adherence top-5 ÷ classifier top-5 | {m['adherenceTop5VsClassifier']:.2f} |",
            f"| caption exact / rank-100 ({m['caption']['items']} items) | {m['caption']['captionExact']:.3f} / {m['caption']['captionRank100']:.3f} |",
            f"| seconds per image (reference loop, batch 1 + CFG) | {m['secondsPerImage']:.2f} |",
            f"| peak memory of the evaluation process | {m['peakRssMiB']:.0f} MiB |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    model_dir = Path(args.model)
    metrics = evaluate(model_dir, args.limit, args.threads)
    report_evaluation(model_dir, metrics, results_table, write=not args.no_write)


if __name__ == "__main__":
    main()
