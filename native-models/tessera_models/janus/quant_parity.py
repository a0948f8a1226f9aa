"""How far a quantised language model strays from fp32 PyTorch, where it matters: the logits a
greedy loop picks from. Along transformers' own greedy sequences (an image's codes under Janus's
guidance, a caption of the pattern picture), every position's logits are computed by the fp32
model and by the quantised graphs on the same context, in one prefill each (teacher forcing).

Recorded per head: the max and rms logit errors, the fp32 logits' standard deviation (the scale
errors are judged against) and top-1 agreement, the share of positions where the quantised graphs
pick the fp32 model's token (for images, the guided pick).

The bound, and why. A symmetric b-bit quantiser over blocks of 32 rounds each weight to a step of
the block's max|w| / (2^(b-1) - 1): an error uniform within half a step, which for Gaussian
weights is a relative rms error ε of about 9 % at 4 bits and 0.5 % at 8 bits (`weight_noise`
measures it on Gaussian blocks through the same rounding). Each quantised matmul adds that
relative noise to what it computes; independent noises add in quadrature, so the logits carry
about ε·√n of their scale, n the quantised matmuls on the path (7 per Llama layer plus the head's).
The rms logit error must stay under 1.5 ε √n σ (σ the fp32 logits' std), and the max under 8 ε √n σ
(the largest of a few thousand near-Gaussian errors is about 4 rms; the rest is margin for tails).
Top-1 agreement is held to a floor, not derived: a pick flips wherever the two best logits are
closer than the noise, which depends on the model's margins (the tiny random model's are small).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from transformers import DynamicCache, JanusForConditionalGeneration

from tessera_models.common.decoder_io import cpu_session
from tessera_models.janus.graphs import past_names
from tessera_models.janus.quantize import Q4_BLOCK_SIZE, quantized_ops
from tessera_models.janus.reference import CAPTION_TOKENS, GUIDANCE, pattern_image, pixel_values

BITS = {"q4": 4, "int8": 8}
TOP1_FLOOR = {"q4": 0.6, "int8": 0.95}
RMS_MARGIN = 1.5
MAX_MARGIN = 8.0
# The image codes compared: all of them on a small model, the first rows at real size (the
# fp32 PyTorch loop is the slow part of a conversion).
MAX_CODES = 96


class QuantParityError(AssertionError):
    pass


def weight_noise(bits: int, block: int = Q4_BLOCK_SIZE) -> float:
    """Relative rms error ε of symmetric `bits`-bit rounding over blocks of Gaussian weights."""
    w = np.random.default_rng(0).standard_normal((4096, block))
    step = np.abs(w).max(axis=1, keepdims=True) / (2 ** (bits - 1) - 1)
    return float(np.sqrt(((np.round(w / step) * step - w) ** 2).mean()))


def quantized_matmuls(path: Path) -> int:
    return quantized_ops(onnx.load(str(path), load_external_data=False))


def _torch_greedy(
    model: JanusForConditionalGeneration,
    embeds: torch.Tensor,
    steps: int,
    head: torch.nn.Module,
    pick: Any,
    embed_next: Any,
    stop: int | None = None,
) -> tuple[list[int], torch.Tensor]:
    """Greedy steps of the fp32 model from prompt embeddings [B, S, D]; returns the chosen ids
    and every step's logits [B, steps, V]."""
    lm = model.model.language_model
    cache = DynamicCache(config=lm.config)
    chosen: list[int] = []
    logits = []
    with torch.no_grad():
        x = embeds
        for _ in range(steps):
            out = lm(inputs_embeds=x, cache=cache, use_cache=True)
            cache = out.cache
            step = head(out.last_hidden_state[:, -1:])
            logits.append(step)
            chosen.append(pick(step[:, 0]))
            if chosen[-1] == stop:
                break
            x = embed_next(chosen[-1], embeds.shape[0])
    return chosen, torch.cat(logits, dim=1)


def _onnx_logits(
    model: JanusForConditionalGeneration,
    lm: Path,
    head: Path,
    embeds: torch.Tensor,
    first: int,
) -> np.ndarray:
    """The quantised graphs' logits [B, S - first, V] over embeddings [B, S, D], one prefill."""
    tc = model.config.text_config
    head_dim = getattr(tc, "head_dim", None) or tc.hidden_size // tc.num_attention_heads
    b, s, _ = embeds.shape
    feed: dict[str, np.ndarray] = {
        "inputs_embeds": embeds.numpy(),
        "attention_mask": np.ones((b, s), np.int64),
        "position_ids": np.tile(np.arange(s), (b, 1)),
    }
    empty = np.zeros((b, tc.num_key_value_heads, 0, head_dim), np.float32)
    feed |= {n: empty for n in past_names(tc.num_hidden_layers)}
    hidden = cpu_session(lm).run(None, feed)[0]
    return cpu_session(head).run(None, {"hidden_states": hidden[:, first:]})[0]


