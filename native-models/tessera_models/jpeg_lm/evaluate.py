"""Evaluates an exported `jpeg-lm` model with the shared evaluator (docs/evaluation.md) and the
paper's partial-image completion protocol, side by side with `vq-ar` on the same items.

Usage: python -m tessera_models.jpeg_lm.evaluate --model exports/jpeg-lm-emoji64-cpu-2h
         [--vq-ar exports/vq-ar-emoji32-cpu-1h] [--limit 120]

All numbers come from the exported ONNX graphs through the reference loops, seed = item index.
The evaluator's classifier reads 32×32 images, so 64×64 outputs are box-downsampled 2×2 first
and compared against the dataset's own 32×32 renders of the same items.

Completion (arXiv 2408.08459 §4): keep the top r of the image (r = 0.25 / 0.5 / 0.75: MCU rows
for jpeg-lm, code rows for vq-ar), sample the rest, Fréchet distance of completions vs the
originals. Both models get the item's caption as the prompt and their manifest defaults.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common.sampling import SamplingSettings
from tessera_models.data.emoji import EmojiDataset, load_emoji
from tessera_models.eval.frechet import bootstrap_interval, frechet_distance
from tessera_models.eval.metrics import ClassifierRunner, psnr
from tessera_models.eval.report import report_evaluation
from tessera_models.eval.task_metrics import adherence_vs_classifier, caption_metrics, top1_top5
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.reference_loop import JpegLmRunner
from tessera_models.vq_ar.reference_loop import VqArRunner

RATIOS = (0.25, 0.5, 0.75)


def to_32(images: np.ndarray) -> np.ndarray:
    """u8 [N, S, S, 3] -> u8 [N, 32, 32, 3] by box averaging (S a multiple of 32)."""
    n, s = images.shape[0], images.shape[1]
    f = s // 32
    x = images.reshape(n, 32, f, 32, f, 3).astype(np.float64).mean(axis=(2, 4))
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def defaults_of(manifest: dict[str, Any]) -> SamplingSettings:
    d = manifest["sampling"]["defaults"]
    return SamplingSettings(
        cfg_scale=d["cfgScale"], temperature=d["temperature"], top_k=d["topK"], top_p=d["topP"]
    )


def fd_with_interval(feats: np.ndarray, real: np.ndarray) -> dict[str, Any]:
    low, high = bootstrap_interval(feats, real, resamples=200, seed=0)
    return {"value": frechet_distance(feats, real), "interval95": [low, high]}


def completion_jpeg(
    runner: JpegLmRunner, data: EmojiDataset, idx: np.ndarray, s: SamplingSettings
) -> dict[float, np.ndarray]:
    rows = runner.mcus // runner.mcus_per_row
    out: dict[float, np.ndarray] = {}
    for r in RATIOS:
        keep = round(r * rows)
        out[r] = np.stack(
            [
                runner.complete(
                    data.images[i], keep, data.records[i].caption, None, int(i), s
                ).image
                for i in idx
            ]
        )
    return out


def completion_vq(
    runner: VqArRunner, data32: EmojiDataset, idx: np.ndarray, s: SamplingSettings
) -> dict[float, np.ndarray]:
    out: dict[float, np.ndarray] = {}
    codes = runner.encode(data32.images[idx])
    g = runner.grid
    for r in RATIOS:
        keep = round(r * g) * g
        done = []
        for n, i in enumerate(idx):
            prompt = runner.prompt_ids(data32.records[i].caption, None)
            prefix = codes[n].reshape(1, -1)[:, :keep]
            c = runner.generate_codes([prompt], [int(i)], [0], s, prefix=prefix)
            done.append(c[0])
        out[r] = runner.decode(np.stack(done))
    return out


def evaluate(model_dir: Path, vq_dir: Path | None, limit: int, threads: int) -> dict[str, Any]:
    started = time.time()
    runner = JpegLmRunner(model_dir, threads=threads)
    classifier = ClassifierRunner(threads=threads)
    size = runner.manifest["image"]["width"]
    data = load_emoji(size=size)
    data32 = load_emoji(size=32)
    base = defaults_of(runner.manifest)
    test = data.indices("test")[:limit]
    real32 = data32.images[test]
    real_feats, real_logits = classifier.run(real32)
    targets = classifier.targets([data.records[i].concept for i in test])
    known = targets >= 0
    m: dict[str, Any] = {"split": {"test": len(test)}, "settings": base.__dict__}

    # The codec ceiling: what the model's JPEG quality at 4:2:0 alone does to the pictures
    # (docs/evaluation.md §Fréchet distance).
    roundtrip = np.stack(
        [
            jpeg_bytes.decode(
                runner.header, runner.tables, jpeg_bytes.encode(data.images[i], runner.quality)[1]
            )
            for i in test
        ]
    )
    m["codecQuality"] = runner.quality
    m["codecPsnrDb"] = psnr(roundtrip, data.images[test])
    m["fdCeilingCodecVsTest"] = frechet_distance(classifier.features(to_32(roundtrip)), real_feats)

    bpb = [
        runner.bits_per_byte(
            data.images[i], runner.prompt_ids(data.records[i].caption, data.records[i].set)
        )
        for i in test
    ]
    m["bitsPerJpegByte"] = float(np.mean(bpb))

    # Text to image at the manifest defaults.
    t0 = time.perf_counter()
    samples = np.stack(
        [
            runner.generate(data.records[i].caption, data.records[i].set, int(i), base).image
            for i in test
        ]
    )
    m["secondsPerImage"] = (time.perf_counter() - t0) / len(test)
    feats, logits = classifier.run(to_32(samples))
    m["fd"] = fd_with_interval(feats, real_feats)
    m["adherence"] = top1_top5(logits, targets, known)
    m["classifierOnReal"] = top1_top5(real_logits, targets, known)
    m["adherenceTop5VsClassifier"] = adherence_vs_classifier(m["adherence"], m["classifierOnReal"])

    # Captions: greedy exact match and rank among 100 (the true one and 99 distractors).
    m["caption"] = caption_metrics(runner, data, test[: min(len(test), 60)])

    # Partial-image completion, both families on the same items.
    m["completion"] = {"jpeg-lm": {}, "vq-ar": {}}
    for r, images in completion_jpeg(runner, data, test, base).items():
        m["completion"]["jpeg-lm"][str(r)] = fd_with_interval(
            classifier.features(to_32(images)), real_feats
        )
    if vq_dir is not None:
        vq = VqArRunner(vq_dir, threads=threads)
        vq_base = defaults_of(vq.manifest)
        for r, images in completion_vq(vq, data32, test, vq_base).items():
            m["completion"]["vq-ar"][str(r)] = fd_with_interval(
                classifier.features(images), real_feats
            )
        recon = vq.decode(vq.encode(real32))
        m["fdCeilingVqReconstructionVsTest"] = frechet_distance(
            classifier.features(recon), real_feats
        )
        m["vqArModel"] = vq.manifest["id"]
    m["evaluationMinutes"] = (time.time() - started) / 60
    m["date"] = dt.date.today().isoformat()
    return m


def results_table(model_id: str, m: dict[str, Any]) -> str:
    fd = m["fd"]

    def cell(x: dict[str, Any] | None) -> str:
        if not x:
            return "—"
        return f"{x['value']:.2f} ({x['interval95'][0]:.2f}–{x['interval95'][1]:.2f})"

    rows = [
        f"# {m['date']} — {model_id}",
        "",
        f"Test split, first {m['split']['test']} items; manifest defaults; seed = item index. "
        "64×64 outputs are box-downsampled to the evaluator's 32×32.",
        "",
        "| metric | value |",
        "|---|---:|",
        f"| codec ceiling: q{m['codecQuality']} round-trip PSNR | {m['codecPsnrDb']:.2f} dB |",
        f"| codec ceiling: FD of q{m['codecQuality']} round trips vs test | {m['fdCeilingCodecVsTest']:.2f} |",
        f"| bits per JPEG byte (caption given) | {m['bitsPerJpegByte']:.3f} |",
        f"| FD-emoji, text to image (95% interval) | {cell(fd)} |",
        f"| prompt adherence top-1 / top-5 | {m['adherence']['top1']:.3f} / {m['adherence']['top5']:.3f} |",
        f"| adherence top-5 ÷ classifier top-5 | {m['adherenceTop5VsClassifier']:.2f} |",
        f"| caption exact / rank-100 ({m['caption']['items']} items) | {m['caption']['captionExact']:.3f} / {m['caption']['captionRank100']:.3f} |",
        f"| seconds per image (reference loop, batch 1 + CFG) | {m['secondsPerImage']:.2f} |",
        "",
        "## Partial-image completion: FD of completions vs originals (lower is better)",
        "",
        "| kept from the top | jpeg-lm | vq-ar |",
        "|---:|---:|---:|",
    ]
    for r in RATIOS:
        key = str(r)
        rows.append(
            f"| {r:.2f} | {cell(m['completion']['jpeg-lm'].get(key))} | {cell(m['completion']['vq-ar'].get(key))} |"
        )
    if "fdCeilingVqReconstructionVsTest" in m:
        rows += [
            "",
            f"Ceilings: jpeg-lm codec {m['fdCeilingCodecVsTest']:.2f}; vq-ar tokenizer reconstructions {m['fdCeilingVqReconstructionVsTest']:.2f} ({m['vqArModel']}).",
        ]
    rows.append("")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--vq-ar", default=None, help="exported vq-ar folder to compare against")
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    model_dir = Path(args.model)
    metrics = evaluate(
        model_dir, Path(args.vq_ar) if args.vq_ar else None, args.limit, args.threads
    )
    report_evaluation(model_dir, metrics, results_table, write=not args.no_write)


if __name__ == "__main__":
    main()
