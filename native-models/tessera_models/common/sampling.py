"""The logits pipeline of every token-sampling loop, in float64, step by step as the TypeScript
engine runs it (docs/models.md §Logits pipeline). Any change here changes golden outputs: bump
PIPELINE_VERSION.

Order: restrict to allowed ids -> guidance (CFG or CD-K) -> temperature -> top-k -> softmax
-> top-p -> one draw. Ties in sorting are broken by the lower token id; the draw walks the kept
tokens in ascending id order. Every sum is a plain left-to-right float64 sum (np.cumsum), never
numpy's pairwise sum or math.fsum, so a JavaScript loop reproduces it bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tessera_models.common.prng import Prng

PIPELINE_VERSION = 1


@dataclass(frozen=True)
class SamplingSettings:
    cfg_scale: float = 3.0
    temperature: float = 1.0
    top_k: int = 0  # 0 = off
    top_p: float = 0.9  # 1.0 = off
    cdk: bool = False
    cdk_alpha: float = 0.5
    cdk_k: int = 8
    cdk_tau: float = 1.0


def _sequential_sum(x: np.ndarray) -> float:
    return float(np.cumsum(x)[-1]) if len(x) else 0.0


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / _sequential_sum(e)


def _stable_desc_order(values: np.ndarray) -> np.ndarray:
    # Descending by value, ascending by index on ties.
    return np.lexsort((np.arange(len(values)), -values))


def draw_index(probs: np.ndarray, keep: np.ndarray, u: float) -> int:
    """Inverse-CDF draw over kept ids in ascending order; probs need not be normalised."""
    kept = np.flatnonzero(keep)
    total = _sequential_sum(probs[kept])
    target = u * total
    acc = 0.0
    for i in kept:
        acc += probs[i]
        if target < acc:
            return int(i)
    return int(kept[-1])


def guided_logits(cond: np.ndarray, uncond: np.ndarray | None, scale: float) -> np.ndarray:
    if uncond is None or scale == 1.0:
        return cond
    return uncond + scale * (cond - uncond)


def sample_token(
    cond: np.ndarray, uncond: np.ndarray | None, s: SamplingSettings, prng: Prng
) -> int:
    """Index into `cond` (already restricted to the allowed ids) drawn with one PRNG draw."""
    cond = cond.astype(np.float64)
    uncond = None if uncond is None else uncond.astype(np.float64)
    u = prng.uniform()  # always consumed, so greedy and sampled steps keep counters aligned
    if s.cdk and uncond is not None:
        return _contrastive(cond, uncond, s, u)
    logits = guided_logits(cond, uncond, s.cfg_scale)
    if s.temperature <= 0.0:
        return int(_stable_desc_order(logits)[0])
    logits = logits / s.temperature
    keep = np.ones(len(logits), dtype=bool)
    if 0 < s.top_k < len(logits):
        keep[:] = False
        keep[_stable_desc_order(logits)[: s.top_k]] = True
    probs = np.where(keep, _softmax(np.where(keep, logits, -np.inf)), 0.0)
    if s.top_p < 1.0:
        order = _stable_desc_order(probs)
        cum = np.cumsum(probs[order])
        cut = int(np.searchsorted(cum, s.top_p, side="left")) + 1
        nucleus = np.zeros(len(probs), dtype=bool)
        nucleus[order[: max(1, cut)]] = True
        keep &= nucleus
    return draw_index(probs, keep, u)


def _contrastive(cond: np.ndarray, uncond: np.ndarray, s: SamplingSettings, u: float) -> int:
    """CM3Leon's CD-K: log p_EXP − log p_AMA over V = {t : p_EXP(t) ≥ α · k-th largest p_EXP}."""
    p_exp = _softmax(cond)
    log_exp = np.log(np.maximum(p_exp, 1e-300))
    log_ama = np.log(np.maximum(_softmax(uncond), 1e-300))
    kth = p_exp[_stable_desc_order(p_exp)[min(s.cdk_k, len(p_exp)) - 1]]
    keep = p_exp >= s.cdk_alpha * kth
    score = np.where(keep, log_exp - log_ama, -np.inf)
    if s.cdk_tau <= 0.0:
        return int(_stable_desc_order(score)[0])
    probs = np.where(keep, _softmax(score / s.cdk_tau), 0.0)
    return draw_index(probs, keep, u)
