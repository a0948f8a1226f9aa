"""Golden outputs that hold the TypeScript runner to the Python reference
(docs/models.md §Parity and goldens).

golden.json: for fixed prompts, seeds and settings, the sampled JPEG tokens, the body's sha256
and the decoded image; a completion and an infill of a test image; greedy captions.
golden-bpe.json: 200 real bodies and their token ids, for the TypeScript tokenizer.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common import golden_parts
from tessera_models.common.onnx_tools import sha256_file
from tessera_models.common.sampling import SamplingSettings
from tessera_models.common.settings_json import settings_json
from tessera_models.data.emoji import EmojiDataset
from tessera_models.jpeg_lm.reference_loop import Generated, JpegLmRunner

GENERATE_CASES: list[dict[str, Any]] = [
    {"prompt": "grinning face", "style": "twemoji", "seed": 1, "settings": None},
    {
        "prompt": "red apple",
        "style": "noto",
        "seed": 7,
        "settings": SamplingSettings(cfg_scale=1.0),
    },
    {
        "prompt": "red heart",
        "style": None,
        "seed": 4294967295,
        "settings": SamplingSettings(cfg_scale=3.0, temperature=0.0),
    },
]


def _result_json(out: Generated) -> dict[str, Any]:
    return {
        "tokens": out.tokens,
        "bodyBase64": golden_parts.b64(out.body),
        "bodySha256": hashlib.sha256(out.body).hexdigest(),
        "image": golden_parts.image_json(out.image),
    }


def write_goldens(
    model_dir: Path, data: EmojiDataset, bodies: list[bytes], defaults: SamplingSettings
) -> dict[str, Any]:
    runner = JpegLmRunner(model_dir, threads=2)
    cases: list[dict[str, Any]] = []
    for case in GENERATE_CASES:
        s: SamplingSettings = case["settings"] or defaults
        out = runner.generate(case["prompt"], case["style"], case["seed"], s)
        cases.append(
            golden_parts.generate_case(case, settings_json(s))
            | {"promptIds": runner.prompt_ids(case["prompt"], case["style"])}
            | _result_json(out)
        )
    test = data.indices("test")
    source = data.images[test[0]]
    caption = data.records[test[0]].caption
    completed = runner.complete(source, 2, caption, None, 3, defaults)
    cases.append(
        {
            "task": "complete",
            "sourceRgbBase64": golden_parts.rgb_b64(source),
            "keepRows": 2,
            "prompt": caption,
            "style": None,
            "seed": 3,
            "imageIndex": 0,
            "settings": settings_json(defaults),
        }
        | _result_json(completed)
    )
    masked = [False] * runner.mcus
    for m in (5, 6, 9, 10):  # the centre 2×2 MCUs of a 4×4 grid
        if m < runner.mcus:
            masked[m] = True
    infilled = runner.infill(source, masked, caption, None, 5, defaults)
    cases.append(
        {
            "task": "infill",
            "sourceRgbBase64": golden_parts.rgb_b64(source),
            "maskedMcus": [m for m, x in enumerate(masked) if x],
            "prompt": caption,
            "style": None,
            "seed": 5,
            "imageIndex": 0,
            "settings": settings_json(defaults),
        }
        | _result_json(infilled)
    )
    for i in test[:2]:
        cases.append(golden_parts.caption_case(runner, data.images[i], data.records[i].caption))
    golden_path = golden_parts.write_golden(model_dir, runner.manifest["id"], cases)

    rng = np.random.default_rng(0)
    picks = sorted(rng.choice(len(bodies), size=min(200, len(bodies)), replace=False).tolist())
    bpe_cases = [
        {"bodyBase64": golden_parts.b64(bodies[i]), "ids": runner.vocab.bpe.encode(bodies[i])}
        for i in picks
    ]
    bpe_path = model_dir / "golden-bpe.json"
    bpe_path.write_text(json.dumps({"cases": bpe_cases}) + "\n", encoding="utf-8")
    return {
        "file": golden_path.name,
        "sha256": sha256_file(golden_path),
        "bpe": {"file": bpe_path.name, "sha256": sha256_file(bpe_path)},
        "cases": len(cases),
    }
