"""Golden outputs that hold the TypeScript runner to the Python reference loop.

golden.json: for fixed prompts, seeds and settings, the final clean patches (f32, base64), the
image and the number of network calls; one infill (RePaint, resampled twice); greedy captions and caption scores of test
images.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common import golden_parts
from tessera_models.common.onnx_tools import sha256_file
from tessera_models.data.emoji import EmojiDataset
from tessera_models.transfusion.reference_loop import DiffusionSettings, TransfusionRunner


def centre_mask(size: int, hole: int) -> np.ndarray:
    """bool [size,size]: True (known) everywhere but the centre hole."""
    mask = np.ones((size, size), bool)
    lo = (size - hole) // 2
    mask[lo : lo + hole, lo : lo + hole] = False
    return mask


def settings_json(s: DiffusionSettings) -> dict[str, Any]:
    return {
        "steps": s.steps,
        "cfgScale": s.cfg_scale,
        "sampler": s.sampler,
        "resample": s.resample,
    }


def generate_cases(defaults: DiffusionSettings) -> list[dict[str, Any]]:
    return [
        {"prompt": "grinning face", "style": "twemoji", "seed": 1, "settings": defaults},
        {
            "prompt": "red apple",
            "style": "noto",
            "seed": 7,
            "settings": DiffusionSettings(3, 1.0, defaults.sampler),
        },
        {
            "prompt": "red heart",
            "style": None,
            "seed": 4294967295,
            "settings": DiffusionSettings(5, 5.0, defaults.sampler),
        },
    ]


def _image_case(out: Any) -> dict[str, Any]:
    return {
        "latentF32Base64": golden_parts.b64(np.ascontiguousarray(out.latent, "<f4").tobytes()),
        "calls": out.calls,
        "image": golden_parts.image_json(out.image),
    }


def write_goldens(
    model_dir: Path, data: EmojiDataset, defaults: DiffusionSettings
) -> dict[str, Any]:
    runner = TransfusionRunner(model_dir, threads=2)
    cases: list[dict[str, Any]] = []
    for case in generate_cases(defaults):
        s: DiffusionSettings = case["settings"]
        out = runner.generate(case["prompt"], case["style"], case["seed"], s)
        prefix = runner.vocab.prefix(runner.prompt_ids(case["prompt"], case["style"]))
        cases.append(
            golden_parts.generate_case(case, settings_json(s))
            | {"prefixIds": prefix, **_image_case(out)}
        )
    test = data.indices("test")
    source = data.images[test[0]]
    rec = data.records[test[0]]
    mask = centre_mask(data.size, data.size // 2)
    infill = replace(defaults, resample=2)
    out = runner.generate(rec.caption, rec.set, 3, infill, known=(source, mask))
    cases.append(
        {
            "task": "infill",
            "prompt": rec.caption,
            "style": rec.set,
            "seed": 3,
            "imageIndex": 0,
            "settings": settings_json(infill),
            "sourceRgbBase64": golden_parts.rgb_b64(source),
            "keepMaskBase64": golden_parts.b64(np.ascontiguousarray(mask, np.uint8).tobytes()),
            **_image_case(out),
        }
    )
    for i in test[:2]:
        cases.append(golden_parts.caption_case(runner, data.images[i], data.records[i].caption))
    path = golden_parts.write_golden(model_dir, runner.manifest["id"], cases, pipeline=False)
    return {"file": path.name, "sha256": sha256_file(path), "cases": len(cases)}
