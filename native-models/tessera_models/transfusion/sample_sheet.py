"""Draws the sample sheet of an exported `transfusion` model: the 32 prompts at the manifest's
defaults and without guidance, the same eight prompts at 4, 8, 16 and 32 steps, an infill of a
centre hole in eight test images, and the model's greedy captions of eight test images.

Usage: python -m tessera_models.transfusion.sample_sheet --model DIR [--out docs/samples/NAME.png]
Seeds are the prompt's index (the test item's index for infill), as the evaluation draws them.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from tessera_models.common.sample_sheet import PROMPTS, STYLE, panel, save_sheet
from tessera_models.data.emoji import load_emoji
from tessera_models.transfusion.evaluate import HOLE, defaults_of
from tessera_models.transfusion.golden import centre_mask
from tessera_models.transfusion.reference_loop import DiffusionSettings, TransfusionRunner

STEP_SWEEP = (4, 8, 16, 32)
EIGHT = PROMPTS[:8]


def settings_line(s: DiffusionSettings) -> str:
    return f"{s.sampler} · {s.steps} steps · CFG {s.cfg_scale:g}"


def draw(runner: TransfusionRunner, prompts: list[str], s: DiffusionSettings) -> list[np.ndarray]:
    return [runner.generate(p, STYLE, i, s).image for i, p in enumerate(prompts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    runner = TransfusionRunner(Path(args.model))
    model_id = runner.manifest["id"]
    base = defaults_of(runner.manifest)
    head = f"{model_id} · style {STYLE} · seed = index"
    panels = [
        panel(draw(runner, PROMPTS, base), f"{head} · {settings_line(base)} (defaults)"),
        panel(
            draw(runner, PROMPTS, replace(base, cfg_scale=1.0)),
            f"{head} · {settings_line(replace(base, cfg_scale=1.0))} (no guidance)",
        ),
    ]
    by_steps, labels = [], []
    for steps in STEP_SWEEP:
        by_steps += draw(runner, EIGHT, replace(base, steps=steps))
        labels += [f"{steps} steps" for _ in EIGHT]
    panels.append(panel(by_steps, "the first eight prompts at 4, 8, 16 and 32 steps", labels))

    data = load_emoji(size=runner.size)
    test = data.indices("test")[:8]
    keep = centre_mask(runner.size, HOLE)
    sources = [data.images[i] for i in test]
    holes = [np.where(keep[..., None], img, 128).astype(np.uint8) for img in sources]
    filled = [
        runner.generate(
            data.records[i].caption, data.records[i].set, int(i), base, known=(img, keep)
        ).image
        for i, img in zip(test, sources, strict=True)
    ]
    names = [data.records[i].caption for i in test]
    panels.append(
        panel(
            [*sources, *holes, *filled],
            f"infill of a centre {HOLE}x{HOLE} hole in eight test images (source, hole, result), "
            "prompted with their captions",
            [*names, *["hole" for _ in test], *["infilled" for _ in test]],
        )
    )
    captions = [runner.caption(img) for img in sources]
    panels.append(panel(sources, "the model's greedy captions of the same test images", captions))
    save_sheet(panels, model_id, args.out)


if __name__ == "__main__":
    main()
