"""Where a `jetformer` experiment keeps its checkpoints and logs."""

from __future__ import annotations

from pathlib import Path

from tessera_models.common.run_folders import family_run_dir


def run_dir(config_name: str) -> Path:
    return family_run_dir("jetformer", config_name)
