"""The Gaussian-mixture head over each soft token's first d dims, and its guided sampler.

Head: one Dense from the decoder's hidden state to K mixture logits and K·(mean, raw scale)
per dim, zero-initialised (as the reference) except the mean biases, which are perturbed so the
K components are not identical forever. scale = square_plus(raw) = (raw + √(raw² + 4)) / 2,
floored at scale_tol.

Guidance (the density the reference samples by rejection): with the component k drawn from the
conditional mixture and reused for the unconditional one, each dim follows
p_c(z)^(1+w) · p_u(z)^(−w) with p_c = N(μ_c, σ_c²), p_u = N(μ_u, σ_u²). For Gaussians this is
itself Gaussian when λ = (1+w)/σ_c² − w/σ_u² > 0: precision λ and mean
((1+w)·μ_c/σ_c² − w·μ_u/σ_u²)/λ. Where λ ≤ 0 the product is not normalisable; the dim falls
back to the conditional N(μ_c, σ_c²).

Shape glossary: B rows, S tokens, K mixtures, d AR dims, D width.
  hidden   f32 [..., D]
  logits   f32 [..., K]
  means    f32 [..., K, d]
  scales   f32 [..., K, d]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from tessera_models.jetformer.config import DecoderConfig

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def square_plus(x: torch.Tensor) -> torch.Tensor:
    return (x + torch.sqrt(x * x + 4.0)) / 2.0


class GmmHead(nn.Module):
    def __init__(self, c: DecoderConfig) -> None:
        super().__init__()
        self.mixtures, self.dims, self.scale_tol = c.mixtures, c.ar_dims, c.scale_tol
        self.proj = nn.Linear(c.width, c.mixtures * (1 + 2 * c.ar_dims))
        nn.init.zeros_(self.proj.weight)
        with torch.no_grad():
            self.proj.bias.zero_()
            # Output layout: K logits, then per mixture [means (d) | raw scales (d)].
            other = self.proj.bias[c.mixtures :].view(c.mixtures, 2, c.ar_dims)
            other[:, 0].normal_(std=c.mean_bias_std)

    def forward(self, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        out = self.proj(hidden).float()
        k, d = self.mixtures, self.dims
        logits = out[..., :k]
        other = out[..., k:].reshape(*out.shape[:-1], k, 2, d)
        scales = torch.clamp(square_plus(other[..., 1, :]), min=self.scale_tol)
        return logits, other[..., 0, :], scales


def gmm_nll(
    logits: torch.Tensor, means: torch.Tensor, scales: torch.Tensor, z: torch.Tensor
) -> torch.Tensor:
    """−log p(z) under the mixture, nats, [...] for z [..., d]."""
    diff = (z.unsqueeze(-2) - means) / scales
    comp = -(0.5 * diff * diff + torch.log(scales) + HALF_LOG_2PI).sum(-1)
    return -torch.logsumexp(torch.log_softmax(logits, dim=-1) + comp, dim=-1)


def standard_normal_nll(z: torch.Tensor) -> torch.Tensor:
    """−log N(z; 0, 1) summed over every dim but the first (the batch), nats [B]."""
    return (0.5 * z * z + HALF_LOG_2PI).flatten(1).sum(-1)


@dataclass(frozen=True)
class GuidedGaussian:
    """Per-dim mean and std of the guided density for one component (arrays [d])."""

    mean: np.ndarray
    std: np.ndarray
    fallback: np.ndarray  # bool [d]: λ ≤ 0, the conditional Gaussian was used


def guided_gaussian(
    mu_c: np.ndarray, sd_c: np.ndarray, mu_u: np.ndarray, sd_u: np.ndarray, w: float
) -> GuidedGaussian:
    """N(μ_c, σ_c²)^(1+w) · N(μ_u, σ_u²)^(−w), normalised, per dim (float64)."""
    pc = 1.0 / (sd_c.astype(np.float64) ** 2)
    pu = 1.0 / (sd_u.astype(np.float64) ** 2)
    lam = (1.0 + w) * pc - w * pu
    ok = lam > 0
    safe = np.where(ok, lam, 1.0)
    mean = ((1.0 + w) * mu_c * pc - w * mu_u * pu) / safe
    std = 1.0 / np.sqrt(safe)
    return GuidedGaussian(
        mean=np.where(ok, mean, mu_c.astype(np.float64)),
        std=np.where(ok, std, sd_c.astype(np.float64)),
        fallback=~ok,
    )
