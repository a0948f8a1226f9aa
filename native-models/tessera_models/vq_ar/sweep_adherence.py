"""Sweeps sampling settings for prompt adherence on the val split (never test), so defaults
are chosen on data the reported numbers do not come from.

Usage: python -m tessera_models.vq_ar.sweep_adherence --model exports/vq-ar-emoji32-cpu-7h \
         [--limit 300] [--grid 3:0.9:1,3:0.9:4,...]   (cfg:top-p:best-of)

Prints, per setting, classifier top-1/top-5 on the samples and top-5 ÷ the classifier's own
top-5 on the same real val images (the adherence ratio of MODELS.md §5.5). A model with a
retrieval memory is given each prompt's document, as the studio does, unless --no-retrieval.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from tessera_models.common.sampling import SamplingSettings
from tessera_models.data.emoji import load_emoji
from tessera_models.eval.metrics import ClassifierRunner, topk_accuracy
from tessera_models.vq_ar.evaluate import generate_best_of
from tessera_models.vq_ar.reference_loop import VqArRunner


def parse_grid(text: str) -> list[tuple[float, float, int]]:
    out = []
    for item in text.split(","):
        cfg, top_p, best_of = item.split(":")
        out.append((float(cfg), float(top_p), int(best_of)))
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
    d = runner.manifest["sampling"]["defaults"]
    base = SamplingSettings(
        cfg_scale=d["cfgScale"], temperature=d["temperature"], top_k=d["topK"], top_p=d["topP"]
    )
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
    _, real_logits = classifier.run(data.images[val])
    ceiling = topk_accuracy(real_logits[known], targets[known], 5)
    print(
        f"val items {len(val)}, classifier top-5 on real {ceiling:.3f}, retrieval {docs is not None}"
    )
    print("| CFG | top-p | best of | top-1 | top-5 | ÷ classifier | minutes |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for cfg, top_p, best_of in parse_grid(args.grid):
        started = time.time()
        settings = replace(base, cfg_scale=cfg, top_p=top_p)
        samples = generate_best_of(runner, prompts, texts, settings, best_of, docs)
        _, logits = classifier.run(samples)
        top1 = topk_accuracy(logits[known], targets[known], 1)
        top5 = topk_accuracy(logits[known], targets[known], 5)
        minutes = (time.time() - started) / 60
        print(
            f"| {cfg:g} | {top_p:g} | {best_of} | {top1:.3f} | {top5:.3f} | {top5 / ceiling:.2f} | {minutes:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
