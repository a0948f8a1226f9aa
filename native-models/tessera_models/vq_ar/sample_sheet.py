"""Draws the sample sheet: 32 prompts at CFG 1 and CFG 3 from an exported `vq-ar` model, and
for a model with a retrieval memory, the document each prompt was given.

Usage: python -m tessera_models.vq_ar.sample_sheet --model DIR [--out docs/samples/NAME.png]
Seeds are the prompt's index; settings are the manifest defaults except the CFG scale, and
each image is the best of the manifest's bestOf candidates, as the studio makes it.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tessera_models.common.settings_json import manifest_defaults
from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.vq_ar.evaluate import generate_best_of_codes
from tessera_models.vq_ar.reference_loop import VqArRunner

PROMPTS = [
    "grinning face", "red heart", "red apple", "pizza", "dog face", "cat face", "sun", "rocket",
    "banana", "star", "fire", "snowman", "ghost", "pile of poo", "crescent moon", "rainbow",
    "four leaf clover", "hot beverage", "birthday cake", "soccer ball", "blue heart",
    "green apple", "thumbs up", "smiling face with sunglasses", "face with tears of joy",
    "penguin", "frog", "tomato", "cherries", "sunflower", "umbrella", "light bulb",
]  # fmt: skip
STYLE = "twemoji"
SCALE = 3
CELL_W, LABEL_H, COLS = 104, 26, 8


def panel(images: list[np.ndarray], title: str) -> Image.Image:
    rows = (len(images) + COLS - 1) // COLS
    size = 32 * SCALE
    sheet = Image.new("RGB", (COLS * CELL_W, 22 + rows * (size + LABEL_H)), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((4, 4), title, fill="black")
    for i, (image, prompt) in enumerate(zip(images, PROMPTS, strict=True)):
        x, y = (i % COLS) * CELL_W, 22 + (i // COLS) * (size + LABEL_H)
        sheet.paste(Image.fromarray(image).resize((size, size), Image.NEAREST), (x + 4, y))
        words = prompt if len(prompt) <= 16 else prompt[:15] + "…"
        draw.text((x + 4, y + size + 4), words, fill="black")
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    runner = VqArRunner(Path(args.model))
    base, best_of = manifest_defaults(runner.manifest["sampling"]["defaults"])
    prompts = [runner.prompt_ids(p, STYLE) for p in PROMPTS]
    texts = [runner.prompt_ids(p, None) for p in PROMPTS]
    docs = (
        [runner.document_ids(runner.retrieve(p)) for p in PROMPTS]
        if runner.memory is not None
        else None
    )
    panels = []
    for scale in (1.0, 3.0):
        s = replace(base, cfg_scale=scale)
        best, _ = generate_best_of_codes(runner, prompts, texts, s, best_of, docs)
        images = list(runner.decode(best))
        title = (
            f"{runner.manifest['id']} · style {STYLE} · CFG {scale:g} · top-p {s.top_p:g}"
            f" · temperature {s.temperature:g} · best of {best_of} · seed = index"
        )
        panels.append(panel(images, title))
    if runner.memory is not None:
        # What each prompt retrieved, so a reader can tell drawing from copying.
        shown = list(runner.document_images([runner.retrieve(p) for p in PROMPTS]))
        panels.append(panel(shown, "the document each prompt retrieved from the model's memory"))
    height = sum(p.height for p in panels) + 10 * (len(panels) - 1)
    sheet = Image.new("RGB", (panels[0].width, height), "white")
    y = 0
    for p in panels:
        sheet.paste(p, (0, y))
        y += p.height + 10
    name = runner.manifest["id"].split("/")[-1]
    out = Path(args.out) if args.out else NATIVE_MODELS.parent / "docs" / "samples" / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
