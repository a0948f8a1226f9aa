"""Parallel decoding's quality against the plain loop, through the shared evaluator.

The evaluator's own loop is the Python reference, which decodes one token per run; parallel
decoding lives in the app's engine. So the app makes the samples (bench/parallel-quality.ts)
and this scores them: adherence top-1/top-5 and the Fréchet distance to the real test images,
each with a 95% bootstrap interval, for plain and parallel samples of the same test prompts.

Usage (from native-models/):
  python -m tessera_models.eval.parallel_quality prompts --limit 200 --out PROMPTS.json
  node --import tsx ../bench/parallel-quality.ts --prompts PROMPTS.json --out CODES.json
  python -m tessera_models.eval.parallel_quality score --codes CODES.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from tessera_models.data.emoji import NATIVE_MODELS, load_emoji
from tessera_models.eval.frechet import bootstrap_interval, frechet_distance
from tessera_models.eval.metrics import ClassifierRunner
from tessera_models.vq_ar.reference_loop import VqArRunner

DEFAULT_MODEL = NATIVE_MODELS / "exports" / "vq-ar-emoji32-cpu-11h"


def write_prompts(limit: int, out: Path) -> None:
    data = load_emoji(size=32)
    test = data.indices("test")[:limit]
    items = [
        {"index": int(i), "caption": data.records[i].caption, "set": data.records[i].set}
        for i in test
    ]
    out.write_text(json.dumps(items), encoding="utf-8")


def topk_hits(logits: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    top = np.argsort(-logits, axis=1)[:, :k]
    return (top == targets[:, None]).any(axis=1)


def mean_interval(hits: np.ndarray, resamples: int = 2000, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    means = [hits[rng.integers(0, len(hits), len(hits))].mean() for _ in range(resamples)]
    return [float(x) for x in np.percentile(means, [2.5, 97.5])]


def score(codes_path: Path, model_dir: Path, threads: int) -> dict[str, object]:
    record = json.loads(codes_path.read_text(encoding="utf-8"))
    runner = VqArRunner(model_dir, threads=threads)
    classifier = ClassifierRunner(threads=threads)
    data = load_emoji(size=32)
    index = np.array([item["index"] for item in record["items"]], dtype=np.int64)
    real_feats, _ = classifier.run(data.images[index])
    targets = classifier.targets([data.records[i].concept for i in index])
    known = targets >= 0
    out: dict[str, object] = {"items": len(index), "known": int(known.sum())}
    feats_by_mode = {}
    grid = runner.grid
    for mode in ("plain", "parallel"):
        codes = np.array(record[mode], dtype=np.int64).reshape(-1, grid, grid)
        feats, logits = classifier.run(runner.decode(codes))
        feats_by_mode[mode] = feats
        result: dict[str, object] = {}
        for k in (1, 5):
            hits = topk_hits(logits[known], targets[known], k)
            result[f"top{k}"] = float(hits.mean())
            result[f"top{k}Interval95"] = mean_interval(hits)
        low, high = bootstrap_interval(feats, real_feats, resamples=200, seed=0)
        result["fdVsTest"] = frechet_distance(feats, real_feats)
        result["fdInterval95"] = [low, high]
        out[mode] = result
    out["fdParallelVsPlain"] = frechet_distance(feats_by_mode["parallel"], feats_by_mode["plain"])
    out["decoding"] = record["decoding"]
    out["runsPerImage"] = record["runsPerImage"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prompts")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score")
    s.add_argument("--codes", type=Path, required=True)
    s.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    s.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.command == "prompts":
        write_prompts(args.limit, args.out)
    else:
        print(json.dumps(score(args.codes, args.model, args.threads), indent=2))


if __name__ == "__main__":
    main()
