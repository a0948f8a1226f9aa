"""What transformers' own Janus generation makes from a checkpoint, for the TypeScript loop to
reproduce exactly: greedy image codes with Janus's guidance, and a greedy caption of a
synthetic picture (pattern_image; app/inference/families/janus-pro/ draws the same one).

Usage: python -m tessera_models.janus.reference --src CHECKPOINT --out reference.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoTokenizer, JanusForConditionalGeneration

from tessera_models.janus.manifest import CAPTION_QUESTION, GENERATE_TEMPLATE

PROMPTS = ("a red heart", "a smiling face")
GUIDANCE = 5.0
CAPTION_TOKENS = 12


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


def reference(src: Path) -> dict[str, Any]:
    model = JanusForConditionalGeneration.from_pretrained(src, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(src)
    tok = lambda s: tokenizer.encode(s, add_special_tokens=False)  # noqa: E731
    bos, boi = tokenizer.bos_token_id, tokenizer.convert_tokens_to_ids("<begin_of_image>")
    eoi = tokenizer.convert_tokens_to_ids("<end_of_image>")
    images = []
    for prompt in PROMPTS:
        ids = [bos, *tok(GENERATE_TEMPLATE.format(prompt=prompt)), boi]
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
    ids = [bos, *tok("<|User|>: "), boi]
    ids += [model.config.image_token_id] * vc.num_image_tokens
    ids += [eoi, *tok(f"\n{CAPTION_QUESTION}\n\n<|Assistant|>:")]
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
    return {"images": images, "caption": caption}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.write_text(json.dumps(reference(args.src), indent=1) + "\n")


if __name__ == "__main__":
    main()
