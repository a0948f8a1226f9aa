"""Where every family's runs live: `runs/<family>/<config>/` under native-models, or under
TESSERA_RUNS_DIR when it is set (tests train into a temporary folder this way)."""

from __future__ import annotations

import os
from pathlib import Path

from tessera_models.data.emoji import NATIVE_MODELS


def runs_root() -> Path:
    return Path(os.environ.get("TESSERA_RUNS_DIR", NATIVE_MODELS / "runs"))


def family_run_dir(family: str, config_name: str) -> Path:
    return runs_root() / family / config_name
