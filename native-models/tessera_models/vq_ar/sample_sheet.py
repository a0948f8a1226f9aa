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

from tessera_models.common.sample_sheet import PROMPTS, STYLE, panel, save_sheet
from tessera_models.common.settings_json import manifest_defaults
from tessera_models.vq_ar.evaluate import generate_best_of_codes
from tessera_models.vq_ar.reference_loop import VqArRunner


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
    save_sheet(panels, runner.manifest["id"], args.out)


if __name__ == "__main__":
    main()
