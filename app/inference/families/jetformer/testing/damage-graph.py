"""Rewrites one graph of a copied jetformer export so its weights are wrong but its inputs and
outputs stay the same, and records the new hash in the manifest (a model that passes the file
checks and must be caught by what the loop checks next).

Usage: damage-graph.py MODEL_DIR ROLE shift|nan
  shift: every float weight × 1.5 + 0.1 (a flow inverse that no longer undoes its forward)
  nan:   every float weight NaN
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

folder, role, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
manifest_path = folder / "manifest.json"
manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
path = folder / manifest["graphs"][role]["file"]
model = onnx.load(str(path))
for init in model.graph.initializer:
    w = numpy_helper.to_array(init)
    if w.dtype not in (np.float16, np.float32):
        continue
    changed = (
        np.full_like(w, np.nan) if mode == "nan" else (w * 1.5 + 0.1).astype(w.dtype)
    )
    init.CopyFrom(numpy_helper.from_array(changed, init.name))
onnx.save(model, str(path))
manifest["graphs"][role]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
