"""Every `jetformer` preset loads and resolves, keeps the flow deep enough (≥ 16 couplings: each
can expand a dim at most 2×), and keeps its budget: the CPU preset checkpoints every few minutes
on a time budget, the gpu preset stays under 10 minutes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tessera_models.common.resolved_config import resolve
from tessera_models.jetformer import configs
from tessera_models.jetformer.config import load_config
from tessera_models.jetformer.model import JetFormer

NAMES = sorted(
    p.stem.replace("_", "-") for p in Path(configs.__file__).parent.glob("*.py") if p.stem[0] != "_"
)


def test_the_presets_are_smoke_a_cpu_budget_and_gpu() -> None:
    assert NAMES == ["cpu-240m", "gpu", "smoke"]


@pytest.mark.parametrize("name", NAMES)
def test_every_preset_resolves_and_keeps_the_flow_deep(name: str) -> None:
    config = load_config(name)
    resolved = resolve(config)
    assert resolved["name"] == name and json.loads(json.dumps(resolved)) == resolved
    assert config.flow.couplings >= 16
    assert config.flow.tokens == 64 and config.flow.token_dim == 48
    assert 0 < config.decoder.ar_dims < config.flow.token_dim
    assert config.decoder.kv_heads == 1  # multi-query attention
    model = JetFormer(config.flow, replace(config.decoder, vocab_size=100))
    assert sum(p.numel() for p in model.flow.parameters()) > 0


def test_the_cpu_preset_is_named_for_its_budget_and_checkpoints_often() -> None:
    t = load_config("cpu-240m").training
    assert t.minutes == 240 and t.checkpoint_minutes <= 5


def test_the_gpu_preset_fits_ten_minutes() -> None:
    assert (load_config("gpu").training.minutes or 99) < 10
