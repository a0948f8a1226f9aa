"""Reference `jetformer` loops on onnxruntime: generate, infill, caption, score, bits per dim.

The Python twin of the TypeScript family runner: same graphs, manifest and PRNG, so golden files
hold the two together (soft tokens within 1e-3, images ≥ 45 dB).

Generation (rows [cond, uncond]; uncond is cond with each caption token replaced by <nolabel>):
  1. Prefill embed_text([<bos>, caption, <eos>, <boi>]) through the decoder.
  2. For each of the N tokens: gmm_head on the last hidden state of both rows; mixture logits ×
     temperatureProbs, scales × temperatureScales. One uniform from the sample stream picks the
     component k from the conditional mixture (float64 softmax, inverse CDF over ascending k);
     then ⌈d/2⌉ normal pairs (the first d values) give each AR dim from the guided Gaussian of
     component k (gmm.guided_gaussian) with w = cfgScale − 1, i.e. p_c^cfgScale · p_u^(1−cfgScale);
     cfgScale = 1 (or an empty caption) samples the conditional mixture alone. The dims, cast to
     f32, go through embed_image and one decoder step on both rows.
  3. The noise stream's normal pairs fill the factored dims token by token (N × (C − d) values in
     row-major order); flow_inverse maps the soft tokens to pixels; clip to [-1, 1];
     level = min(255, floor((x + 1) · 127.5)), the inverse of "level plus uniform noise".
Deterministic encodes (captioning, scoring, bits per dim) put each level at its bin centre:
x = (level + 0.5)/127.5 − 1.

Shape glossary: N tokens, C dims per token, d AR dims, K mixtures, P prompt tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tessera_models.common.kv_decoder import causal_mask_np
from tessera_models.common.prng import PURPOSE_NOISE, PURPOSE_SAMPLE, Prng, stream_id
from tessera_models.common.reference_runner import EmbedsRunner, normals
from tessera_models.common.sampling import draw_index
from tessera_models.jetformer.gmm import guided_gaussian
from tessera_models.jetformer.vocab import BOI, BOS, EOS, TEXT_OFFSET, Vocab


@dataclass(frozen=True)
class GmmSettings:
    cfg_scale: float = 3.0
    temperature_probs: float = 1.0  # multiplies the mixture logits
    temperature_scales: float = 0.9  # multiplies every component's σ


@dataclass
class Generated:
    tokens: np.ndarray  # f32 [N, C] soft tokens (AR dims sampled, factored dims N(0, 1))
    components: list[int]  # the mixture component drawn for each token
    image: np.ndarray  # u8 [H, W, 3]


def bin_centres(image_u8: np.ndarray) -> np.ndarray:
    return (image_u8.astype(np.float32) + 0.5) / 127.5 - 1.0


def to_u8(image: np.ndarray) -> np.ndarray:
    levels = np.floor((np.clip(image, -1.0, 1.0) + 1.0) * 127.5)
    return np.minimum(levels, 255).astype(np.uint8)


def kept_tokens(mask: np.ndarray, patch: int) -> np.ndarray:
    """True for each token (raster order) whose patch holds no pixel to redraw."""
    h, w = mask.shape
    return ~mask.reshape(h // patch, patch, w // patch, patch).any(axis=(1, 3)).ravel()


def mean_filled(image_u8: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The image with every pixel to redraw set to the known pixels' mean colour (integer
    division, half up)."""
    known = image_u8[~mask].astype(np.int64)
    n = len(known)
    out = image_u8.copy()
    out[mask] = ((2 * known.sum(axis=0) + n) // (2 * n)).astype(np.uint8)
    return out


def feathered_composite(
    original: np.ndarray, drawn: np.ndarray, mask: np.ndarray, feather_px: float
) -> np.ndarray:
    """`drawn` inside the mask, `original` outside, blended linearly over `feather_px` pixels of
    Euclidean distance to the nearest masked pixel (rounded half up); where the weight is 0 the
    original's bytes are kept."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    yy, xx = np.mgrid[0:h, 0:w]
    dist = np.sqrt((yy[..., None] - ys) ** 2 + (xx[..., None] - xs) ** 2).min(axis=-1)
    dist[mask] = 0.0
    if feather_px > 0:
        alpha = np.where(dist == 0, 1.0, np.maximum(0.0, 1 - dist / (feather_px + 1)))
    else:
        alpha = (dist == 0).astype(np.float64)
    a = alpha[..., None]
    blended = np.floor(a * drawn + (1 - a) * original + 0.5)
    return np.where(a == 0, original, blended).astype(np.uint8)


class JetFormerRunner(EmbedsRunner):
    TEXT_HEAD = "text_head"
    EOS = EOS
    TEXT_OFFSET = TEXT_OFFSET

    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        super().__init__(model_dir, threads)
        gmm = self.manifest["gmm"]
        self.tokens, self.token_dim = int(gmm["tokens"]), int(gmm["tokenDim"])
        self.ar_dims = int(gmm["arDims"])
        self.vocab = Vocab(self.words())

    # -- graph calls ----------------------------------------------------------------------------
    def append(
        self, embeds: np.ndarray, cache: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unpadded rows of embeddings [B,S,D] right after the cache: hidden [B,S,D], cache."""
        b, s, _ = embeds.shape
        mask = causal_mask_np(np.ones((b, s), bool), np.ones((b, cache[0].shape[2]), bool))
        return self.run_decoder(embeds, cache, mask)

    def _extend(
        self, embeds: np.ndarray, cache: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return self.append(embeds, cache)

    def embed_image(self, z_ar: np.ndarray) -> np.ndarray:
        return self._run("embed_image", {"z_ar": z_ar.astype(np.float32)})[0]

    def encode(self, image_u8: np.ndarray) -> tuple[np.ndarray, float]:
        """Soft tokens [N, C] and logdet of one image at its bin centres."""
        z, logdet = self._run("flow_forward", {"image": bin_centres(image_u8)[None]})
        return z[0], float(logdet[0])

    def decode(self, tokens: np.ndarray) -> np.ndarray:
        return self._run("flow_inverse", {"z": tokens[None].astype(np.float32)})[0][0]

    # -- tasks ----------------------------------------------------------------------------------
    def generate(
        self,
        prompt: str,
        style: str | None,
        seed: int,
        settings: GmmSettings,
        image_index: int = 0,
        known: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Generated:
        """`known`, for infill: (AR dims f32 [N, d], keep bool [N]); a kept token takes its known
        dims instead of its sample, and its draws are still taken, so every other token keeps its
        place in the sample stream."""
        caption = self.prompt_ids(prompt, style)
        guided = bool(caption) and settings.cfg_scale != 1.0
        rows = [self.vocab.prompt(caption)]
        if guided:
            rows.append(self.vocab.null_prompt(caption))
        hidden, cache = self.append(self.embed_text(rows), self.empty_cache(len(rows)))
        last = hidden[:, -1:]
        sample = Prng(seed, stream_id(image_index, PURPOSE_SAMPLE))
        w = settings.cfg_scale - 1.0
        d = self.ar_dims
        ar = np.zeros((self.tokens, d), np.float32)
        components = []
        for i in range(self.tokens):
            logits, means, scales = self._run("gmm_head", {"hidden": last})
            mix = logits[0, 0].astype(np.float64) * settings.temperature_probs
            probs = np.exp(mix - mix.max())
            k = draw_index(probs, np.ones(len(probs), bool), sample.uniform())
            components.append(k)
            eps = normals(sample, d)
            mu_c = means[0, 0, k].astype(np.float64)
            sd_c = scales[0, 0, k].astype(np.float64) * settings.temperature_scales
            if guided:
                mu_u = means[1, 0, k].astype(np.float64)
                sd_u = scales[1, 0, k].astype(np.float64) * settings.temperature_scales
                g = guided_gaussian(mu_c, sd_c, mu_u, sd_u, w)
                z = g.mean + g.std * eps
            else:
                z = mu_c + sd_c * eps
            ar[i] = known[0][i] if known is not None and known[1][i] else z.astype(np.float32)
            step = np.repeat(ar[i][None, None], len(rows), axis=0)
            hidden, cache = self.append(self.embed_image(step), cache)
            last = hidden[:, -1:]
        noise = Prng(seed, stream_id(image_index, PURPOSE_NOISE))
        factored = normals(noise, self.tokens * (self.token_dim - d)).astype(np.float32)
        tokens = np.concatenate([ar, factored.reshape(self.tokens, -1)], axis=1)
        return Generated(tokens=tokens, components=components, image=to_u8(self.decode(tokens)))

    def infill(
        self,
        image_u8: np.ndarray,
        mask: np.ndarray,
        prompt: str,
        style: str | None,
        seed: int,
        settings: GmmSettings,
        feather_px: float,
        image_index: int = 0,
    ) -> Generated:
        """Approximate infill; `mask`: bool [H, W], True = redraw. The hole is filled with the known
        pixels' mean colour and the image encoded at its bin centres (the couplings mix every
        patch, so an encoding of the old hole would leak it into the kept tokens). Tokens whose
        patch holds no pixel to redraw keep their AR dims (fed as if sampled) and factored dims;
        the others are sampled as `generate` samples them. The flow's inverse makes the picture,
        composited into the source through the feathered mask (pixels past the feather keep
        their bytes)."""
        if not mask.any():
            raise ValueError("the infill mask marks nothing to fill: paint the area to redraw")
        if mask.all():
            raise ValueError("the infill mask covers the whole image: generate instead")
        keep = kept_tokens(mask, int(self.manifest["image"]["patch"]))
        z, _ = self.encode(mean_filled(image_u8, mask))
        d = self.ar_dims
        out = self.generate(prompt, style, seed, settings, image_index, known=(z[:, :d], keep))
        tokens = out.tokens.copy()
        tokens[keep, d:] = z[keep, d:]
        drawn = to_u8(self.decode(tokens))
        image = feathered_composite(image_u8, drawn, mask, feather_px)
        return Generated(tokens=tokens, components=out.components, image=image)

    def _image_prefix(self, image_u8: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Runs [<boi>, image tokens, <bos>]: the hidden state after <bos>, and the cache."""
        z, _ = self.encode(image_u8)
        embeds = np.concatenate(
            [
                self.embed_text([[BOI]]),
                self.embed_image(z[None, :, : self.ar_dims]),
                self.embed_text([[BOS]]),
            ],
            axis=1,
        )
        hidden, cache = self.append(embeds, self.empty_cache(1))
        return hidden[:, -1:], cache

    def bits_per_dim(self, image_u8: np.ndarray, prompt: str, style: str | None) -> float:
        """Exact bits per sub-pixel of the image (bin centres) given a caption, by `score`."""
        ids = self.vocab.prompt(self.prompt_ids(prompt, style))
        (bits,) = self._run(
            "score",
            {"image": bin_centres(image_u8)[None], "prompt_ids": np.array([ids], np.int64)},
        )
        return float(bits[0])
