"""The pieces of golden.json every family writes the same way (docs/models.md §Parity and
goldens): images as base64 RGB with their sha256, a generation case's inputs, the captioning
case, and the file itself with the PRNG (and sampling pipeline) versions it was drawn under.
The TypeScript tests read these files, so every key keeps its name and place.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tessera_models.common.prng import PRNG_VERSION
from tessera_models.common.sampling import PIPELINE_VERSION

# Scored under every test image: its own caption, another concept's and the empty caption.
SCORE_TEXTS = ("red apple", "")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def rgb_b64(image: np.ndarray) -> str:
    return b64(np.ascontiguousarray(image).tobytes())


def image_json(image: np.ndarray) -> dict[str, str]:
    raw = np.ascontiguousarray(image).tobytes()
    return {"rgbBase64": b64(raw), "sha256": hashlib.sha256(raw).hexdigest()}


def generate_case(case: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A generation case's inputs, in the order the cases list them."""
    return {
        "task": "generate",
        "prompt": case["prompt"],
        "style": case["style"],
        "seed": case["seed"],
        "imageIndex": 0,
        "settings": settings,
    }


class Captioner(Protocol):
    def caption(self, image_u8: np.ndarray) -> str: ...
    def score(self, image_u8: np.ndarray, texts: list[str]) -> list[float]: ...


def caption_case(runner: Captioner, image: np.ndarray, caption: str) -> dict[str, Any]:
    """The greedy caption of a test image and the scores of SCORE_TEXTS after its caption."""
    texts = [caption, *SCORE_TEXTS]
    return {
        "task": "caption",
        "sourceRgbBase64": rgb_b64(image),
        "caption": runner.caption(image),
        "scoreTexts": texts,
        "scores": runner.score(image, texts),
    }


def write_golden(
    model_dir: Path, model_id: str, cases: list[dict[str, Any]], pipeline: bool = True
) -> Path:
    """golden.json; `pipeline` records the sampling pipeline's version (a family that samples
    no tokens has none)."""
    golden = {
        "prngVersion": PRNG_VERSION,
        **({"pipelineVersion": PIPELINE_VERSION} if pipeline else {}),
        "modelId": model_id,
        "cases": cases,
    }
    path = model_dir / "golden.json"
    path.write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    return path
