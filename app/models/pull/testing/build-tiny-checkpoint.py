"""Writes the tiny random JanusForConditionalGeneration checkpoint (transformers format) that
`tessera models convert janus-pro` is tested on. Usage: build-tiny-checkpoint.py OUT"""

from __future__ import annotations

import sys
from pathlib import Path

from tessera_models.janus.tiny import write_tiny_checkpoint

write_tiny_checkpoint(Path(sys.argv[1]))
