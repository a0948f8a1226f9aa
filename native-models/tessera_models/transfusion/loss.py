"""The Transfusion objective: L_LM + λ·L_diffusion (the paper's λ = 5), both reported apart.

L_LM is the mean next-token cross-entropy over every scored text position of the batch.
L_diffusion is the mean squared error of the patch predictions: ε for ddpm, the velocity ε − x_0
for flow. Every image is noised, in both orders; image-first (captioning) rows draw their noise
level from the lower `image_first_max_t` of the schedule, so captions are learned from nearly
clean images. Noise levels are uniform: k ∈ [0, T) for ddpm, t ∈ [0, 1) for flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from tessera_models.jetformer.patches import patchify, u8_to_unit
from tessera_models.transfusion.config import DiffusionConfig
from tessera_models.transfusion.schedule import noise_ddpm, noise_flow
from tessera_models.transfusion.sequences import Batch


@dataclass
class Noised:
    x_t: torch.Tensor  # [B,N,C]
    t: torch.Tensor  # [B] the network's time input in [0, 1]
    target: torch.Tensor  # [B,N,C]


def noise_batch(
    x0: torch.Tensor,
    image_first: torch.Tensor,
    dc: DiffusionConfig,
    max_t: float,
    alphas_bar: torch.Tensor,
    generator: torch.Generator | None,
) -> Noised:
    b = x0.shape[0]
    u = torch.rand(b, generator=generator, device=x0.device)
    u = torch.where(image_first, u * max_t, u)
    eps = torch.randn(x0.shape, generator=generator, device=x0.device)
    if dc.objective == "ddpm":
        k = (u * dc.timesteps).long().clamp(max=dc.timesteps - 1)
        return Noised(noise_ddpm(x0, k, eps, alphas_bar), k.float() / dc.timesteps, eps)
    return Noised(noise_flow(x0, u, eps), u, eps - x0)


def transfusion_loss(
    model: torch.nn.Module,
    batch: Batch,
    dc: DiffusionConfig,
    max_t: float,
    diffusion_weight: float,
    alphas_bar: torch.Tensor,
    autocast: torch.autocast | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    inner = model.module if hasattr(model, "module") else model
    x0 = patchify(u8_to_unit(batch.images), inner.config.patch)
    noised = noise_batch(x0, batch.image_first, dc, max_t, alphas_bar, generator)
    ctx = autocast if autocast is not None else torch.autocast(x0.device.type, enabled=False)
    with ctx:
        logits, pred = model(
            batch.ids, batch.valid, batch.image_start, noised.x_t, noised.t, batch.lm_positions
        )
    targets = batch.targets[batch.lm_positions]
    lm = F.cross_entropy(logits.float(), targets) if len(targets) else logits.sum() * 0
    diffusion = F.mse_loss(pred.float(), noised.target)
    loss = lm + diffusion_weight * diffusion
    return loss, {"lm_loss": float(lm.detach()), "diffusion_loss": float(diffusion.detach())}
