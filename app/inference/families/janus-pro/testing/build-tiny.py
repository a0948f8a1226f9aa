"""Builds the tiny Janus-Pro folder the TypeScript tests run: a random checkpoint made offline
by transformers, converted by tessera_models.janus.export, with transformers' own greedy
generations beside it (reference.json). Usage: build-tiny.py OUT"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tessera_models.janus.export import convert
from tessera_models.janus.reference import reference
from tessera_models.janus.tiny import write_tiny_checkpoint

out = Path(sys.argv[1])
with tempfile.TemporaryDirectory() as scratch:
    src = write_tiny_checkpoint(Path(scratch) / "checkpoint")
    convert(
        src,
        out,
        model_id="tessera/janus-pro-tiny-random",
        name="Janus-Pro tiny (random weights)",
        license_name="MIT",
        command="app/inference/families/janus-pro/testing/build-tiny.py",
    )
    (out / "reference.json").write_text(json.dumps(reference(src), indent=1) + "\n")
