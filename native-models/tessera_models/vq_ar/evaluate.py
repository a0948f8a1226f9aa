"""Evaluates an exported `vq-ar` model with the shared evaluator (docs/evaluation.md).

Usage: python -m tessera_models.vq_ar.evaluate --model exports/vq-ar-emoji32-cpu-11h [--limit N]

Every number is measured on the exported ONNX graphs through the reference loop (the same
graphs, PRNG and logits pipeline as the app), with manifest defaults and seed = item index, one
sample per test item (its caption and set as the prompt). Results go into the manifest's
`metrics` and a dated table under native-models/eval/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import resource
import statistics
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common.sampling import SamplingSettings
from tessera_models.common.settings_json import manifest_defaults
from tessera_models.data.emoji import EmojiDataset, load_emoji
from tessera_models.eval.frechet import bootstrap_interval, frechet_distance
from tessera_models.eval.metrics import (
    ClassifierRunner,
    caption_exact_match,
    pick_distractors,
    psnr,
    rank_accuracy,
)
from tessera_models.eval.report import report_evaluation
from tessera_models.eval.task_metrics import adherence_vs_classifier, top1_top5
from tessera_models.vq_ar.reference_loop import VqArRunner


def _by_length(
    runner: VqArRunner, prompts: list[list[int]], docs: list[list[int]] | None = None
) -> dict[int, list[int]]:
    """Item indices grouped by row length (retrieved document + prompt), for batching."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(prompts):
        groups[runner.row_length(p, docs[i] if docs is not None else [])].append(i)
    return groups


def generate_codes_for(
    runner: VqArRunner,
    prompts: list[list[int]],
    settings: SamplingSettings,
    batch: int = 32,
    image_index: int = 0,
    docs: list[list[int]] | None = None,
) -> np.ndarray:
    """One sample per prompt, seed = prompt index, batched by equal row length: i64 [N,G,G]."""
    codes = np.zeros((len(prompts), runner.grid, runner.grid), np.int64)
    for _, idx in sorted(_by_length(runner, prompts, docs).items()):
        for k in range(0, len(idx), batch):
            chunk = idx[k : k + batch]
            codes[chunk] = runner.generate_codes(
                [prompts[i] for i in chunk],
                chunk,
                [image_index] * len(chunk),
                settings,
                docs=None if docs is None else [docs[i] for i in chunk],
            )
    return codes


def generate_for(
    runner: VqArRunner, prompts: list[list[int]], *args: Any, **kwargs: Any
) -> np.ndarray:
    """Pixels u8 [N,H,W,3] of generate_codes_for (same arguments)."""
    return runner.decode(generate_codes_for(runner, prompts, *args, **kwargs))


def self_scores(runner: VqArRunner, images: np.ndarray, texts: list[list[int]]) -> np.ndarray:
    """Per-token log p(text, <eos> | image), as the app's best-of-N ranks its candidates: the
    shown pixels are encoded again, and the text carries no style token."""
    codes = runner.encode(images)
    return np.array(
        [runner.caption_logprobs(codes[i], [t])[0] / (len(t) + 1) for i, t in enumerate(texts)]
    )


