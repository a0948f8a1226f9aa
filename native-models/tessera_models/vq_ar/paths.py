"""Where a `vq-ar` experiment keeps its checkpoints, logs and exports."""

from __future__ import annotations

from pathlib import Path

from tessera_models.common.run_folders import family_run_dir
from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.vq_ar.preset_names import PRESETS


def run_dir(config_name: str) -> Path:
    return family_run_dir("vq-ar", PRESETS.current(config_name))


def export_dir(config_name: str) -> Path:
    """Where `export` writes a config's model, and where a shipped one lives."""
    return NATIVE_MODELS / "exports" / f"vq-ar-emoji32-{PRESETS.release(config_name)}"


def model_id(config_name: str) -> str:
    return f"tessera/vq-ar-emoji32-{PRESETS.release(config_name)}"
