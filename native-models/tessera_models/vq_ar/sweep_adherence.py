"""Sweeps sampling settings for prompt adherence on the val split (never test), so defaults
are chosen on data the reported numbers do not come from.

Usage: python -m tessera_models.vq_ar.sweep_adherence --model exports/vq-ar-emoji32-cpu-11h \
         [--limit 300] [--grid 3:0.9:1,3:0.9:4,5:0.7:1:0.9,cdk:1:1,...]

A grid item is cfg:top-p:best-of, optionally followed by :temperature and :top-k (the
manifest's defaults otherwise); "cdk" in place of the CFG scale samples with CM3Leon's CD-K at
the manifest's alpha, k and tau (top-p does not apply to it).

Prints, per setting, classifier top-1/top-5 on the samples, top-5 ÷ the classifier's own
top-5 on the same real val images (the adherence ratio of docs/evaluation.md §Prompt adherence), and
the Fréchet distance of the samples to those images in the classifier's feature space. A model with
a retrieval memory is given each prompt's document, as the studio does, unless --no-retrieval.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from pathlib import Path

from tessera_models.common.sampling import SamplingSettings
from tessera_models.common.settings_json import manifest_defaults
from tessera_models.data.emoji import load_emoji
from tessera_models.eval.frechet import frechet_distance
from tessera_models.eval.metrics import ClassifierRunner, topk_accuracy
from tessera_models.vq_ar.evaluate import generate_best_of_codes
from tessera_models.vq_ar.reference_loop import VqArRunner


@dataclass(frozen=True)
class GridPoint:
    settings: SamplingSettings
    best_of: int

    def row(self) -> str:
        s = self.settings
        guidance = "CD-K" if s.cdk else f"{s.cfg_scale:g}"
        top_k = s.top_k or "off"
        return f"| {guidance} | {s.top_p:g} | {s.temperature:g} | {top_k} | {self.best_of} |"


def parse_grid(text: str, base: SamplingSettings) -> list[GridPoint]:
    out = []
    for item in text.split(","):
        fields = item.split(":")
        if not 3 <= len(fields) <= 5:
            raise SystemExit(
                f"grid item {item!r}: expected cfg:top-p:best-of[:temperature[:top-k]]"
            )
        cdk = fields[0] == "cdk"
        settings = replace(
            base,
            cdk=cdk,
            cfg_scale=base.cfg_scale if cdk else float(fields[0]),
            top_p=float(fields[1]),
            temperature=float(fields[3]) if len(fields) > 3 else base.temperature,
            top_k=int(fields[4]) if len(fields) > 4 else base.top_k,
        )
        out.append(GridPoint(settings, int(fields[2])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--grid", default="3:0.9:1,3:0.9:4,3:0.7:4,3:0.9:8")
    parser.add_argument("--no-retrieval", action="store_true")
    args = parser.parse_args()
    runner = VqArRunner(Path(args.model), threads=args.threads)
    classifier = ClassifierRunner(threads=args.threads)
    data = load_emoji(size=runner.manifest["image"]["width"])
    base, _ = manifest_defaults(runner.manifest["sampling"]["defaults"])
    grid = parse_grid(args.grid, base)
    val = data.indices("val")[: args.limit]
    prompts = [runner.prompt_ids(data.records[i].caption, data.records[i].set) for i in val]
    texts = [runner.prompt_ids(data.records[i].caption, None) for i in val]
    docs = (
        None
        if args.no_retrieval or runner.memory is None
        else [runner.document_ids(runner.retrieve(data.records[i].caption)) for i in val]
    )
    targets = classifier.targets([data.records[i].concept for i in val])
    known = targets >= 0
    real_feats, real_logits = classifier.run(data.images[val])
    ceiling = topk_accuracy(real_logits[known], targets[known], 5)
    print(
        f"val items {len(val)}, classifier top-5 on real {ceiling:.3f}, retrieval {docs is not None}"
    )
    print(
        "| CFG | top-p | temperature | top-k | best of | top-1 | top-5 | ÷ classifier | FD | minutes |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for point in grid:
        started = time.time()
        best, _ = generate_best_of_codes(
            runner, prompts, texts, point.settings, point.best_of, docs
        )
        samples = runner.decode(best)
        feats, logits = classifier.run(samples)
        # Realism and diversity beside adherence: a narrower nucleus can buy one with the other.
        fd = frechet_distance(feats, real_feats)
        top1 = topk_accuracy(logits[known], targets[known], 1)
        top5 = topk_accuracy(logits[known], targets[known], 5)
        minutes = (time.time() - started) / 60
        print(
            f"{point.row()} {top1:.3f} | {top5:.3f} | {top5 / ceiling:.2f} | {fd:.2f} | {minutes:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
