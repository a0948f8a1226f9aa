"""Every vq-ar experiment config loads, is named after its file, says how to run it, and
continues only a config that exists (a typo there would surface an hour into a session)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tessera_models.vq_ar import configs
from tessera_models.vq_ar.config import load_config

NAMES = sorted(
    p.stem.replace("_", "-") for p in Path(configs.__file__).parent.glob("*.py") if p.stem[0] != "_"
)


def test_the_configs_folder_is_found() -> None:
    assert {"smoke", "cpu-round1", "cpu-round10", "cpu-round11"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_config_loads_names_itself_and_continues_a_real_run(name: str) -> None:
    config = load_config(name)
    assert config.name == name
    module = importlib.import_module(f"tessera_models.vq_ar.configs.{name.replace('-', '_')}")
    assert module.__doc__ is not None and f"--config {name}" in module.__doc__
    if config.warm_start is not None:
        assert config.warm_start != name
        assert load_config(config.warm_start).name == config.warm_start
