"""The two diffusion objectives' noise paths and samplers, in one place for training (torch) and
the reference loop (numpy, float64 as the TypeScript loop computes).

The network's time input is t ∈ [0, 1], 1 = pure noise, for both objectives.

ddpm  cosine schedule (Nichol & Dhariwal): ᾱ(k) = f(k + 1)/f(0) for step k ∈ [0, T), with
      f(u) = cos((u/T + s)/(1 + s) · π/2)², each β = 1 − ᾱ(k)/ᾱ(k − 1) capped at 0.999.
      x_k = √ᾱ(k)·x_0 + √(1 − ᾱ(k))·ε; the network sees t = k/T and predicts ε.
      DDIM (η = 0) over S steps k_i = round((T − 1)·(1 − i/S)), i = 0 … S − 1, then ᾱ = 1.
flow  x_t = (1 − t)·x_0 + t·ε; the network predicts the velocity v = ε − x_0.
      Euler over S uniform steps t_i = 1 − i/S; Heun adds a corrector at every step but the
      last (2S − 1 network calls); the midpoint rule takes each step with the velocity at the
      half-way time, reached by half an Euler step (2S calls).
Infill's resampling (RePaint) takes a step, re-noises the result back to the step's own level
and takes the step again, r times in all.
The predicted clean image at any step (the live preview) is x̂_0 = (x_k − √(1 − ᾱ)·ε̂)/√ᾱ
for ddpm and x_t − t·v̂ for flow.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch


def cosine_alphas_bar(timesteps: int, offset: float = 0.008) -> np.ndarray:
    """ᾱ(k) for k ∈ [0, T), float64."""
    u = np.arange(timesteps + 1, dtype=np.float64)
    f = np.cos((u / timesteps + offset) / (1 + offset) * math.pi / 2) ** 2
    betas = np.minimum(1 - f[1:] / f[:-1], 0.999)
    return np.cumprod(1 - betas)


def ddim_steps(timesteps: int, steps: int) -> list[int]:
    """The S step indices, from T − 1 down (the last is not always 0)."""
    if not 1 <= steps <= timesteps:
        raise ValueError(f"steps must be in 1..{timesteps}, not {steps}")
    return [round((timesteps - 1) * (1 - i / steps)) for i in range(steps)]


def flow_times(steps: int) -> list[float]:
    if steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    return [1 - i / steps for i in range(steps + 1)]


# -- training: noising a batch of clean patches --------------------------------------------------
def noise_ddpm(
    x0: torch.Tensor, k: torch.Tensor, eps: torch.Tensor, alphas_bar: torch.Tensor
) -> torch.Tensor:
    """x_k [B,N,C] from x_0 [B,N,C], step indices k i64 [B] and noise ε [B,N,C]."""
    a = alphas_bar[k].to(x0.dtype)[:, None, None]
    return a.sqrt() * x0 + (1 - a).sqrt() * eps


def noise_flow(x0: torch.Tensor, t: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    tt = t.to(x0.dtype)[:, None, None]
    return (1 - tt) * x0 + tt * eps


# -- sampling: one step of each solver (numpy float64) -------------------------------------------
def ddim_x0(x: np.ndarray, eps: np.ndarray, a: float) -> np.ndarray:
    """The clean image predicted at ᾱ = a, clipped to the data range."""
    return np.clip((x - math.sqrt(1 - a) * eps) / math.sqrt(a), -1.0, 1.0)


def ddim_step(x: np.ndarray, eps: np.ndarray, a: float, a_next: float) -> np.ndarray:
    """x at ᾱ = a_next from x at ᾱ = a (η = 0); ε is re-derived from the clipped x̂_0 so the
    step stays on the data range even where ᾱ is near 0."""
    x0 = ddim_x0(x, eps, a)
    eps_clipped = (x - math.sqrt(a) * x0) / math.sqrt(1 - a)
    return math.sqrt(a_next) * x0 + math.sqrt(1 - a_next) * eps_clipped


def flow_x0(x: np.ndarray, v: np.ndarray, t: float) -> np.ndarray:
    return np.clip(x - t * v, -1.0, 1.0)


def euler_step(x: np.ndarray, v: np.ndarray, t: float, t_next: float) -> np.ndarray:
    return x + (t_next - t) * v


def flow_step(
    model: Callable[[np.ndarray, float], np.ndarray],
    x: np.ndarray,
    v: np.ndarray,
    t: float,
    t_next: float,
    sampler: str,
) -> np.ndarray:
    """x at t_next from x at t, given v = model(x, t): Euler, Heun's corrector (none into
    t = 0) or the midpoint rule (one more call at the half-way time)."""
    if sampler == "midpoint":
        t_mid = 0.5 * (t + t_next)
        return euler_step(x, model(euler_step(x, v, t, t_mid), t_mid), t, t_next)
    moved = euler_step(x, v, t, t_next)
    if sampler == "heun" and t_next > 0:
        return euler_step(x, 0.5 * (v + model(moved, t_next)), t, t_next)
    return moved


def renoise_back(
    x: np.ndarray, noise: np.ndarray, objective: str, level_from: float, level_to: float
) -> np.ndarray:
    """x at a noisier level from x at a cleaner one, by the forward process (RePaint's
    resampling): ddpm from ᾱ = level_from to ᾱ = level_to < level_from; flow from t = level_from
    to t = level_to > level_from, where x_t = (1 − t)/(1 − t')·x_t' + σ·z with
    σ² = t² − ((1 − t)·t'/(1 − t'))², so x_t again has the path's noise t²."""
    if objective == "ddpm":
        ratio = level_to / level_from
        return math.sqrt(ratio) * x + math.sqrt(1 - ratio) * noise
    scale = (1 - level_to) / (1 - level_from)
    sigma = math.sqrt(max(0.0, level_to**2 - (scale * level_from) ** 2))
    return scale * x + sigma * noise


def renoise_known(x0: np.ndarray, noise: np.ndarray, objective: str, level: float) -> np.ndarray:
    """Known pixels at the next step's noise level: `level` is ᾱ (ddpm) or t (flow)."""
    if objective == "ddpm":
        return math.sqrt(level) * x0 + math.sqrt(1 - level) * noise
    return (1 - level) * x0 + level * noise
