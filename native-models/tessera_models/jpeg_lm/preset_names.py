"""The names `jpeg-lm` presets had before they were named for what they are (see
common/preset_names.py): still accepted, and still the names their models ship under."""

from tessera_models.common.preset_names import PresetNames

PRESETS = PresetNames({"cpu-1h": "cpu-round1", "cpu-2h": "cpu-round2"})
