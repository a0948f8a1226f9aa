"""The codec ceiling of `jpeg-lm` settings: what the JPEG round trip alone costs, per image size,
quality and chroma subsampling, and how many tokens the model would have to write per image.

Usage: python -m tessera_models.jpeg_lm.codec_ceiling [--limit 700] [--bpe-images 2000]

For each setting, every test image is encoded the way the model's bytes are made (baseline,
standard Huffman tables, a restart marker after every MCU) and decoded again. Reported:
  PSNR    of the round trip against the image it encoded
  FD      shared evaluator's Fréchet distance, round trips vs the dataset's 32×32 test renders
          (64×64 round trips are box-downsampled first, as jpeg_lm.evaluate does)
  top-5   evaluator accuracy on the round trips: the adherence a perfect model could reach
  tokens  mean body tokens per image after a BPE of 55 merges learnt on that setting's train
          bodies (the shipped recipe's tokenizer size), EOI included; bytes for comparison
A model can do no better than its codec: its FD cannot go below the row's FD, nor its top-5
above the row's top-5.
"""

from __future__ import annotations

import argparse
import io
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from tessera_models.data.emoji import load_emoji
from tessera_models.eval.frechet import frechet_distance
from tessera_models.eval.metrics import ClassifierRunner, psnr, topk_accuracy
from tessera_models.jpeg_lm.bpe import train_bpe
from tessera_models.jpeg_lm.evaluate import to_32
from tessera_models.jpeg_lm.jpeg_bytes import sos_end

SIZES = (32, 64)
QUALITIES = (25, 50, 75)
SUBSAMPLINGS = ("4:2:0", "4:4:4")


@dataclass
class Row:
    size: int
    quality: int | None
    subsampling: str
    psnr_db: float
    fd: float
    top5: float
    top1: float
    mean_bytes: float
    mean_tokens: float


def round_trip(image: np.ndarray, quality: int, subsampling: str) -> tuple[np.ndarray, bytes]:
    """(decoded image, entropy-coded body) of one image under the model's JPEG recipe."""
    out = io.BytesIO()
    Image.fromarray(image).save(
        out, "JPEG", quality=quality, subsampling=subsampling, restart_marker_blocks=1
    )
    stream = out.getvalue()
    with Image.open(io.BytesIO(stream)) as im:
        decoded = np.asarray(im.convert("RGB"))
    return decoded, stream[sos_end(stream) :]


def measure(limit: int, bpe_images: int, threads: int) -> list[Row]:
    classifier = ClassifierRunner(threads=threads)
    data32 = load_emoji(size=32)
    test = data32.indices("test")[:limit]
    train = data32.indices("train")[:bpe_images]
    real_feats = classifier.features(data32.images[test])
    targets = classifier.targets([data32.records[i].concept for i in test])
    known = targets >= 0

    def scored(
        size: int, quality: int | None, sub: str, images: np.ndarray, mean_bytes: float, tok: float
    ) -> Row:
        small = images if size == 32 else to_32(images)
        feats, logits = classifier.run(small)
        reference = data32.images[test] if size == 32 else images_by_size[size][test]
        return Row(
            size=size,
            quality=quality,
            subsampling=sub,
            psnr_db=psnr(images, reference) if quality is not None else float("inf"),
            fd=frechet_distance(feats, real_feats),
            top5=topk_accuracy(logits[known], targets[known], 5),
            top1=topk_accuracy(logits[known], targets[known], 1),
            mean_bytes=mean_bytes,
            mean_tokens=tok,
        )

    images_by_size = {32: data32.images, 64: load_emoji(size=64).images}
    rows: list[Row] = []
    for size in SIZES:
        images = images_by_size[size]
        # The reference row: the dataset's own render at this size, no codec.
        rows.append(scored(size, None, "none", images[test], float("nan"), float("nan")))
        for sub in SUBSAMPLINGS:
            for q in QUALITIES:
                t0 = time.perf_counter()
                trips = [round_trip(images[i], q, sub) for i in test]
                train_bodies = [round_trip(images[i], q, sub)[1] for i in train]
                bpe = train_bpe(train_bodies, 55)
                decoded = np.stack([t[0] for t in trips])
                tokens = float(np.mean([len(bpe.encode(t[1])) for t in trips]))
                mean_bytes = float(np.mean([len(t[1]) for t in trips]))
                rows.append(scored(size, q, sub, decoded, mean_bytes, tokens))
                print(f"  {size}px q{q} {sub}: {time.perf_counter() - t0:.1f} s", flush=True)
    return rows


def table(rows: list[Row], items: int) -> str:
    lines = [
        f"Test split, first {items} items; evaluator emoji-cls-v2; BPE 55 merges per setting.",
        "",
        "| size | quality | subsampling | PSNR dB | FD vs test 32² | top-5 | top-1 | body bytes | tokens |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        q = "—" if r.quality is None else str(r.quality)
        p = "—" if r.quality is None else f"{r.psnr_db:.2f}"
        b = "—" if np.isnan(r.mean_bytes) else f"{r.mean_bytes:.0f}"
        t = "—" if np.isnan(r.mean_tokens) else f"{r.mean_tokens:.0f}"
        lines.append(
            f"| {r.size} | {q} | {r.subsampling} | {p} | {r.fd:.3f} | {r.top5:.3f} "
            f"| {r.top1:.3f} | {b} | {t} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=700)
    parser.add_argument("--bpe-images", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    rows = measure(args.limit, args.bpe_images, args.threads)
    print(table(rows, min(args.limit, 700)))


if __name__ == "__main__":
    main()