def generate_best_of_codes(
    runner: VqArRunner,
    prompts: list[list[int]],
    score_texts: list[list[int]],
    settings: SamplingSettings,
    n: int,
    docs: list[list[int]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The app's best-of-N: candidates at image indices 0..n-1 (seed = prompt index), each
    prompt keeping the one the model itself scores highest. Codes i64 [N,G,G] of the kept
    candidates, and of the first ones (what best-of-1 gives)."""
    first = generate_codes_for(runner, prompts, settings, docs=docs)
    best = first.copy()
    if n == 1:
        return best, first
    best_scores = self_scores(runner, runner.decode(best), score_texts)
    for j in range(1, n):
        codes = generate_codes_for(runner, prompts, settings, image_index=j, docs=docs)
        scores = self_scores(runner, runner.decode(codes), score_texts)
        better = scores > best_scores  # ties keep the earlier candidate, as the app does
        best[better] = codes[better]
        best_scores = np.where(better, scores, best_scores)
    return best, first


def bits_per_image_token(
    runner: VqArRunner,
    prompts: list[list[int]],
    codes: np.ndarray,
    docs: list[list[int]] | None = None,
) -> float:
    total = 0.0
    for _, idx in _by_length(runner, prompts, docs).items():
        for k in range(0, len(idx), 64):
            chunk = idx[k : k + 64]
            chunk_docs = None if docs is None else [docs[i] for i in chunk]
            nats = runner.image_nats([prompts[i] for i in chunk], codes[chunk], chunk_docs)
            total += float(nats.sum())
    return total / (len(prompts) * runner.grid**2) / math.log(2)


def retrieval_report(
    runner: VqArRunner,
    data: EmojiDataset,
    test: np.ndarray,
    retrieved: list[int | None],
    prompts: list[list[int]],
    sample_codes: np.ndarray,
    settings: SamplingSettings,
    classifier: ClassifierRunner,
    real_feats: np.ndarray,
) -> dict[str, Any]:
    """What retrieval contributes, against two baselines: the same model given no document,
    and the retrieved documents themselves shown as the answer (a nearest-neighbour lookup,
    which the model must beat to be more than a copier). Also how often a sample copies its
    document (at least 75% of its codes equal)."""
    assert runner.memory is not None
    targets = classifier.targets([data.records[i].concept for i in test])

    def measure(images: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
        feats, logits = classifier.run(images)
        return adherence(logits, targets), feats

    shown = runner.document_images(retrieved)
    bare = generate_for(runner, prompts, settings)
    bare_top, bare_feats = measure(bare)
    doc_top, _ = measure(shown)
    with_doc = [n for n, d in enumerate(retrieved) if d is not None]
    copies = [
        float((sample_codes[n].reshape(-1) == runner.memory.codes[retrieved[n]]).mean() >= 0.75)
        for n in with_doc
    ]
    return {
        "memoryDocuments": len(runner.memory.captions),
        "promptsWithDocument": len(with_doc) / len(test),
        "documentSameCaption": float(
            np.mean(
                [
                    runner.memory.captions[retrieved[n]] == data.records[test[n]].caption
                    for n in with_doc
                ]
            )
        )
        if with_doc
        else 0.0,
        "noRetrieval_cfg3": bare_top,
        "fdNoRetrieval_cfg3": frechet_distance(bare_feats, real_feats),
        "documentsAsAnswer": doc_top,
        "copyRate_cfg3": float(np.mean(copies)) if copies else 0.0,
    }


def caption_metrics(
    runner: VqArRunner, data: EmojiDataset, idx: np.ndarray, codes: np.ndarray, pool: list[str]
) -> dict[str, float]:
    exact = 0
    scores = np.zeros((len(idx), 100))
    for n, i in enumerate(idx):
        r = data.records[i]
        if caption_exact_match(runner.caption(codes[n]), r.caption, r.aliases):
            exact += 1
        candidates = [r.caption, *pick_distractors(pool, r.caption, 99, seed=0, exclude=r.aliases)]
        scores[n] = runner.caption_logprobs(
            codes[n], [runner.prompt_ids(c, None) for c in candidates]
        )
    return {
        "captionExact": exact / len(idx),
        "captionRank100": rank_accuracy(scores, np.zeros(len(idx), np.int64)),
    }


def adherence(logits: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """Classifier top-1/top-5 on samples, over the items whose concept it knows."""
    return top1_top5(logits, targets, targets >= 0)


def speed(runner: VqArRunner, settings: SamplingSettings) -> dict[str, float]:
    prompt = [runner.prompt_ids("grinning face", None)]
    times = []
    for i in range(23):
        t = time.perf_counter()
        runner.generate_codes(prompt, [i], [0], settings)
        times.append(time.perf_counter() - t)
    median = statistics.median(times[3:])
    return {
        "secondsPerImage": median,
        "imagesPerSecond": 1 / median,
        "stepsPerSecond": runner.grid**2 / median,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def evaluate(model_dir: Path, limit: int | None, threads: int) -> dict[str, Any]:
    started = time.time()
    runner = VqArRunner(model_dir, threads=threads)
    classifier = ClassifierRunner(threads=threads)
    data = load_emoji(size=runner.manifest["image"]["width"])
    base, best_of = manifest_defaults(runner.manifest["sampling"]["defaults"])
    test = data.indices("test")[:limit]
    unseen = data.indices("test-unseen")[:limit]
    train = data.indices("train")
    real = data.images[test]
    real_feats, real_logits = classifier.run(real)
    m: dict[str, Any] = {
        "evaluator": json.loads((classifier.eval_dir / "classifier.card.json").read_text())[
            "evaluator_version"
        ]
    }
    m["split"] = {"test": len(test), "testUnseen": len(unseen)}

    # Tokenizer: reconstruction PSNR and the FD ceiling of reconstructions.
    codes = runner.encode(real)
    recon = runner.decode(codes)
    m["tokenizerPsnrDb"] = psnr(recon, real)
    codes_unseen = runner.encode(data.images[unseen])
    m["tokenizerPsnrDbUnseen"] = psnr(runner.decode(codes_unseen), data.images[unseen])

    prompts = [runner.prompt_ids(data.records[i].caption, data.records[i].set) for i in test]
    unseen_prompts = [
        runner.prompt_ids(data.records[i].caption, data.records[i].set) for i in unseen
    ]
    # With a retrieval memory, every prompt is given its document, as in the studio.
    retrieved = [runner.retrieve(data.records[i].caption) for i in test]
    docs = [runner.document_ids(d) for d in retrieved] if runner.memory is not None else None
    unseen_docs = (
        [runner.document_ids(runner.retrieve(data.records[i].caption)) for i in unseen]
        if runner.memory is not None
        else None
    )
    m["bitsPerImageToken"] = bits_per_image_token(runner, prompts, codes, docs)
    m["bitsPerImageTokenUnseen"] = bits_per_image_token(
        runner, unseen_prompts, codes_unseen, unseen_docs
    )

    pool = sorted({data.records[i].caption for i in train})
    m["caption"] = caption_metrics(runner, data, test, codes, pool)
    m["captionUnseen"] = caption_metrics(runner, data, unseen, codes_unseen, pool)

    targets = classifier.targets([data.records[i].concept for i in test])
    known = targets >= 0
    m["classifierOnReal"] = top1_top5(real_logits, targets, known)
    rng = np.random.default_rng(0)
    floor_idx = rng.choice(train, size=len(test), replace=False)
    floor_feats = classifier.features(data.images[floor_idx])
    recon_feats = classifier.features(recon)
    m["fd"] = {
        "floorTrainVsTest": frechet_distance(floor_feats, real_feats),
        "ceilingReconstructionVsTest": frechet_distance(recon_feats, real_feats),
    }
    # Samples as the studio makes them by default: the best of the manifest's bestOf
    # candidates. With more than one, the first candidates (best-of-1) are measured too, so
    # the table shows what the ranking adds.
    m["bestOf"] = best_of
    texts = [runner.prompt_ids(data.records[i].caption, None) for i in test]
    sampled: dict[float, np.ndarray] = {}
    for scale in (1.0, 3.0):
        settings = replace(base, cfg_scale=scale)
        sampled[scale], first = generate_best_of_codes(
            runner, prompts, texts, settings, best_of, docs
        )
        feats, logits = classifier.run(runner.decode(sampled[scale]))
        key = f"cfg{scale:g}"
        low, high = bootstrap_interval(feats, real_feats, resamples=200, seed=0)
        m["fd"][key] = {"value": frechet_distance(feats, real_feats), "interval95": [low, high]}
        m[f"adherence_{key}"] = adherence(logits, targets)
        if best_of > 1:
            first_feats, first_logits = classifier.run(runner.decode(first))
            m[f"firstCandidate_{key}"] = {
                **adherence(first_logits, targets),
                "fd": frechet_distance(first_feats, real_feats),
            }
    m["adherenceTop5VsClassifier_cfg3"] = adherence_vs_classifier(
        m["adherence_cfg3"], m["classifierOnReal"]
    )
    if runner.memory is not None:
        m["retrieval"] = retrieval_report(
            runner,
            data,
            test,
            retrieved,
            prompts,
            sampled[3.0],
            replace(base, cfg_scale=3.0),
            classifier,
            real_feats,
        )
    m["speed"] = speed(runner, base)
    m["speed"]["threads"] = threads
    m["evaluationMinutes"] = (time.time() - started) / 60
    m["date"] = dt.date.today().isoformat()
    return m


def best_of_rows(m: dict[str, Any]) -> list[str]:
    n = m.get("bestOf", 1)
    if n == 1:
        return []
    ceiling = m["classifierOnReal"]["top5"]
    rows = [f"| samples: best of {n} candidates, ranked by the model's own p(prompt \\| image) | |"]
    for key, label in (("cfg1", "CFG 1"), ("cfg3", "CFG 3")):
        f = m[f"firstCandidate_{key}"]
        rows.append(
            f"| first candidate only (best of 1), {label}: adherence top-1 / top-5 (÷ classifier), FD | {f['top1']:.3f} / {f['top5']:.3f} ({f['top5'] / ceiling:.2f}), {f['fd']:.2f} |"
        )
    return rows


def retrieval_rows(m: dict[str, Any]) -> list[str]:
    r = m.get("retrieval")
    if r is None:
        return []
    return [
        f"| retrieval: prompts given a document / document has the prompt's caption | {r['promptsWithDocument']:.3f} / {r['documentSameCaption']:.3f} |",
        f"| prompt adherence top-1 / top-5, CFG 3, no retrieval | {r['noRetrieval_cfg3']['top1']:.3f} / {r['noRetrieval_cfg3']['top5']:.3f} |",
        f"| FD-emoji CFG 3, no retrieval | {r['fdNoRetrieval_cfg3']:.2f} |",
        f"| retrieved documents shown as the answer, top-1 / top-5 | {r['documentsAsAnswer']['top1']:.3f} / {r['documentsAsAnswer']['top5']:.3f} |",
        f"| CFG 3 samples copying their document (≥ 75% of codes) | {r['copyRate_cfg3']:.3f} |",
    ]


def results_table(model_id: str, m: dict[str, Any]) -> str:
    fd = m["fd"]
    rows = [
        f"# {m['date']} — {model_id}",
        "",
        f"Evaluator `{m['evaluator']}`; test split {m['split']['test']} items (seen concept, unseen set), test-unseen {m['split']['testUnseen']}.",
        "All numbers measured on the exported ONNX graphs through the reference loop, manifest defaults, seed = item index.",
        "",
        "| metric | value |",
        "|---|---:|",
        f"| tokenizer PSNR (test / unseen) | {m['tokenizerPsnrDb']:.2f} dB / {m['tokenizerPsnrDbUnseen']:.2f} dB |",
        f"| bits per image token (test / unseen) | {m['bitsPerImageToken']:.3f} / {m['bitsPerImageTokenUnseen']:.3f} |",
        f"| caption exact match (test / unseen) | {m['caption']['captionExact']:.3f} / {m['captionUnseen']['captionExact']:.3f} |",
        f"| caption rank-100 (test / unseen) | {m['caption']['captionRank100']:.3f} / {m['captionUnseen']['captionRank100']:.3f} |",
        f"| FD-emoji CFG 1 (bias-corrected 95% interval) | {fd['cfg1']['value']:.2f} ({fd['cfg1']['interval95'][0]:.2f}–{fd['cfg1']['interval95'][1]:.2f}) |",
        f"| FD-emoji CFG 3 (bias-corrected 95% interval) | {fd['cfg3']['value']:.2f} ({fd['cfg3']['interval95'][0]:.2f}–{fd['cfg3']['interval95'][1]:.2f}) |",
        f"| FD floor: train subset vs test | {fd['floorTrainVsTest']:.2f} |",
        f"| FD ceiling: tokenizer reconstructions vs test | {fd['ceilingReconstructionVsTest']:.2f} |",
        f"| prompt adherence top-1 / top-5, CFG 1 | {m['adherence_cfg1']['top1']:.3f} / {m['adherence_cfg1']['top5']:.3f} |",
        f"| prompt adherence top-1 / top-5, CFG 3 | {m['adherence_cfg3']['top1']:.3f} / {m['adherence_cfg3']['top5']:.3f} |",
        f"| classifier on real test images top-1 / top-5 | {m['classifierOnReal']['top1']:.3f} / {m['classifierOnReal']['top5']:.3f} |",
        f"| adherence top-5 (CFG 3) ÷ classifier top-5 | {m['adherenceTop5VsClassifier_cfg3']:.2f} (goal ≥ 0.5) |",
        *best_of_rows(m),
        *retrieval_rows(m),
        f"| speed, batch 1 + CFG, {m['speed']['threads']} threads | {m['speed']['secondsPerImage'] * 1000:.0f} ms/image, {m['speed']['stepsPerSecond']:.0f} steps/s, peak RSS {m['speed']['peakRssMiB']:.0f} MiB |",
        "",
    ]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="exported model folder (with manifest.json)")
    parser.add_argument(
        "--limit", type=int, default=None, help="evaluate only the first N items per split"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--no-write", action="store_true", help="print, but leave manifest and results alone"
    )
    args = parser.parse_args()
    model_dir = Path(args.model)
    metrics = evaluate(model_dir, args.limit, args.threads)
    report_evaluation(model_dir, metrics, results_table, write=not args.no_write)


if __name__ == "__main__":
    main()
