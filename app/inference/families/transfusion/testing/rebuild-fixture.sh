#!/usr/bin/env bash
# Rebuilds the transfusion test fixture from native-models: trains the smoke preset (seconds),
# exports it with its goldens into smoke/, and writes the flow goldens beside it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
models="$here/../../../../../native-models"
runs="$(mktemp -d)"
trap 'rm -rf "$runs"' EXIT
cd "$models"
export TESSERA_RUNS_DIR="$runs"
.venv/bin/python -m tessera_models.transfusion.train --config smoke --threads 1
# The export also saves the shipped-weights checkpoint; one it did not find there is removed.
weights=checkpoints/transfusion-smoke.pt
had_weights=$([ -e "$weights" ] && echo yes || echo no)
.venv/bin/python -m tessera_models.transfusion.export --config smoke --out "$here/smoke"
[ "$had_weights" = yes ] || rm -f "$weights"
PYTHONPATH="$models" .venv/bin/python "$here/flow_goldens.py" "$here/smoke" "$here/flow-golden.json"
