"""Reference `transfusion` loops on onnxruntime: generate, infill, caption, score captions.

The Python twin of the TypeScript family runner: same graphs, manifest and PRNG, so golden files
hold the two together. Sampler arithmetic is float64; the graphs get float32.

Generation (rows [cond, uncond]; uncond is cond with each caption token replaced by <null>;
one row when the caption is empty or cfgScale = 1):
  1. Prefill embed_text([<bos>, caption, <boi>]) through the decoder (causal) and keep its cache.
  2. x = N × C normals from the noise stream (Prng(seed, stream(imageIndex, noise)), normal
     pairs in row-major [patch, value] order).
  3. Each step: patch_in(x, t) for every row, the decoder against the prefix cache with the image
     block attending to the prefix and to itself both ways (positions P … P + N − 1), patch_out;
     guidance out = u + cfgScale·(c − u); the solver step (schedule.py). The step's own keys and
     values are discarded. The preview is the predicted clean image, at no extra model cost.
  4. Pixels: unpatchify, level = round((x + 1)·127.5) clipped to 0–255.
Infill (RePaint): before every network call the known values of x are replaced by the clean
image noised to the current level with fresh normals from the same noise stream (N × C more per
call), and at the end by the clean image itself. With resample r > 1 each step is taken r times:
after each but the last, the result goes back to the step's level by the forward process
(schedule.renoise_back), drawing N × C more normals.
Captioning reads [<bos>, <boi>, clean patches at t = 0, <eoi>] and decodes greedily.

Shape glossary: N patches, C values per patch, P prefix tokens, B rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tessera_models.common.prng import PURPOSE_NOISE, Prng, stream_id
from tessera_models.common.reference_runner import EmbedsRunner, normals
from tessera_models.transfusion.config import SAMPLERS
from tessera_models.transfusion.masks import block_causal_mask_np
from tessera_models.transfusion.schedule import (
    ddim_step,
    ddim_steps,
    ddim_x0,
    flow_step,
    flow_times,
    flow_x0,
    renoise_back,
    renoise_known,
)
from tessera_models.transfusion.vocab import BOI, BOS, EOI, EOS, TEXT_OFFSET, Vocab


@dataclass(frozen=True)
class DiffusionSettings:
    steps: int = 16
    cfg_scale: float = 3.0
    sampler: str = "ddim"
    resample: int = 1  # infill only: each step taken this many times (RePaint's r)


MAX_RESAMPLE = 20


class SamplingError(ValueError):
    """Settings or inputs a model cannot sample with, or a model whose outputs went bad; the
    message says what to do."""


@dataclass
class Generated:
    latent: np.ndarray  # f64 [N, C] the final clean patches in [-1, 1]
    image: np.ndarray  # u8 [H, W, 3]
    calls: int  # network evaluations (each a batch of the guidance rows)


def patchify_np(image: np.ndarray, patch: int) -> np.ndarray:
    """[H,W,3] -> [N, p·p·3], patches in raster order, values (row, column, channel)."""
    h, w, c = image.shape
    x = image.reshape(h // patch, patch, w // patch, patch, c).transpose(0, 2, 1, 3, 4)
    return x.reshape((h // patch) * (w // patch), patch * patch * c)


def unpatchify_np(tokens: np.ndarray, patch: int, size: int) -> np.ndarray:
    g = size // patch
    x = tokens.reshape(g, g, patch, patch, 3).transpose(0, 2, 1, 3, 4)
    return x.reshape(size, size, 3)


def to_unit(image_u8: np.ndarray) -> np.ndarray:
    return image_u8.astype(np.float64) / 127.5 - 1.0


def to_u8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.round((image + 1.0) * 127.5), 0, 255).astype(np.uint8)


class TransfusionRunner(EmbedsRunner):
    TEXT_HEAD = "lm_head"
    EOS = EOS
    TEXT_OFFSET = TEXT_OFFSET

    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        super().__init__(model_dir, threads)
        d = self.manifest.get("diffusion")
        reexport = "re-export the model with tessera_models.transfusion.export"
        if not isinstance(d, dict):
            raise SamplingError(f"{self.dir} has no diffusion block in its manifest: {reexport}")
        self.objective: str = d["objective"]
        self.timesteps = int(d["timesteps"])
        self.alphas_bar = np.array(d.get("alphasBar", []), np.float64)
        if self.objective == "ddpm" and (
            len(self.alphas_bar) != self.timesteps
            or not np.all(np.isfinite(self.alphas_bar))
            or not np.all((self.alphas_bar > 0) & (self.alphas_bar < 1))
        ):
            raise SamplingError(
                f"{self.dir}: the manifest's noise schedule is missing or damaged "
                f"({len(self.alphas_bar)} values in (0, 1) needed: {self.timesteps}): {reexport}"
            )
        self.bounds = d["bounds"]
        self.patches, self.patch_dim = int(d["patches"]), int(d["patchDim"])
        self.patch = int(self.manifest["image"]["patch"])
        self.size = int(self.manifest["image"]["width"])
        self.vocab = Vocab(self.words())

    # -- graph calls ----------------------------------------------------------------------------
    def decode(
        self, embeds: np.ndarray, cache: list[np.ndarray], image: tuple[int, int] | None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unpadded rows [B,S,D] right after the cache; `image` is the image block's span in
        whole-sequence positions, if any. Returns hidden [B,S,D] and the grown cache."""
        b, s, _ = embeds.shape
        return self.run_decoder(embeds, cache, block_causal_mask_np(b, s, cache[0].shape[2], image))

    def _extend(
        self, embeds: np.ndarray, cache: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return self.decode(embeds, cache, None)

    def patch_in(self, x: np.ndarray, t: float) -> np.ndarray:
        """x [B,N,C] at network time t -> embeddings [B,N,D]."""
        ts = np.full(len(x), t, np.float32)
        return self._run("patch_in", {"x_t": x.astype(np.float32), "t": ts})[0]

    def denoise(self, x: np.ndarray, t: float, cache: list[np.ndarray]) -> np.ndarray:
        """One network evaluation of the image block [B,N,C] against the prefix cache."""
        p = cache[0].shape[2]
        hidden, _ = self.decode(self.patch_in(x, t), cache, (p, p + self.patches))
        return self._run("patch_out", {"hidden": hidden})[0].astype(np.float64)

    # -- tasks ----------------------------------------------------------------------------------
    def prefill(self, prompt: str, style: str | None, cfg_scale: float) -> list[np.ndarray]:
        caption = self.prompt_ids(prompt, style)
        rows = [self.vocab.prefix(caption)]
        if caption and cfg_scale != 1.0:
            rows.append(self.vocab.null_prefix(caption))
        _, cache = self.decode(self.embed_text(rows), self.empty_cache(len(rows)), None)
        return cache

    def generate(
        self,
        prompt: str,
        style: str | None,
        seed: int,
        settings: DiffusionSettings,
        image_index: int = 0,
        known: tuple[np.ndarray, np.ndarray] | None = None,
        on_step: Callable[[int, np.ndarray], None] | None = None,
    ) -> Generated:
        """`known`: (image u8 [H,W,3], mask bool [H,W], True = keep) for infill. `on_step` gets
        each step's index and predicted clean patches [N,C] (the preview)."""
        self.check(settings, known)
        cache = self.prefill(prompt, style, settings.cfg_scale)
        rows = cache[0].shape[0]
        noise = Prng(seed, stream_id(image_index, PURPOSE_NOISE))
        count = self.patches * self.patch_dim
        x = normals(noise, count).reshape(self.patches, self.patch_dim)
        keep_x0 = keep = None
        if known is not None:
            keep_x0 = patchify_np(to_unit(known[0]), self.patch)
            keep = patchify_np(np.repeat(known[1][..., None], 3, axis=2), self.patch)
        calls = 0

        def model(x: np.ndarray, t: float) -> np.ndarray:
            nonlocal calls
            calls += 1
            out = self.denoise(np.repeat(x[None], rows, axis=0), t, cache)
            if not np.all(np.isfinite(out)):
                raise SamplingError(
                    f"the model produced NaN or infinite values at network call {calls}: its "
                    "graph files may be damaged; re-export or re-download the model"
                )
            return out[0] if rows == 1 else out[1] + settings.cfg_scale * (out[0] - out[1])

        def impose(x: np.ndarray, level: float) -> np.ndarray:
            if keep is None or keep_x0 is None:
                return x
            fresh = normals(noise, count).reshape(x.shape)
            return np.where(keep, renoise_known(keep_x0, fresh, self.objective, level), x)

        def back(x: np.ndarray, level_from: float, level_to: float) -> np.ndarray:
            fresh = normals(noise, count).reshape(x.shape)
            return renoise_back(x, fresh, self.objective, level_from, level_to)

        repeats = settings.resample if known is not None else 1

        if self.objective == "ddpm":
            if settings.sampler != "ddim":
                raise ValueError(f"a ddpm model samples with ddim, not {settings.sampler!r}")
            ks = ddim_steps(self.timesteps, settings.steps)
            for i, k in enumerate(ks):
                a = float(self.alphas_bar[k])
                a_next = float(self.alphas_bar[ks[i + 1]]) if i + 1 < len(ks) else 1.0
                for j in range(repeats):
                    if j:
                        x = back(x, a_next, a)
                    x = impose(x, a)
                    eps = model(x, k / self.timesteps)
                    x, x0 = ddim_step(x, eps, a, a_next), ddim_x0(x, eps, a)
                if on_step is not None:
                    on_step(i, x0)
        else:
            if settings.sampler not in SAMPLERS["flow"]:
                raise ValueError(
                    f"a flow model samples with {', '.join(SAMPLERS['flow'])}, "
                    f"not {settings.sampler!r}"
                )
            ts = flow_times(settings.steps)
            for i in range(settings.steps):
                t, t_next = ts[i], ts[i + 1]
                for j in range(repeats):
                    if j:
                        x = back(x, t_next, t)
                    x = impose(x, t)
                    v = model(x, t)
                    x0 = flow_x0(x, v, t)
                    x = flow_step(model, x, v, t, t_next, settings.sampler)
                if on_step is not None:
                    on_step(i, x0)
        x = np.clip(x, -1.0, 1.0)
        if keep is not None and keep_x0 is not None:
            x = np.where(keep, keep_x0, x)
        image = to_u8(unpatchify_np(x, self.patch, self.size))
        return Generated(latent=x, image=image, calls=calls)

    def check(
        self, settings: DiffusionSettings, known: tuple[np.ndarray, np.ndarray] | None
    ) -> None:
        """Refuses settings outside the manifest's bounds and infill masks with nothing to fill
        or nothing known, before any work is done."""
        lo, hi = self.bounds["steps"]
        if not lo <= settings.steps <= hi:
            raise SamplingError(f"steps must be between {lo} and {hi}, not {settings.steps}")
        lo, hi = self.bounds["cfgScale"]
        if not lo <= settings.cfg_scale <= hi or not np.isfinite(settings.cfg_scale):
            raise SamplingError(f"guidance must be between {lo} and {hi}, not {settings.cfg_scale}")
        if not 1 <= settings.resample <= MAX_RESAMPLE:
            raise SamplingError(f"resample must be between 1 and {MAX_RESAMPLE}")
        if known is not None:
            keep = np.asarray(known[1], bool)
            if keep.shape != (self.size, self.size) or known[0].shape != (self.size, self.size, 3):
                raise SamplingError(f"infill needs a {self.size}×{self.size} image and mask")
            if keep.all():
                raise SamplingError(
                    "the infill mask marks nothing to fill: paint the area to redraw"
                )
            if not keep.any():
                raise SamplingError(
                    "the infill mask covers the whole image: generate instead, or leave some pixels"
                )

    def _image_prefix(self, image_u8: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Runs [<bos>, <boi>, clean patches at t = 0, <eoi>]: the last hidden state, the cache."""
        x0 = patchify_np(to_unit(image_u8), self.patch)[None]
        embeds = np.concatenate(
            [self.embed_text([[BOS, BOI]]), self.patch_in(x0, 0.0), self.embed_text([[EOI]])],
            axis=1,
        )
        hidden, cache = self.decode(embeds, self.empty_cache(1), (2, 2 + self.patches))
        return hidden[:, -1:], cache