def _compare(ref: torch.Tensor, out: np.ndarray, agree: np.ndarray) -> dict[str, float]:
    r = ref.numpy()
    return {
        "maxLogitError": float(np.abs(out - r).max()),
        "rmsLogitError": float(np.sqrt(((out - r) ** 2).mean())),
        "logitStd": float(r.std()),
        "top1Agreement": float(agree.mean()),
    }


def image_parity(
    model: JanusForConditionalGeneration, paths: dict[str, Path], ids: list[int], pad: int
) -> dict[str, float]:
    grid = model.config.vq_config.num_patches
    steps = min(grid * grid, MAX_CODES)
    uncond = [ids[0], *[pad] * (len(ids) - 2), ids[-1]]
    rows = torch.tensor([ids, uncond])
    with torch.no_grad():
        prompt = model.get_input_embeddings()(rows)

    def guided(logits: torch.Tensor) -> torch.Tensor:
        return logits[1] + GUIDANCE * (logits[0] - logits[1])

    def embed_code(code: int, batch: int) -> torch.Tensor:
        ids = torch.full((batch, 1), code)
        return model.prepare_embeddings_for_image_generation(ids)

    codes, ref = _torch_greedy(
        model,
        prompt,
        steps,
        model.model.generation_head,
        lambda step: int(guided(step).argmax()),
        embed_code,
    )
    with torch.no_grad():
        ctx = model.prepare_embeddings_for_image_generation(torch.tensor([codes[:-1]] * 2))
    embeds = torch.cat([prompt, ctx], dim=1)
    out = _onnx_logits(model, paths["language_model"], paths["gen_head"], embeds, len(ids) - 1)
    picks = (out[1] + GUIDANCE * (out[0] - out[1])).argmax(-1)
    return _compare(ref, out, picks == np.array(codes))


def caption_parity(
    model: JanusForConditionalGeneration, paths: dict[str, Path], ids: list[int], eos: int
) -> dict[str, float]:
    vc = model.config.vision_config
    x = torch.tensor([ids])
    pixels = torch.from_numpy(pixel_values(pattern_image(vc.image_size)))[None]
    with torch.no_grad():
        prompt = model.get_input_embeddings()(x)
        features = model.model.get_image_features(pixels).pooler_output.reshape(
            -1, prompt.shape[-1]
        )
        prompt = prompt.masked_scatter((x == model.config.image_token_id).unsqueeze(-1), features)
    embed = model.get_input_embeddings()
    tokens, ref = _torch_greedy(
        model,
        prompt,
        CAPTION_TOKENS,
        model.lm_head,
        lambda step: int(step[0].argmax()),
        lambda token, batch: embed(torch.full((batch, 1), token)),
        stop=eos,
    )
    with torch.no_grad():
        embeds = torch.cat([prompt, embed(torch.tensor([tokens[:-1]]))], dim=1)
    out = _onnx_logits(model, paths["language_model"], paths["lm_head"], embeds, len(ids) - 1)
    return _compare(ref, out, out[0].argmax(-1) == np.array(tokens))


def check_quantized(
    model: JanusForConditionalGeneration,
    paths: dict[str, Path],
    dtype: str,
    *,
    image_ids: list[int],
    caption_ids: list[int],
    pad: int,
    eos: int,
) -> dict[str, Any]:
    """The quantised graphs' report; raises QuantParityError when a bound is passed."""
    eps = weight_noise(BITS[dtype])
    report: dict[str, Any] = {
        "dtype": dtype,
        "weightNoise": eps,
        "gen_head": image_parity(model, paths, image_ids, pad),
        "lm_head": caption_parity(model, paths, caption_ids, eos),
    }
    for head in ("gen_head", "lm_head"):
        r = report[head]
        n = quantized_matmuls(paths["language_model"]) + quantized_matmuls(paths[head])
        scale = eps * n**0.5 * r["logitStd"]
        r["bounds"] = {
            "rmsLogitError": RMS_MARGIN * scale,
            "maxLogitError": MAX_MARGIN * scale,
            "top1Agreement": TOP1_FLOOR[dtype],
        }
        for key in ("rmsLogitError", "maxLogitError"):
            if r[key] > r["bounds"][key]:
                raise QuantParityError(
                    f"{dtype} {head}: {key} {r[key]:.3g} is over its bound "
                    f"{r['bounds'][key]:.3g} (ε {eps:.3g} over {n} quantised matmuls)"
                )
        if r["top1Agreement"] < TOP1_FLOOR[dtype]:
            raise QuantParityError(
                f"{dtype} {head}: top-1 agreement {r['top1Agreement']:.3f} is under "
                f"{TOP1_FLOOR[dtype]}"
            )
    return report
