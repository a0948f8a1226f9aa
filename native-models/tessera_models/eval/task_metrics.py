"""The measurements every family's evaluator takes the same way (docs/evaluation.md), so the
numbers of two families compare: prompt adherence (the classifier's top-1 and top-5 on generated
images, against its own accuracy on the real ones) and captioning (greedy exact match, and the
rank of the true caption among 100 by the model's own score)."""

from __future__ import annotations

import datetime as dt
import resource
import time
from typing import Any, Protocol

import numpy as np

from tessera_models.data.emoji import EmojiDataset
from tessera_models.eval.metrics import (
    caption_exact_match,
    pick_distractors,
    rank_accuracy,
    topk_accuracy,
)


def top1_top5(logits: np.ndarray, targets: np.ndarray, known: np.ndarray) -> dict[str, float]:
    """Classifier accuracy on the images whose concept it knows (`known`)."""
    return {
        "top1": topk_accuracy(logits[known], targets[known], 1),
        "top5": topk_accuracy(logits[known], targets[known], 5),
    }


def adherence_vs_classifier(adherence: dict[str, float], on_real: dict[str, float]) -> float:
    """Top-5 adherence as a share of what the classifier reaches on real images."""
    return adherence["top5"] / max(1e-9, on_real["top5"])


class Captioner(Protocol):
    def caption(self, image_u8: np.ndarray) -> str: ...
    def score(self, image_u8: np.ndarray, texts: list[str]) -> list[float]: ...


def caption_metrics(runner: Captioner, data: EmojiDataset, indices: np.ndarray) -> dict[str, float]:
    """Greedy exact match (aliases count) and rank-100: the true caption against 99
    distractors from the train captions, by the runner's score."""
    pool = sorted({data.records[i].caption for i in data.indices("train")})
    exact = 0
    scores = np.zeros((len(indices), 100))
    for n, i in enumerate(indices):
        r = data.records[i]
        if caption_exact_match(runner.caption(data.images[i]), r.caption, r.aliases):
            exact += 1
        candidates = [r.caption, *pick_distractors(pool, r.caption, 99, seed=0, exclude=r.aliases)]
        scores[n] = runner.score(data.images[i], candidates)
    return {
        "items": len(indices),
        "captionExact": exact / max(1, len(indices)),
        "captionRank100": rank_accuracy(scores, np.zeros(len(indices), np.int64)),
    }


def closing_stats(started: float) -> dict[str, Any]:
    """What an evaluation records last: the process's peak memory, its minutes and the date."""
    return {
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "evaluationMinutes": (time.time() - started) / 60,
        "date": dt.date.today().isoformat(),
    }
