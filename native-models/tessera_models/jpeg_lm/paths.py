"""Where a `jpeg-lm` experiment keeps its checkpoints, caches and logs."""

from __future__ import annotations

import os
from pathlib import Path

from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.jpeg_lm.preset_names import PRESETS


def run_dir(config_name: str) -> Path:
    root = Path(os.environ.get("TESSERA_RUNS_DIR", NATIVE_MODELS / "runs"))
    return root / "jpeg-lm" / PRESETS.current(config_name)
