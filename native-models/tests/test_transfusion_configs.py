"""Every `transfusion` preset loads and resolves, builds its model, and keeps its budget: CPU
presets are named for the minutes their steps take on 2 idle cores and checkpoint every few
minutes, the gpu preset stays under 10 minutes, and the two CPU presets differ only in the
objective."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tessera_models.common.resolved_config import resolve
from tessera_models.transfusion import configs
from tessera_models.transfusion.config import load_config
from tessera_models.transfusion.configs.cpu_60m_ddpm import IDLE_SECONDS_PER_STEP
from tessera_models.transfusion.model import Transfusion

NAMES = sorted(
    p.stem.replace("_", "-") for p in Path(configs.__file__).parent.glob("*.py") if p.stem[0] != "_"
)


def test_the_presets_are_smoke_two_cpu_budgets_and_gpu() -> None:
    assert NAMES == ["cpu-60m-ddpm", "cpu-60m-flow", "gpu", "smoke"]


@pytest.mark.parametrize("name", NAMES)
def test_every_preset_resolves_and_builds(name: str) -> None:
    config = load_config(name)
    resolved = resolve(config)
    assert resolved["name"] == name and json.loads(json.dumps(resolved)) == resolved
    assert config.model.patches == 64 and config.model.patch_dim == 48
    assert config.training.diffusion_weight == 5.0 and config.training.p_image_first == 0.2
    assert config.training.image_first_max_t == 0.5 and config.training.p_caption_dropout == 0.1
    model = Transfusion(replace(config.model, vocab_size=100))
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize("name", ["cpu-60m-ddpm", "cpu-60m-flow"])
def test_cpu_presets_are_named_for_their_minutes_and_checkpoint_often(name: str) -> None:
    # Fixed in steps (equal compute for the twins); the name gives the minutes those steps
    # take on 2 idle cores.
    t = load_config(name).training
    minutes = re.match(r"cpu-(\d+)m", name)
    assert minutes is not None and t.minutes is None
    idle_minutes = t.steps * IDLE_SECONDS_PER_STEP / 60
    assert abs(idle_minutes - int(minutes.group(1))) <= 3, idle_minutes
    assert t.checkpoint_minutes <= 5


def test_the_cpu_presets_differ_only_in_the_objective() -> None:
    ddpm, flow = resolve(load_config("cpu-60m-ddpm")), resolve(load_config("cpu-60m-flow"))
    assert ddpm["diffusion"]["objective"] == "ddpm" and flow["diffusion"]["objective"] == "flow"
    for key in ("model", "training", "seed", "data_limit"):
        assert ddpm[key] == flow[key]


def test_the_gpu_preset_fits_ten_minutes() -> None:
    assert (load_config("gpu").training.minutes or 99) < 10
