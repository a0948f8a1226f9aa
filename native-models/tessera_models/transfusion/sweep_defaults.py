"""Chooses the sampling defaults on the val split (never test): step count, guidance and sampler.

Usage: python -m tessera_models.transfusion.sweep_defaults --model exports/transfusion-emoji32-cpu-60m-ddpm
         [--limit 200] [--steps 4,8,16,32] [--cfg 1,2,3,5] [--samplers euler,heun] [--write]

Every grid point samples one image per val item (seed = item index) through the reference loop
and is scored by prompt adherence top-5 (with a 95% bootstrap interval over items) and FD-emoji.
The rule (choose): the best top-5 over the grid names the guidance and sampler; the default step
count is then the fewest steps, at that guidance and sampler, whose top-5 is inside the best's
interval, so a user waits no longer than the measurement can justify. --write stores the choice
in the manifest and regenerates the goldens, which depend on the defaults.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tessera_models.data.emoji import load_emoji
from tessera_models.eval.frechet import bootstrap_interval, frechet_distance
from tessera_models.eval.metrics import ClassifierRunner
from tessera_models.transfusion.golden import write_goldens
from tessera_models.transfusion.reference_loop import DiffusionSettings, TransfusionRunner

RESAMPLES = 1000


@dataclass
class GridResult:
    settings: DiffusionSettings
    hits: np.ndarray  # bool [items]: the prompt's concept in the classifier's top 5
    fd: float
    fd_high: float = float("inf")  # the upper end of the FD's 95% bootstrap interval

    @property
    def top5(self) -> float:
        return float(self.hits.mean())


def bootstrap_low(hits: np.ndarray, seed: int = 0) -> float:
    """The 2.5th percentile of the mean of `hits` over item resamples."""
    rng = np.random.default_rng(seed)
    means = rng.choice(hits.astype(np.float64), size=(RESAMPLES, len(hits))).mean(axis=1)
    return float(np.percentile(means, 2.5))


def choose(results: list[GridResult]) -> DiffusionSettings:
    """The best point's guidance and sampler, with the fewest steps inside its interval.
    Ties prefer fewer steps, then milder guidance.

    Where even the best point's adherence is not measurably above zero (its interval reaches
    0), adherence cannot tell the points apart and would hand users the fewest steps by
    default; FD then chooses the same way: the lowest FD's guidance and sampler, with the
    fewest steps whose FD is inside its interval."""
    best = max(results, key=lambda r: (r.top5, -r.settings.steps, -r.settings.cfg_scale))
    low = bootstrap_low(best.hits)
    if low <= 0.0:
        best = min(results, key=lambda r: (r.fd, r.settings.steps, r.settings.cfg_scale))
        same = [r for r in results if _same_choice(r, best) and r.fd <= best.fd_high]
    else:
        same = [r for r in results if _same_choice(r, best) and r.top5 >= low]
    return min(same, key=lambda r: r.settings.steps).settings


def _same_choice(r: GridResult, best: GridResult) -> bool:
    return (
        r.settings.cfg_scale == best.settings.cfg_scale
        and r.settings.sampler == best.settings.sampler
    )


def sweep(
    runner: TransfusionRunner,
    classifier: ClassifierRunner,
    limit: int,
    grid: list[DiffusionSettings],
) -> list[GridResult]:
    data = load_emoji(size=runner.size)
    val = data.indices("val")[:limit]
    targets = classifier.targets([data.records[i].concept for i in val])
    known = targets >= 0
    real_feats, _ = classifier.run(data.images[val])
    results = []
    for settings in grid:
        images = np.stack(
            [
                runner.generate(
                    data.records[i].caption, data.records[i].set, int(i), settings
                ).image
                for i in val
            ]
        )
        feats, logits = classifier.run(images)
        top = np.argsort(-logits[known], axis=1, kind="stable")[:, :5]
        hits = (top == targets[known][:, None]).any(axis=1)
        _, fd_high = bootstrap_interval(feats, real_feats, resamples=200, seed=0)
        results.append(GridResult(settings, hits, frechet_distance(feats, real_feats), fd_high))
        print(
            f"| {settings.sampler} | {settings.steps} | {settings.cfg_scale:g} "
            f"| {results[-1].top5:.3f} | {results[-1].fd:.2f} (≤ {fd_high:.2f}) |",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", default="4,8,16,32")
    parser.add_argument("--cfg", default="1,2,3,5")
    parser.add_argument("--samplers", default=None, help="default: every sampler of the model")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    model_dir = Path(args.model)
    runner = TransfusionRunner(model_dir, threads=args.threads)
    samplers = (args.samplers or ",".join(runner.manifest["diffusion"]["samplers"])).split(",")
    grid = [
        DiffusionSettings(int(s), float(c), sampler)
        for sampler in samplers
        for s in args.steps.split(",")
        for c in args.cfg.split(",")
    ]
    print("| sampler | steps | guidance | top-5 | FD (95% upper) |\n|---|---:|---:|---:|---:|")
    chosen = choose(sweep(runner, ClassifierRunner(threads=args.threads), args.limit, grid))
    print(f"chosen: {chosen}")
    if args.write:
        write_defaults(model_dir, chosen)


def write_defaults(model_dir: Path, chosen: DiffusionSettings) -> None:
    """Stores the chosen defaults in the manifest and regenerates the goldens that use them."""
    path = model_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["diffusion"]["defaults"] = {
        "steps": chosen.steps,
        "sampler": chosen.sampler,
        "cfgScale": chosen.cfg_scale,
    }
    manifest["sampling"]["defaults"]["cfgScale"] = chosen.cfg_scale
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    data = load_emoji(size=int(manifest["image"]["width"]))
    manifest["parity"]["golden"] = write_goldens(model_dir, data, chosen)
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
