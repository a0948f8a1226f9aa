"""Where a `transfusion` experiment keeps its checkpoints and logs."""

from __future__ import annotations

import os
from pathlib import Path

from tessera_models.data.emoji import NATIVE_MODELS


def run_dir(config_name: str) -> Path:
    root = Path(os.environ.get("TESSERA_RUNS_DIR", NATIVE_MODELS / "runs"))
    return root / "transfusion" / config_name
