"""The same trainers run under torchrun: two CPU ranks (gloo) train the smoke config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tessera_models.data.emoji import NATIVE_MODELS, EmojiDataset


@pytest.mark.slow
def test_torchrun_two_ranks_train_the_smoke_config(tmp_path: Path, emoji32: EmojiDataset) -> None:
    env = {**os.environ, "TESSERA_RUNS_DIR": str(tmp_path), "OMP_NUM_THREADS": "1"}
    for module in ("train_tokenizer", "train_transformer"):
        cmd = [
            sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
            "-m", f"tessera_models.vq_ar.{module}", "--config", "smoke", "--threads", "1",
        ]  # fmt: skip
        result = subprocess.run(
            cmd, cwd=NATIVE_MODELS, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr[-2000:]
    log = tmp_path / "vq-ar" / "smoke" / "transformer" / "log.jsonl"
    events = [json.loads(line) for line in log.read_text().splitlines()]
    done = [e for e in events if e.get("event") == "done"]
    # Only rank 0 logs; tokens are counted across both ranks.
    assert len(done) == 1 and done[0]["step"] == 30
    assert (tmp_path / "vq-ar" / "smoke" / "transformer.pt").exists()
