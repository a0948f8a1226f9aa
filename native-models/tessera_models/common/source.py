"""Where an export came from: the commit it was made at, recorded in every manifest."""

from __future__ import annotations

import subprocess

from tessera_models.data.emoji import NATIVE_MODELS


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=NATIVE_MODELS,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
