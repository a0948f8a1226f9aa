"""Trains the `jetformer` smoke preset and exports it (with goldens) into the folder argv[1].

Run by smoke-model.ts when the tests need the model; its runs and weights go to a temporary
folder, never native-models/runs or checkpoints.
"""

import os
import sys
import tempfile
from pathlib import Path

scratch = Path(tempfile.mkdtemp(prefix="jetformer-smoke-"))
os.environ["TESSERA_RUNS_DIR"] = str(scratch / "runs")

from tessera_models.jetformer import export, train
from tessera_models.jetformer.config import load_config

config = load_config("smoke")
train.train(config, threads=1)
export.weights_path = lambda name: scratch / f"{name}.pt"
export.export(config, Path(sys.argv[1]))
