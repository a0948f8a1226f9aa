"""What transformers' own Janus generation makes from a checkpoint, for the TypeScript loop to
reproduce exactly: greedy image codes with Janus's guidance, a greedy caption of a synthetic
picture (pattern_image; app/inference/families/janus-pro/ draws the same one), log p(text |
picture) of a few texts through the understanding path, and a constrained infill on the code
grid (codes outside the mask teacher-forced, the rest picked in raster order).

Usage: python -m tessera_models.janus.reference --src CHECKPOINT --out reference.json
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import (
    AutoTokenizer,
    DynamicCache,
    JanusConfig,
    JanusForConditionalGeneration,
    PreTrainedTokenizerBase,
)

from tessera_models.janus.manifest import CAPTION_QUESTION, GENERATE_TEMPLATE

PROMPTS = ("a red heart", "a smiling face")
GUIDANCE = 5.0
CAPTION_TOKENS = 12
SCORE_TEXTS = ("a red heart", "a photo of a cup of coffee on a wooden table")
# The infill's mask in pixels of the generated picture, as [top, left, bottom, right) fractions:
# it touches whole and part cells, so snapping to the grid is exercised.
INFILL_BOX = (0.3, 0.2, 0.7, 0.75)


def pattern_image(size: int) -> np.ndarray:
    """RGB uint8 [size, size, 3]: smooth ramps and a diagonal band, no file needed."""
    y, x = np.mgrid[0:size, 0:size]
    r = (x * 255) // (size - 1)
    g = (y * 255) // (size - 1)
    b = np.where(np.abs(x - y) < size // 8, 230, 40)
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def pixel_values(rgb: np.ndarray) -> np.ndarray:
    """Janus's image processor on an image already at its input size: [0, 255] to [-1, 1]."""
    x = rgb.astype(np.float32) / np.float32(255)
    return ((x - np.float32(0.5)) / np.float32(0.5)).transpose(2, 0, 1)


def generate_prompt_ids(tokenizer: PreTrainedTokenizerBase, prompt: str) -> list[int]:
    """<bos>, Janus's chat template around the prompt, <begin_of_image>."""
    text = tokenizer.encode(GENERATE_TEMPLATE.format(prompt=prompt), add_special_tokens=False)
    return [tokenizer.bos_token_id, *text, tokenizer.convert_tokens_to_ids("<begin_of_image>")]


def caption_prompt_ids(tokenizer: PreTrainedTokenizerBase, config: JanusConfig) -> list[int]:
    """The caption prompt with one picture's placeholder slots, as transformers writes it."""
    tok = lambda s: tokenizer.encode(s, add_special_tokens=False)  # noqa: E731
    ids = [tokenizer.bos_token_id, *tok("<|User|>: ")]
    ids += [tokenizer.convert_tokens_to_ids("<begin_of_image>")]
    ids += [config.image_token_id] * config.vision_config.num_image_tokens
    ids += [tokenizer.convert_tokens_to_ids("<end_of_image>")]
    return ids + tok(f"\n{CAPTION_QUESTION}\n\n<|Assistant|>:")


def score_texts(
    model: JanusForConditionalGeneration,
    tokenizer: PreTrainedTokenizerBase,
    texts: tuple[str, ...],
    pixels: torch.Tensor,
) -> dict[str, Any]:
    """log p(text, <eos> | picture) in nats: the caption prompt with the picture's features,
    then the text as the assistant's answer, each token's log-softmax summed in float64."""
    prompt = caption_prompt_ids(tokenizer, model.config)
    ids, log_probs = [], []
    for text in texts:
        answer = tokenizer.encode(text, add_special_tokens=False)
        x = torch.tensor([prompt + answer])
        with torch.no_grad():
            logits = model(
                input_ids=x, pixel_values=pixels, attention_mask=torch.ones_like(x)
            ).logits
        rows = torch.log_softmax(logits[0, len(prompt) - 1 :].double(), dim=-1)
        targets = torch.tensor([*answer, tokenizer.eos_token_id])
        ids.append(answer)
        log_probs.append(float(rows.gather(1, targets[:, None]).sum()))
    return {"texts": list(texts), "ids": ids, "logProbs": log_probs}


def to_rgb(decoded: torch.Tensor) -> np.ndarray:
    """image_decode's [1, 3, H, W] to RGB uint8 [H, W, 3] as the app maps it (Janus's own rule:
    clip((x + 1) / 2 * 255), truncated)."""
    x = ((decoded[0].float() + 1) * 127.5).clamp(0, 255).to(torch.uint8)
    return x.permute(1, 2, 0).numpy()


