"""Turns emoji-v1 into `jpeg-lm` training data: JPEG bodies, the BPE, the vocabulary.

Everything derived is cached in the run folder (bodies.npz, jpeg-bpe.json, words.json), so a
resumed run and the export see exactly the tokens training saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tessera_models.common.training import inherit_files
from tessera_models.data.emoji import EmojiDataset, load_emoji
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.bpe import JpegBpe, train_bpe
from tessera_models.jpeg_lm.config import ExperimentConfig
from tessera_models.jpeg_lm.paths import run_dir
from tessera_models.jpeg_lm.vocab import Vocab
from tessera_models.text.caption_vocab import build_word_tokenizer
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar.self_views import augment


@dataclass
class Prepared:
    data: EmojiDataset
    bodies: list[bytes]  # JPEG body of every image, dataset order
    vocab: Vocab
    header: bytes
    tables: bytes


def encode_bodies(images: np.ndarray, quality: int) -> list[bytes]:
    return [jpeg_bytes.encode(img, quality)[1] for img in images]


def _load_bodies(path: Path) -> list[bytes]:
    with np.load(path) as z:
        flat, offsets = z["flat"], z["offsets"]
    return [flat[offsets[i] : offsets[i + 1]].tobytes() for i in range(len(offsets) - 1)]


def _save_bodies(path: Path, bodies: list[bytes], **extra: np.ndarray) -> None:
    offsets = np.cumsum([0, *[len(b) for b in bodies]]).astype(np.int64)
    flat = np.frombuffer(b"".join(bodies), dtype=np.uint8)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, flat=flat, offsets=offsets, **extra)
    tmp.replace(path)


CACHED = ("bodies.npz", "jpeg-bpe.json", "words.json")


def load_or_encode_views(
    config: ExperimentConfig, data: EmojiDataset, needed: np.ndarray
) -> list[list[bytes]]:
    """JPEG bodies of `augmented_views` views of the `needed` images ([view][dataset index];
    empty for the others), each moved, scaled and turned with its colours kept
    (vq_ar.self_views.augment), cached in the run folder as views.npz. The seed is the
    config's, so a resumed run sees the same views."""
    count = config.training.augmented_views
    n = len(data.images)
    needed = np.unique(needed)
    path = run_dir(config.name) / "views.npz"
    if path.exists():
        with np.load(path) as z:
            cached_needed = z["needed"]
        flat = _load_bodies(path)
        if len(flat) == count * n and np.array_equal(cached_needed, needed):
            return [flat[v * n : (v + 1) * n] for v in range(count)]
    rng = np.random.default_rng(config.seed)
    views: list[list[bytes]] = []
    for _ in range(count):
        bodies = [b""] * n
        for start in range(0, len(needed), 512):
            chunk = needed[start : start + 512]
            for i, body in zip(
                chunk,
                encode_bodies(augment(data.images[chunk], rng, colour=False), config.jpeg_quality),
                strict=True,
            ):
                bodies[int(i)] = body
        views.append(bodies)
    _save_bodies(path, [b for bodies in views for b in bodies], needed=needed)
    return views


def prepare(config: ExperimentConfig, data_root: str | None = None) -> Prepared:
    data = load_emoji(data_root, size=config.image_size)
    out = run_dir(config.name)
    out.mkdir(parents=True, exist_ok=True)
    if config.warm_start is not None:
        inherit_files(run_dir(config.warm_start), out, CACHED)
    bodies_path = out / "bodies.npz"
    if bodies_path.exists():
        bodies = _load_bodies(bodies_path)
    else:
        bodies = encode_bodies(data.images, config.jpeg_quality)
        _save_bodies(bodies_path, bodies)
    train_idx = data.indices("train")
    bpe_path = out / "jpeg-bpe.json"
    if bpe_path.exists():
        bpe = JpegBpe.load(bpe_path)
    else:
        bpe = train_bpe([bodies[i] for i in train_idx[: config.bpe_images]], config.bpe_merges)
        bpe.save(bpe_path)
    words_path = out / "words.json"
    if words_path.exists():
        words = WordTokenizer.load(words_path)
    else:
        words = build_word_tokenizer(data, train_idx)
        words.save(words_path)
    return Prepared(
        data=data,
        bodies=bodies,
        vocab=Vocab(words=words, bpe=bpe),
        header=jpeg_bytes.header_for(config.image_size),
        tables=jpeg_bytes.tables_blob(config.jpeg_quality),
    )


def length_stats(bodies: list[bytes], bpe: JpegBpe) -> dict[str, object]:
    """The byte- and token-length distribution the data card records
    (docs/models.md §jpeg-lm sequences)."""
    byte_len = np.array([len(b) for b in bodies])
    tok_len = np.array([len(bpe.encode(b)) for b in bodies])
    pct = [0, 1, 10, 50, 90, 99, 100]

    def summary(x: np.ndarray) -> dict[str, float]:
        return {f"p{p}": float(np.percentile(x, p)) for p in pct} | {"mean": float(x.mean())}

    return {
        "bodyBytes": summary(byte_len),
        "bodyTokens": summary(tok_len),
        "bytesPerToken": float(byte_len.sum() / tok_len.sum()),
        "images": len(bodies),
    }
