#!/usr/bin/env bash
# Creates native-models/.venv with the pinned Python dependencies (requirements.lock).
# Idempotent: does nothing when the venv already matches the lock file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv"
lock="$here/requirements.lock"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "native-models needs Python >= 3.11 (found: $("$python" --version 2>&1)); set PYTHON=/path/to/python3.11+" >&2
  exit 1
fi
want="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.lock-sha256" 2>/dev/null)" = "$want" ]; then
  echo "native-models/.venv is up to date"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
echo "$want" > "$venv/.lock-sha256"
echo "native-models/.venv ready ($("$venv/bin/python" -c 'import torch; print("torch", torch.__version__)'))"
