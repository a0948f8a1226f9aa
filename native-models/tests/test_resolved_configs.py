"""Every config resolves to one plain dict of all its hyperparameters; each shipped manifest
carries the resolved config that produced it, consistent with its weights; presets renamed
from their old `cpu-Nh` names still load by those names and still ship under them."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
import torch

from tessera_models.common.resolved_config import resolve
from tessera_models.common.sampling import SamplingSettings
from tessera_models.common.settings_json import manifest_defaults
from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.jpeg_lm import configs as jpeg_configs
from tessera_models.jpeg_lm.config import load_config as jpeg_config
from tessera_models.jpeg_lm.export import default_out
from tessera_models.jpeg_lm.export import weights_path as jpeg_weights
from tessera_models.jpeg_lm.llama import LlamaConfig
from tessera_models.transfusion.config import load_config as transfusion_config
from tessera_models.transfusion.export import weights_path as transfusion_weights
from tessera_models.vq_ar import configs as vq_configs
from tessera_models.vq_ar.config import load_config as vq_config
from tessera_models.vq_ar.paths import export_dir, model_id, run_dir
from tessera_models.vq_ar.shipped_weights import weights_path as vq_weights

LOADERS = {"vq-ar": vq_config, "jpeg-lm": jpeg_config, "transfusion": transfusion_config}
SHIPPED = sorted(p.parent for p in (NATIVE_MODELS / "exports").glob("*/manifest.json"))
# The families whose presets were renamed from `cpu-Nh` after their models shipped.
RENAMED_FAMILIES = ("vq-ar", "jpeg-lm")
RENAMED = [
    d
    for d in SHIPPED
    if json.loads((d / "manifest.json").read_text())["family"] in RENAMED_FAMILIES
]
KEPT_NAMES = [d for d in SHIPPED if d not in RENAMED]


def _names(package: Any) -> list[str]:
    folder = Path(package.__file__).parent
    return sorted(p.stem.replace("_", "-") for p in folder.glob("*.py") if p.stem[0] != "_")


CONFIGS = [("vq-ar", n) for n in _names(vq_configs)] + [
    ("jpeg-lm", n) for n in _names(jpeg_configs)
]


def _manifest(model_dir: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((model_dir / "manifest.json").read_text())
    return manifest


@pytest.mark.parametrize(("family", "name"), CONFIGS, ids=[f"{f}:{n}" for f, n in CONFIGS])
def test_every_config_resolves_to_plain_json(family: str, name: str) -> None:
    resolved = resolve(LOADERS[family](name))
    assert resolved["name"] == name
    assert json.loads(json.dumps(resolved)) == resolved
    # Every layer's value is there: nothing refers to another config but the run it continues.
    text = json.dumps(resolved)
    assert "get_config" not in text and "replace(" not in text


@pytest.mark.parametrize("model_dir", SHIPPED, ids=[d.name for d in SHIPPED])
def test_a_shipped_manifest_carries_the_resolved_config_that_produced_it(model_dir: Path) -> None:
    manifest = _manifest(model_dir)
    config = LOADERS[manifest["family"]](manifest["source"]["config"])
    training = manifest["training"]
    assert training["resolvedConfig"] == resolve(config)
    # Families written after the shared loop name the file `configFile`.
    assert (NATIVE_MODELS / training.get("config", training.get("configFile", "-"))).is_file()


@pytest.mark.parametrize("model_dir", SHIPPED, ids=[d.name for d in SHIPPED])
def test_the_resolved_config_describes_the_shipped_weights(model_dir: Path) -> None:
    manifest = _manifest(model_dir)
    resolved = manifest["training"]["resolvedConfig"]
    family, name = manifest["family"], manifest["source"]["config"]
    if family == "vq-ar":
        saved = torch.load(vq_weights(name), map_location="cpu", weights_only=False)
        model, tokenizer = saved["transformer"]["config"], saved["tokenizer"]["config"]
        assert tokenizer == resolved["tokenizer"]
        assert {**resolved["transformer"], "vocab_size": model["vocab_size"]} == model
        # The sampling defaults it ships are the config's (CD-K is off by default).
        settings, best_of = manifest_defaults(manifest["sampling"]["defaults"])
        assert settings == replace(SamplingSettings(**resolved["sampling"]), cdk=False)
        assert best_of == resolved["best_of"]
    elif family == "transfusion":
        saved = torch.load(transfusion_weights(name), map_location="cpu", weights_only=False)
        weights_model = saved["config"]["model"]
        assert {**resolved["model"], "vocab_size": weights_model["vocab_size"]} == weights_model
    else:
        saved = torch.load(jpeg_weights(name), map_location="cpu", weights_only=False)
        # Weights saved before a field existed (dropout) load with its default, as Llama does.
        weights_config = asdict(LlamaConfig(**saved["config"]))
        assert {**resolved["model"], "vocab_size": saved["config"]["vocab_size"]} == weights_config
    # The vocabulary's size comes from the data; the config leaves it to training.
    assert manifest["tokenizer"]["vocabSize"] > 0


@pytest.mark.parametrize("model_dir", KEPT_NAMES, ids=[d.name for d in KEPT_NAMES])
def test_a_preset_never_renamed_ships_under_its_own_name(model_dir: Path) -> None:
    manifest = _manifest(model_dir)
    name = manifest["source"]["config"]
    assert LOADERS[manifest["family"]](name).name == name
    assert manifest["id"] == f"tessera/{model_dir.name}" and model_dir.name.endswith(name)


@pytest.mark.parametrize("model_dir", RENAMED, ids=[d.name for d in RENAMED])
def test_a_renamed_preset_keeps_its_model_id_export_folder_and_weights(model_dir: Path) -> None:
    manifest = _manifest(model_dir)
    old = manifest["source"]["config"]
    config = LOADERS[manifest["family"]](old)
    assert config.name != old and config.name.startswith("cpu-round")
    if manifest["family"] == "vq-ar":
        assert export_dir(config.name) == model_dir
        assert model_id(config.name) == manifest["id"]
        assert vq_weights(config.name) == vq_weights(old) and vq_weights(old).exists()
    else:
        assert default_out(config) == model_dir
        assert manifest["id"] == f"tessera/{model_dir.name}"
        assert jpeg_weights(config.name) == jpeg_weights(old) and jpeg_weights(old).exists()


def test_old_preset_names_load_the_renamed_configs() -> None:
    assert vq_config("cpu-7h") == vq_config("cpu-round7")
    assert vq_config("cpu-7h").transformer_training.minutes == 45
    assert vq_config("cpu-11h").warm_start == "cpu-round10"
    assert jpeg_config("cpu-2h").name == "cpu-round2"
    assert jpeg_config("cpu-2h").warm_start == "cpu-round1"
    # One run folder whichever name a command is given.
    assert run_dir("cpu-11h") == run_dir("cpu-round11")
    # Configs that never shipped under an old name ship under their own.
    assert model_id("smoke") == "tessera/vq-ar-emoji32-smoke"
