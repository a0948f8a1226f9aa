"""Golden outputs that hold the TypeScript runner to the Python reference loop.

golden.json: for fixed prompts, seeds and settings, the sampled soft tokens (f32, base64), the
components drawn and the image; one infill (golden_infill.py); greedy captions and caption
scores of test images; the exact bits per dimension of test images.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common.onnx_tools import sha256_file
from tessera_models.common.prng import PRNG_VERSION
from tessera_models.common.sampling import PIPELINE_VERSION
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


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


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
        raw = np.ascontiguousarray(out.image).tobytes()
        cases.append(
            {
                "task": "generate",
                "prompt": case["prompt"],
                "style": case["style"],
                "seed": case["seed"],
                "imageIndex": 0,
                "settings": settings_json(s),
                "promptIds": runner.prompt_ids(case["prompt"], case["style"]),
                "components": out.components,
                "softTokensF32Base64": _b64(np.ascontiguousarray(out.tokens, "<f4").tobytes()),
                "image": {"rgbBase64": _b64(raw), "sha256": hashlib.sha256(raw).hexdigest()},
            }
        )
    first = data.images[data.indices("test")[0]]
    cases.append(infill_case(runner, first, defaults, settings_json(defaults)))
    for i in data.indices("test")[:2]:
        image = data.images[i]
        rec = data.records[i]
        texts = [rec.caption, "red apple", ""]
        cases.append(
            {
                "task": "caption",
                "sourceRgbBase64": _b64(np.ascontiguousarray(image).tobytes()),
                "caption": runner.caption(image),
                "scoreTexts": texts,
                "scores": runner.score(image, texts),
            }
        )
        cases.append(
            {
                "task": "likelihood",
                "sourceRgbBase64": _b64(np.ascontiguousarray(image).tobytes()),
                "prompt": rec.caption,
                "style": rec.set,
                "promptIds": runner.vocab.prompt(runner.prompt_ids(rec.caption, rec.set)),
                "bitsPerDim": runner.bits_per_dim(image, rec.caption, rec.set),
            }
        )
    golden = {
        "prngVersion": PRNG_VERSION,
        "pipelineVersion": PIPELINE_VERSION,
        "modelId": runner.manifest["id"],
        "cases": cases,
    }
    path = model_dir / "golden.json"
    path.write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    return {"file": path.name, "sha256": sha256_file(path), "cases": len(cases)}
