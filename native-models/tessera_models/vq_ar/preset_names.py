"""The names `vq-ar` presets had before they were named for what they are (see
common/preset_names.py): still accepted, and still the names their models ship under."""

from tessera_models.common.preset_names import PresetNames

PRESETS = PresetNames({f"cpu-{n}h": f"cpu-round{n}" for n in range(1, 12)})
