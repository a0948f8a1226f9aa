"""Small metrics shared by every family's evaluation, plus the ONNX classifier runner.

Shapes:
  images_u8  uint8 [N, 32, 32, 3]   RGB on white, as stored in emoji-v1
  logits     f32   [N, C]
  targets    int   [N]              column of the true class
  features   f32   [N, 128]

Everything here is numpy (and onnxruntime for the runner) so that judging a model does not
depend on the framework, or the checkpoint, that produced it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from tessera_models.data.emoji import NATIVE_MODELS, to_unit_range

DEFAULT_EVAL_DIR = NATIVE_MODELS / "eval"
PSNR_CAP_DB = 100.0


def psnr(a_u8: np.ndarray, b_u8: np.ndarray) -> float:
    """Mean over images of per-image PSNR (peak 255), so one perfect image cannot make the
    average infinite: identical images score PSNR_CAP_DB. A single [H, W, C] image is allowed."""
    a = np.asarray(a_u8)
    b = np.asarray(b_u8)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}")
    if a.dtype != np.uint8 or b.dtype != np.uint8:
        raise TypeError(f"psnr expects uint8 images, got {a.dtype} and {b.dtype}")
    if a.ndim == 3:
        a, b = a[None], b[None]
    diff = a.astype(np.float64) - b.astype(np.float64)
    mse = (diff**2).reshape(len(a), -1).mean(axis=1)
    with np.errstate(divide="ignore"):
        per_image = 10.0 * np.log10(255.0**2 / mse)
    return float(np.minimum(per_image, PSNR_CAP_DB).mean())


def topk_accuracy(logits: np.ndarray, targets: np.ndarray, k: int) -> float:
    """Share of rows whose target is among the k largest logits. Ties at the k-th place are
    resolved by a stable sort on column order, which is arbitrary but reproducible."""
    logits = np.asarray(logits)
    targets = np.asarray(targets, dtype=np.int64)
    if logits.ndim != 2 or len(logits) != len(targets):
        raise ValueError(f"logits {logits.shape} and targets {targets.shape} disagree")
    if len(targets) == 0:
        return float("nan")
    k = min(k, logits.shape[1])
    top = np.argsort(-logits, axis=1, kind="stable")[:, :k]
    return float((top == targets[:, None]).any(axis=1).mean())


_SEPARATORS = "-_/"


def normalise_caption(text: str) -> str:
    """Lowercase, punctuation other than ':' and ',' removed, whitespace collapsed.

    Hyphens, underscores and slashes become spaces rather than vanishing, because emoji names
    use them between words ("t-rex" must match the caption "t rex", not "trex").
    """
    out = []
    for ch in text.lower():
        if ch in _SEPARATORS:
            out.append(" ")
        elif ch in ":," or not unicodedata.category(ch).startswith("P"):
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def caption_exact_match(predicted: str, truth: str, aliases: Iterable[str] = ()) -> bool:
    """Aliases count: the dataset keeps them as accepted captions of the same image."""
    guess = normalise_caption(predicted)
    return guess != "" and any(guess == normalise_caption(t) for t in (truth, *aliases))


def rank_accuracy(scores: np.ndarray, true_column: np.ndarray) -> float:
    """Share of rows whose true column has the strictly highest score. A tie counts as a miss,
    so a model that scores everything equally gets 0, not 1/C or 1."""
    scores = np.asarray(scores, dtype=np.float64)
    true_column = np.asarray(true_column, dtype=np.int64)
    if scores.ndim != 2 or len(scores) != len(true_column):
        raise ValueError(f"scores {scores.shape} and true_column {true_column.shape} disagree")
    if len(scores) == 0:
        return float("nan")
    rows = np.arange(len(scores))
    true = scores[rows, true_column]
    others = scores.copy()
    others[rows, true_column] = -np.inf
    return float((true > others.max(axis=1)).mean())


def pick_distractors(
    all_captions: Iterable[str],
    true_caption: str,
    n: int = 99,
    seed: int = 0,
    exclude: Iterable[str] = (),
) -> list[str]:
    """n distinct captions other than the truth, for 1-in-(n+1) ranking tests.

    Deterministic in (set of captions, true caption, seed): the pool is sorted, and the true
    caption is hashed into the seed so every item gets its own distractors while one `seed`
    reproduces the whole benchmark. Captions that normalise to the truth, or to anything in
    `exclude` (pass its aliases), are never distractors because they would be correct answers.
    """
    banned = {normalise_caption(true_caption), *(normalise_caption(e) for e in exclude)}
    pool: dict[str, str] = {}
    for caption in sorted(set(all_captions)):
        key = normalise_caption(caption)
        if key not in banned and key not in pool:
            pool[key] = caption
    candidates = sorted(pool.values())
    if len(candidates) < n:
        raise ValueError(f"only {len(candidates)} distractors available, {n} requested")
    digest = hashlib.sha256(f"{seed}\0{true_caption}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    chosen = rng.choice(len(candidates), size=n, replace=False)
    return [candidates[i] for i in chosen]


class ClassifierRunner:
    """Runs the exported evaluator (classifier.onnx + classifier.labels.json) on uint8 images.

    Every family is judged through this ONNX file rather than the PyTorch checkpoint, so the
    numbers do not move when the training code does.
    """

    def __init__(
        self, eval_dir: Path | str | None = None, threads: int = 1, batch_size: int = 256
    ) -> None:
        import onnxruntime as ort

        self.eval_dir = Path(eval_dir) if eval_dir is not None else DEFAULT_EVAL_DIR
        model_path = self.eval_dir / "classifier.onnx"
        labels_path = self.eval_dir / "classifier.labels.json"
        if not model_path.exists() or not labels_path.exists():
            raise FileNotFoundError(
                f"no evaluator in {self.eval_dir}: run "
                "`python -m tessera_models.eval.train_classifier` first"
            )
        self.labels: list[str] = json.loads(labels_path.read_text(encoding="utf-8"))
        self.column = {label: i for i, label in enumerate(self.labels)}
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size

    def run(self, images_u8: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """uint8 [N, 32, 32, 3] -> (features f32 [N, 128], logits f32 [N, K])."""
        images_u8 = np.asarray(images_u8)
        if images_u8.dtype != np.uint8 or images_u8.shape[1:] != (32, 32, 3):
            raise ValueError(
                f"expected uint8 [N, 32, 32, 3], got {images_u8.dtype} {images_u8.shape}"
            )
        feats, logits = [], []
        for i in range(0, len(images_u8), self.batch_size):
            x = to_unit_range(images_u8[i : i + self.batch_size])
            f, lg = self.session.run(["features", "logits"], {"image": x})
            feats.append(f)
            logits.append(lg)
        if not feats:
            return np.zeros((0, 128), np.float32), np.zeros((0, len(self.labels)), np.float32)
        return np.concatenate(feats), np.concatenate(logits)

    def features(self, images_u8: np.ndarray) -> np.ndarray:
        return self.run(images_u8)[0]

    def targets(self, concepts: Sequence[str]) -> np.ndarray:
        """Class columns of concepts; -1 for concepts the classifier never trained on."""
        return np.array([self.column.get(c, -1) for c in concepts], dtype=np.int64)
