"""The infill golden: one test image redrawn inside a rectangle by the reference loop, which the
TypeScript infill must reproduce (soft tokens within 1e-3, image ≥ 45 dB, every pixel past the
feather byte-identical to the source)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tessera_models.common.golden_parts import b64, rgb_b64
from tessera_models.jetformer.reference_loop import GmmSettings, JetFormerRunner

CASE: dict[str, Any] = {"prompt": "red heart", "style": "noto", "seed": 11, "featherPx": 2}
# Rows and columns redrawn: not on the 4-pixel patch grid, so partly covered patches are redrawn.
ROWS, COLS = slice(9, 19), slice(6, 21)


def infill_case(
    runner: JetFormerRunner, image: np.ndarray, settings: GmmSettings, settings_json: Any
) -> dict[str, Any]:
    mask = np.zeros(image.shape[:2], bool)
    mask[ROWS, COLS] = True
    out = runner.infill(
        image, mask, CASE["prompt"], CASE["style"], CASE["seed"], settings, CASE["featherPx"]
    )
    return {
        "task": "infill",
        **CASE,
        "imageIndex": 0,
        "settings": settings_json,
        "sourceRgbBase64": rgb_b64(image),
        "maskBase64": b64(mask.astype(np.uint8).tobytes()),
        "components": out.components,
        "softTokensF32Base64": b64(np.ascontiguousarray(out.tokens, "<f4").tobytes()),
        "image": {"rgbBase64": rgb_b64(out.image)},
    }
