"""JetFormer: the Jet flow, text and soft-token embeddings, the Gemma decoder and two heads.

Layouts (as the reference with a BOI token), T text slots (caption, <eos>, padding) and
N = 64 image tokens:
  text first   [<bos>, text(T), <boi>, image(N)]     generation; the image is the suffix
  image first  [<boi>, image(N), <bos>, text(T)]     captioning; the text is the suffix
The decoder reads the sequence without its last element and predicts the next at every place.
Padding inside the text segment is masked out of attention and skipped by positions, so a padded
row computes exactly what the same row without padding computes at inference.

Shape glossary: B batch, T text slots, N image tokens, C = 48 dims per token, d AR dims,
D width, V vocabulary, S = T + N + 1 decoder inputs.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from tessera_models.jetformer.config import DecoderConfig, FlowConfig
from tessera_models.jetformer.gemma import GemmaDecoder, additive_mask, positions_from_valid
from tessera_models.jetformer.gmm import GmmHead, gmm_nll, standard_normal_nll
from tessera_models.jetformer.jet import Jet
from tessera_models.jetformer.loss import jetformer_loss
from tessera_models.jetformer.patches import patchify, unpatchify
from tessera_models.jetformer.sequences import Batch
from tessera_models.jetformer.vocab import BOI, BOS

LN2 = math.log(2.0)
LOG_127_5 = math.log(127.5)


class JetFormer(nn.Module):
    def __init__(self, flow: FlowConfig, decoder: DecoderConfig) -> None:
        super().__init__()
        if decoder.vocab_size <= 0:
            raise ValueError("DecoderConfig.vocab_size must be set from the vocabulary")
        if not 0 < decoder.ar_dims <= flow.token_dim:
            raise ValueError(f"ar_dims must be in 1..{flow.token_dim}")
        self.flow_config, self.config = flow, decoder
        self.flow = Jet(flow)
        self.text_emb = nn.Embedding(decoder.vocab_size, decoder.width)
        nn.init.normal_(self.text_emb.weight, std=1.0)  # as the reference: unit-scale embeddings
        self.img_emb = nn.Linear(decoder.ar_dims, decoder.width)
        self.decoder = GemmaDecoder(decoder)
        self.gmm = GmmHead(decoder)
        self.text_head = nn.Linear(decoder.width, decoder.vocab_size, bias=False)
        nn.init.normal_(self.text_head.weight, std=decoder.width**-0.5)

    def forward(
        self,
        batch: Batch,
        rgb_sigma: float,
        latent_noise_max: float,
        text_loss_weight: float,
        autocast: torch.autocast | None = None,
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The training loss (loss.py) through forward, so a DDP wrapper averages its
        gradients."""
        return jetformer_loss(
            self, batch, rgb_sigma, latent_noise_max, text_loss_weight, autocast, generator
        )

    @property
    def subpixels(self) -> int:
        s = self.flow_config.image_size
        return s * s * 3

    # -- the flow on whole images ---------------------------------------------------------------
    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """images f32 [B,H,W,3] in [-1,1] (dequantised) -> soft tokens z [B,N,C], logdet [B]."""
        return self.flow(patchify(images, self.flow_config.patch))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Soft tokens z [B,N,C] -> images f32 [B,H,W,3] (unclipped)."""
        fc = self.flow_config
        return unpatchify(self.flow.inverse(z), fc.patch, fc.image_size)

    def split(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        d = self.config.ar_dims
        return z[..., :d], z[..., d:]

    # -- bits per dimension ---------------------------------------------------------------------
    def image_bits(
        self, token_nll: torch.Tensor, factored_nll: torch.Tensor, logdet: torch.Tensor
    ) -> torch.Tensor:
        """Bits per sub-pixel [B] from the AR tokens' GMM NLL [B] and the factored dims' N(0,1)
        NLL [B] (nats), and the flow's log-determinant [B]. The −log 127.5 term accounts for
        mapping the 256 levels to [-1, 1], so the result is in bits of uint8 data."""
        n = self.subpixels
        nll = (token_nll + factored_nll) / n / LN2
        return nll - (logdet / n - LOG_127_5) / LN2

    # -- the decoder over a training or scoring sequence ----------------------------------------
    def sequence(
        self,
        text_ids: torch.Tensor,
        text_valid: torch.Tensor,
        z_ar: torch.Tensor,
        text_first: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Decoder hidden states [B,S,D] and the rows' text and image hidden states: those that
        predict each text slot [B,T,D] and each image token [B,N,D]."""
        b, t = text_ids.shape
        n = z_ar.shape[1]
        ones = torch.ones(b, 1, dtype=torch.bool, device=text_ids.device)
        bos = self.text_emb(torch.full((b, 1), BOS, device=text_ids.device))
        boi = self.text_emb(torch.full((b, 1), BOI, device=text_ids.device))
        txt = self.text_emb(text_ids)
        img = self.img_emb(z_ar)
        img_valid = torch.ones(b, n, dtype=torch.bool, device=text_ids.device)
        first = text_first[:, None, None]
        x = torch.where(
            first, torch.cat([bos, txt, boi, img], 1), torch.cat([boi, img, bos, txt], 1)
        )[:, :-1]
        valid = torch.where(
            text_first[:, None],
            torch.cat([ones, text_valid, ones, img_valid], 1),
            torch.cat([ones, img_valid, ones, text_valid], 1),
        )[:, :-1]
        hidden, _ = self.decoder(x, positions_from_valid(valid), additive_mask(valid))
        text_h = torch.where(first, hidden[:, :t], hidden[:, n + 1 : n + 1 + t])
        img_h = torch.where(first, hidden[:, t + 1 : t + 1 + n], hidden[:, :n])
        return hidden, text_h, img_h

    def score_bits(self, images: torch.Tensor, prompt_ids: torch.Tensor) -> torch.Tensor:
        """Exact bits per sub-pixel [B] of dequantised images [B,H,W,3] after an unpadded
        text-first prompt [B,P] ([<bos>, caption, <eos>, <boi>]): the `score` graph."""
        z, logdet = self.encode(images)
        z_ar, z_fact = self.split(z)
        p = prompt_ids.shape[1]
        x = torch.cat([self.text_emb(prompt_ids), self.img_emb(z_ar[:, :-1])], 1)
        b, s = x.shape[:2]
        valid = torch.ones(b, s, dtype=torch.bool, device=x.device)
        hidden, _ = self.decoder(x, positions_from_valid(valid), additive_mask(valid))
        logits, means, scales = self.gmm(hidden[:, p - 1 :])
        token_nll = gmm_nll(logits, means, scales, z_ar).sum(1)
        return self.image_bits(token_nll, standard_normal_nll(z_fact), logdet)
