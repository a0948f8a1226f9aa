"""The parts every family's sample sheet shares: the 32 prompts, the labelled panel of images,
and stacking panels into one PNG under docs/samples/, so sheets of different families show the
same prompts laid out the same way and can be compared side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tessera_models.data.emoji import NATIVE_MODELS

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


def panel(images: list[np.ndarray], title: str, labels: list[str] | None = None) -> Image.Image:
    """`images` (32×32 RGB) in rows of eight, each scaled 3× and labelled (the prompts by
    default), under a title line."""
    labels = PROMPTS if labels is None else labels
    rows = (len(images) + COLS - 1) // COLS
    size = images[0].shape[0] * SCALE
    cell_w = max(CELL_W, size + 8)
    sheet = Image.new("RGB", (COLS * cell_w, 22 + rows * (size + LABEL_H)), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((4, 4), title, fill="black")
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        x, y = (i % COLS) * cell_w, 22 + (i // COLS) * (size + LABEL_H)
        sheet.paste(Image.fromarray(image).resize((size, size), Image.NEAREST), (x + 4, y))
        words = label if len(label) <= 16 else label[:15] + "…"
        draw.text((x + 4, y + size + 4), words, fill="black")
    return sheet


def save_sheet(panels: list[Image.Image], model_id: str, out: str | None) -> Path:
    """Stacks `panels` and writes them to `out`, by default docs/samples/<model name>.png."""
    height = sum(p.height for p in panels) + 10 * (len(panels) - 1)
    sheet = Image.new("RGB", (max(p.width for p in panels), height), "white")
    y = 0
    for p in panels:
        sheet.paste(p, (0, y))
        y += p.height + 10
    name = model_id.split("/")[-1]
    path = Path(out) if out else NATIVE_MODELS.parent / "docs" / "samples" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    print(f"wrote {path}")
    return path
