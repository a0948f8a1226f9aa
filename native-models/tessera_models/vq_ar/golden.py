"""Golden outputs that hold the TypeScript engine to the Python reference
(docs/models.md §Parity and goldens).

golden.json: for fixed prompts, seeds and settings, the retrieved document (when the model
has a memory), the sampled codes, the image (RGB bytes, base64) and its sha256, plus an infill
and a greedy caption. golden-words.json: 500 captions and
their word-tokenizer ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common import golden_parts
from tessera_models.common.onnx_tools import sha256_file
from tessera_models.common.sampling import SamplingSettings
from tessera_models.common.settings_json import settings_json
from tessera_models.data.emoji import EmojiDataset
from tessera_models.vq_ar.reference_loop import VqArRunner

GENERATE_CASES: list[dict[str, Any]] = [
    {"prompt": "grinning face", "style": "twemoji", "seed": 1, "settings": SamplingSettings()},
    {
        "prompt": "red apple",
        "style": "noto",
        "seed": 7,
        "settings": SamplingSettings(cfg_scale=1.0),
    },
    {
        "prompt": "red heart",
        "style": None,
        "seed": 123456789,
        "settings": SamplingSettings(top_k=50, top_p=1.0, temperature=0.8),
    },
    {"prompt": "cat face", "style": "openmoji", "seed": 42, "settings": SamplingSettings(cdk=True)},
    {
        "prompt": "sun",
        "style": "fluent-emoji-flat",
        "seed": 4294967295,
        "settings": SamplingSettings(temperature=0.0),
    },
    # With a retrieval memory every case above is given its prompt's document; this one asks
    # for none (and a prompt no document shares a word with gets none either).
    {
        "prompt": "grinning face",
        "style": "twemoji",
        "seed": 1,
        "settings": SamplingSettings(),
        "retrieval": False,
    },
    {"prompt": "zzzz qqqq", "style": None, "seed": 3, "settings": SamplingSettings()},
]


def write_goldens(model_dir: Path, data: EmojiDataset) -> dict[str, Any]:
    runner = VqArRunner(model_dir, threads=2)
    cases = []
    for case in GENERATE_CASES:
        s: SamplingSettings = case["settings"]
        retrieval = bool(case.get("retrieval", True))
        out = runner.generate(case["prompt"], case["style"], case["seed"], s, retrieval=retrieval)
        cases.append(
            golden_parts.generate_case(case, settings_json(s))
            | {
                "retrieval": retrieval,
                "document": out.document,
                "documentIds": runner.document_ids(out.document),
                "promptIds": runner.prompt_ids(case["prompt"], case["style"]),
                "codes": out.codes.reshape(-1).tolist(),
                "image": golden_parts.image_json(out.image),
            }
        )
    test = data.indices("test")
    source = data.images[test[0]]
    codes = runner.encode(source[None])[0]
    mask = np.zeros((32, 32), dtype=bool)
    mask[8:24, 8:24] = True
    segments = runner.mask_to_segments(mask)
    caption = data.records[test[0]].caption
    infilled = runner.infill_codes(
        codes, segments, runner.prompt_ids(caption, None), 5, SamplingSettings()
    )
    cases.append(
        {
            "task": "infill",
            "sourceImage": golden_parts.image_json(source),
            "sourceCodes": codes.reshape(-1).tolist(),
            "maskRect": [8, 8, 24, 24],
            "segments": [list(x) for x in segments],
            "prompt": caption,
            "style": None,
            "seed": 5,
            "imageIndex": 0,
            "settings": settings_json(SamplingSettings()),
            "codes": infilled.reshape(-1).tolist(),
            "image": golden_parts.image_json(runner.decode(infilled[None])[0]),
        }
    )
    for i in test[:3]:
        c = runner.encode(data.images[i][None])[0]
        cases.append(
            {"task": "caption", "codes": c.reshape(-1).tolist(), "caption": runner.caption(c)}
        )
    golden_path = golden_parts.write_golden(model_dir, runner.manifest["id"], cases)

    rng = np.random.default_rng(0)
    picks = rng.choice(len(data.records), size=min(500, len(data.records)), replace=False)
    words = runner.vocab.words
    word_cases = []
    for k, i in enumerate(sorted(picks.tolist())):
        r = data.records[i]
        style = r.set if k % 2 == 0 else None
        text = r.caption if k % 7 else r.caption.upper() + ", extra: words"
        word_cases.append({"text": text, "style": style, "ids": words.encode(text, style)})
    words_path = model_dir / "golden-words.json"
    words_path.write_text(json.dumps({"cases": word_cases}, indent=0) + "\n", encoding="utf-8")
    return {
        "file": golden_path.name,
        "sha256": sha256_file(golden_path),
        "words": {"file": words_path.name, "sha256": sha256_file(words_path)},
        "cases": len(cases),
    }
