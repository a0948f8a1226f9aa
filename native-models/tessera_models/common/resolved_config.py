"""A config as one plain dict: every hyperparameter after all `replace()` layers, JSON-ready.

Configs are dataclass trees built by layering `replace()` over earlier experiments, so no file
states a run's hyperparameters in one place. The run folder's config.json and each exported
manifest's `training.config` hold this dict; `resolve(load_config(name))` gives it back exactly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any


def resolve(config: Any) -> dict[str, Any]:
    """The dataclass tree as JSON types (tuples become lists), so a saved copy compares equal."""
    if not is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"expected a config dataclass instance, got {type(config).__name__}")
    resolved: dict[str, Any] = json.loads(json.dumps(asdict(config), allow_nan=False))
    return resolved
