"""Golden outputs that hold the TypeScript runner to the Python reference loop.

golden.json: for fixed prompts, seeds and settings, the final clean patches (f32, base64), the
image and the number of network calls; one infill (RePaint, resampled twice); greedy captions and caption scores of test
images.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common.onnx_tools import sha256_file
from tessera_models.common.prng import PRNG_VERSION
from tessera_models.data.emoji import EmojiDataset
from tessera_models.transfusion.reference_loop import DiffusionSettings, TransfusionRunner


def centre_mask(size: int, hole: int) -> np.ndarray:
    """bool [size,size]: True (known) everywhere but the centre hole."""
    mask = np.ones((size, size), bool)
    lo = (size - hole) // 2
    mask[lo : lo + hole, lo : lo + hole] = False
    return mask


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


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
    raw = np.ascontiguousarray(out.image).tobytes()
    return {
        "latentF32Base64": _b64(np.ascontiguousarray(out.latent, "<f4").tobytes()),
        "calls": out.calls,
        "image": {"rgbBase64": _b64(raw), "sha256": hashlib.sha256(raw).hexdigest()},
    }


def write_goldens(
    model_dir: Path, data: EmojiDataset, defaults: DiffusionSettings
) -> dict[str, Any]:
    runner = TransfusionRunner(model_dir, threads=2)
    cases: list[dict[str, Any]] = []
    for case in generate_cases(defaults):
        s: DiffusionSettings = case["settings"]
        out = runner.generate(case["prompt"], case["style"], case["seed"], s)
        cases.append(
            {
                "task": "generate",
                "prompt": case["prompt"],
                "style": case["style"],
                "seed": case["seed"],
                "imageIndex": 0,
                "settings": settings_json(s),
                "prefixIds": runner.vocab.prefix(runner.prompt_ids(case["prompt"], case["style"])),
                **_image_case(out),
            }
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
            "sourceRgbBase64": _b64(np.ascontiguousarray(source).tobytes()),
            "keepMaskBase64": _b64(np.ascontiguousarray(mask, np.uint8).tobytes()),
            **_image_case(out),
        }
    )
    for i in test[:2]:
        image = data.images[i]
        texts = [data.records[i].caption, "red apple", ""]
        cases.append(
            {
                "task": "caption",
                "sourceRgbBase64": _b64(np.ascontiguousarray(image).tobytes()),
                "caption": runner.caption(image),
                "scoreTexts": texts,
                "scores": runner.score(image, texts),
            }
        )
    golden = {"prngVersion": PRNG_VERSION, "modelId": runner.manifest["id"], "cases": cases}
    path = model_dir / "golden.json"
    path.write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    return {"file": path.name, "sha256": sha256_file(path), "cases": len(cases)}
