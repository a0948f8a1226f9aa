"""The JetFormer objective, as the reference's image-text training writes it.

Text-first rows are scored on the image, in bits per sub-pixel: the GMM NLL of the AR dims, the
N(0, 1) NLL of the factored dims, minus the flow's log-determinant, with the −log 127.5 term of
the [-1, 1] scaling (JetFormer.image_bits). Image-first rows are scored on the caption (mean NLL
per text token, nats) weighted by `text_loss_weight`; the image prefix reaches the decoder
through a stop-gradient, so captioning never pulls the flow. Neither order is scored on its
prefix. Text-first images get the RGB noise of the curriculum and the teacher-forcing latent
noise; image prefixes get neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from tessera_models.jetformer.gmm import gmm_nll, standard_normal_nll
from tessera_models.jetformer.patches import add_rgb_noise, dequantise, u8_to_unit
from tessera_models.jetformer.sequences import Batch

if TYPE_CHECKING:
    from tessera_models.jetformer.model import JetFormer


def jetformer_loss(
    model: JetFormer,
    batch: Batch,
    rgb_sigma: float,
    latent_noise_max: float,
    text_loss_weight: float,
    autocast: torch.autocast | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Scalar loss and per-row metrics (bits [B] of text-first rows, text NLL [B], logdet)."""
    tf = batch.text_first
    images = u8_to_unit(batch.images)
    if rgb_sigma > 0:
        sigma = torch.where(tf, rgb_sigma, 0.0).to(images.dtype)
        images = add_rgb_noise(images, sigma, generator)
    images = dequantise(images, generator)
    z, logdet = model.encode(images)
    z_ar, z_fact = model.split(z)
    factored = standard_normal_nll(z_fact)
    if latent_noise_max > 0:
        b = z_ar.shape[0]
        std = torch.rand(b, generator=generator, device=z.device) * latent_noise_max
        std = torch.where(tf, std, 0.0)
        noise = torch.randn(z_ar.shape, generator=generator, device=z.device)
        z_ar = z_ar + std[:, None, None] * noise
    z_in = torch.where(tf[:, None, None], z_ar, z_ar.detach())
    with autocast if autocast is not None else torch.autocast(z.device.type, enabled=False):
        _, text_h, img_h = model.sequence(batch.text_ids, batch.text_valid, z_in, tf)
        text_logits = model.text_head(text_h)
    logits, means, scales = model.gmm(img_h.float())
    token_nll = gmm_nll(logits, means, scales, z_ar).sum(1)
    bits = model.image_bits(token_nll, factored, logdet)
    ce = F.cross_entropy(text_logits.float().transpose(1, 2), batch.text_ids, reduction="none")
    valid = batch.text_valid.float()
    text_nll = (ce * valid).sum(1) / valid.sum(1).clamp(min=1)
    loss = torch.where(tf, bits, text_loss_weight * text_nll).mean()
    return loss, {"bits": bits, "text_nll": text_nll, "logdet": logdet}
