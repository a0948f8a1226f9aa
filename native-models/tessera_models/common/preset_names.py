"""Preset names, and the older names they replace.

The CPU presets of both families were first named `cpu-1h`, `cpu-2h`, …, which read as hours of
training; they were not (vq-ar's `cpu-7h` trained 45 minutes, `cpu-11h` 100). They are named
for what they are now, `cpu-round1`, `cpu-round2`, …: rounds of one chain, each continuing
the last (a config's docstring says what it changes and how long it trained). The old names
stay accepted everywhere a config name is, and a renamed preset still ships under its old
name (model id, export folder, weights file): users' library recipes name those models, and
manifests, logs and evaluation results already written use them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PresetNames:
    renamed: dict[str, str]  # old name → current name

    def current(self, name: str) -> str:
        """The config's current name for `name`, old or current."""
        return self.renamed.get(name, name)

    def release(self, name: str) -> str:
        """The name a config's model ships under: its old name if it was renamed."""
        current = self.current(name)
        old = [o for o, n in self.renamed.items() if n == current]
        return old[0] if old else current
