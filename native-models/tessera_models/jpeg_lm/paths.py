"""Where a `jpeg-lm` experiment keeps its checkpoints, caches and logs."""

from __future__ import annotations

from pathlib import Path

from tessera_models.common.run_folders import family_run_dir
from tessera_models.jpeg_lm.preset_names import PRESETS


def run_dir(config_name: str) -> Path:
    return family_run_dir("jpeg-lm", PRESETS.current(config_name))
