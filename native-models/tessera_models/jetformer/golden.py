"""Golden outputs that hold the TypeScript runner to the Python reference loop.

golden.json: for fixed prompts, seeds and settings, the sampled soft tokens (f32, base64), the
components drawn and the image; one infill (golden_infill.py); greedy captions and caption
scores of test images; the exact bits per dimension of test images.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common import golden_parts
from tessera_models.common.onnx_tools import sha256_file
from tessera_models.data.emoji import EmojiDataset
from tessera_models.jetformer.golden_infill import infill_case
from tessera_models.jetformer.reference_loop import GmmSettings, JetFormerRunner

GENERATE_CASES: list[dict[str, Any]] = [
    {"prompt": "grinning face", "style": "twemoji", "seed": 1, "settings": None},
    {"prompt": "red apple", "style": "noto", "seed": 7, "settings": GmmSettings(cfg_scale=1.0)},
    {
        "prompt": "red heart",
        "style": None,
        "seed": 4294967295,
        "settings": GmmSettings(cfg_scale=5.0, temperature_probs=0.5, temperature_scales=0.7),
    },
]


def settings_json(s: GmmSettings) -> dict[str, float]:
    d = asdict(s)
    return {
        "cfgScale": d["cfg_scale"],
        "temperatureProbs": d["temperature_probs"],
        "temperatureScales": d["temperature_scales"],
    }


def write_goldens(model_dir: Path, data: EmojiDataset, defaults: GmmSettings) -> dict[str, Any]:
    runner = JetFormerRunner(model_dir, threads=2)
    cases: list[dict[str, Any]] = []
    for case in GENERATE_CASES:
        s: GmmSettings = case["settings"] or defaults
        out = runner.generate(case["prompt"], case["style"], case["seed"], s)
        cases.append(
            golden_parts.generate_case(case, settings_json(s))
            | {
                "promptIds": runner.prompt_ids(case["prompt"], case["style"]),
                "components": out.components,
                "softTokensF32Base64": golden_parts.b64(
                    np.ascontiguousarray(out.tokens, "<f4").tobytes()
                ),
                "image": golden_parts.image_json(out.image),
            }
        )
    first = data.images[data.indices("test")[0]]
    cases.append(infill_case(runner, first, defaults, settings_json(defaults)))
    for i in data.indices("test")[:2]:
        image = data.images[i]
        rec = data.records[i]
        cases.append(golden_parts.caption_case(runner, image, rec.caption))
        cases.append(
            {
                "task": "likelihood",
                "sourceRgbBase64": golden_parts.rgb_b64(image),
                "prompt": rec.caption,
                "style": rec.set,
                "promptIds": runner.vocab.prompt(runner.prompt_ids(rec.caption, rec.set)),
                "bitsPerDim": runner.bits_per_dim(image, rec.caption, rec.set),
            }
        )
    path = golden_parts.write_golden(model_dir, runner.manifest["id"], cases)
    return {"file": path.name, "sha256": sha256_file(path), "cases": len(cases)}