def masked_cells(box: tuple[float, float, float, float], size: int, grid: int) -> np.ndarray:
    """The pixel mask of `box` [size, size] snapped to the grid: a cell is regenerated when any
    of its pixels is masked."""
    top, left, bottom, right = (round(f * size) for f in box)
    mask = np.zeros((size, size), bool)
    mask[top:bottom, left:right] = True
    cell = size // grid
    return mask.reshape(grid, cell, grid, cell).any(axis=(1, 3)).reshape(-1)


def infill(
    model: JanusForConditionalGeneration, ids: list[int], source: list[int], cells: np.ndarray
) -> list[int]:
    """Constrained infill with transformers' modules: [cond; uncond] rows as in generation;
    in raster order each cell outside the mask takes the source code, each inside the guided
    greedy pick; every code is fed to both rows."""
    pad = model.generation_config.pad_token_id
    rows = torch.tensor([ids, [ids[0], *[pad] * (len(ids) - 2), ids[-1]]])
    lm = model.model.language_model
    cache = DynamicCache(config=lm.config)
    codes: list[int] = []
    with torch.no_grad():
        x = model.get_input_embeddings()(rows)
        for k, keep in enumerate(~cells):
            out = lm(inputs_embeds=x, cache=cache, use_cache=True)
            cache = out.cache
            if keep:
                codes.append(source[k])
            else:
                logits = model.model.generation_head(out.last_hidden_state[:, -1])
                codes.append(int((logits[1] + GUIDANCE * (logits[0] - logits[1])).argmax()))
            x = model.prepare_embeddings_for_image_generation(torch.tensor([[codes[-1]]] * 2))
    return codes


def infill_reference(
    model: JanusForConditionalGeneration,
    tokenizer: PreTrainedTokenizerBase,
    picture_codes: list[int],
) -> dict[str, Any]:
    """The source picture is the one image_decode draws from `picture_codes`, as RGB bytes; its
    codes are what the VQ encoder gives for those bytes (u8 / 127.5 - 1)."""
    vq = model.model.vqmodel
    grid = model.config.vq_config.num_patches
    with torch.no_grad():
        rgb = to_rgb(vq.decode(torch.tensor([picture_codes])))
        x = torch.from_numpy(rgb.astype(np.float32) / np.float32(127.5) - np.float32(1.0))
        source = vq.encode(x.permute(2, 0, 1)[None]).image_tokens.reshape(-1).tolist()
    cells = masked_cells(INFILL_BOX, rgb.shape[0], grid)
    ids = generate_prompt_ids(tokenizer, PROMPTS[1])
    return {
        "prompt": PROMPTS[1],
        "ids": ids,
        "guidance": GUIDANCE,
        "pictureRgb": base64.b64encode(rgb.tobytes()).decode(),
        "box": list(INFILL_BOX),
        "sourceCodes": source,
        "cells": cells.astype(int).tolist(),
        "codes": infill(model, ids, source, cells),
    }


def reference(src: Path) -> dict[str, Any]:
    model = JanusForConditionalGeneration.from_pretrained(src, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(src)
    images = []
    for prompt in PROMPTS:
        ids = generate_prompt_ids(tokenizer, prompt)
        x = torch.tensor([ids])
        codes = model.generate(
            x,
            attention_mask=torch.ones_like(x),
            generation_mode="image",
            do_sample=False,
            guidance_scale=GUIDANCE,
        )
        images.append(
            {"prompt": prompt, "ids": ids, "guidance": GUIDANCE, "codes": codes[0].tolist()}
        )
    vc = model.config.vision_config
    ids = caption_prompt_ids(tokenizer, model.config)
    x = torch.tensor([ids])
    pixels = torch.from_numpy(pixel_values(pattern_image(vc.image_size)))[None]
    out = model.generate(
        x,
        attention_mask=torch.ones_like(x),
        pixel_values=pixels,
        max_new_tokens=CAPTION_TOKENS,
        do_sample=False,
    )
    caption = {"ids": ids, "tokens": out[0, len(ids) :].tolist(), "maxTokens": CAPTION_TOKENS}
    return {
        "images": images,
        "caption": caption,
        "score": score_texts(model, tokenizer, SCORE_TEXTS, pixels),
        "infill": infill_reference(model, tokenizer, images[0]["codes"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.write_text(json.dumps(reference(args.src), indent=1) + "\n")


if __name__ == "__main__":
    main()
