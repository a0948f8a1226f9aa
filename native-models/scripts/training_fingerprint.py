"""Fingerprints short training runs, to show that a change to the training code leaves what it
trains unchanged: run it on the code before and after (same machine, same threads) and compare.

Each probe trains a few steps from a fixed seed and records its held-out metrics and a sha256
of its final weights. Probes: the smoke configs of both families (vq-ar's tokenizer and
transformer, then its retrieval continuation), six steps of the shipped vq-ar preset continued
from its shipped weights on 512 images, six steps of jpeg-lm's first CPU preset on 300 images.
Config names are the presets' old names, which code before and after the renaming both load.

Usage (from the repository root; the runs folder must start empty):
  git archive <commit> native-models/tessera_models | tar -x -C /tmp/before
  ln -s "$PWD"/native-models/exports "$PWD"/native-models/checkpoints /tmp/before/native-models/
  TESSERA_RUNS_DIR=/tmp/runs-before TESSERA_DATA_DIR="$PWD"/native-models/.cache/emoji-v1 \\
    PYTHONPATH=/tmp/before/native-models native-models/.venv/bin/python \\
    native-models/scripts/training_fingerprint.py /tmp/before.json
  (the same with PYTHONPATH=native-models and another runs folder, then compare the JSON files)
About 25 minutes on 2 busy cores; the two preset probes take most of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from tessera_models.common.sampling import SamplingSettings
from tessera_models.jpeg_lm import train as jpeg_train
from tessera_models.jpeg_lm.config import load_config as jpeg_config
from tessera_models.vq_ar import train_tokenizer, train_transformer
from tessera_models.vq_ar.config import load_config as vq_config

PROBES = ("vq_smoke", "vq_retrieval", "jpeg_smoke", "vq_shipped", "jpeg_preset")


def weights_digest(path: Path) -> dict[str, Any]:
    state = torch.load(path, map_location="cpu", weights_only=False)
    h = hashlib.sha256()
    for name in sorted(state["model"]):
        h.update(name.encode())
        h.update(state["model"][name].float().numpy().tobytes())
    return {"sha256": h.hexdigest()[:16], "step": state["step"]}


def run_probe(name: str, runs: Path) -> dict[str, Any]:
    vq, jpeg = runs / "vq-ar", runs / "jpeg-lm"
    if name == "vq_smoke":
        config = vq_config("smoke")
        tokenizer = train_tokenizer.train(config, threads=2)
        metrics = train_transformer.train(config, threads=2)
        return {
            "tokenizer": tokenizer,
            "tokenizer_weights": weights_digest(vq / "smoke" / "tokenizer.pt"),
            "metrics": metrics,
            "weights": weights_digest(vq / "smoke" / "transformer.pt"),
        }
    if name == "vq_retrieval":  # needs vq_smoke first
        base = vq_config("smoke")
        config = replace(
            base,
            name="smoke-continued",
            warm_start="smoke",
            caption_slot=16,
            sampling=SamplingSettings(top_p=0.8),
            transformer=replace(base.transformer, context=192),
            transformer_training=replace(
                base.transformer_training,
                steps=5,
                warmup=1,
                p_retrieval=0.5,
                p_self_view=(1.0, 0.5),
            ),
        )
        metrics = train_transformer.train(config, threads=2)
        return {"metrics": metrics, "weights": weights_digest(vq / config.name / "transformer.pt")}
    if name == "jpeg_smoke":
        metrics = jpeg_train.train(jpeg_config("smoke"), threads=2)
        return {"metrics": metrics, "weights": weights_digest(jpeg / "smoke" / "model.pt")}
    if name == "vq_shipped":
        base = vq_config("cpu-11h")
        config = replace(
            base,
            name="probe-shipped",
            warm_start="cpu-11h",
            data_limit=512,
            transformer_training=replace(
                base.transformer_training, steps=6, minutes=None, eval_every=3
            ),
        )
        metrics = train_transformer.train(config, threads=2)
        return {"metrics": metrics, "weights": weights_digest(vq / config.name / "transformer.pt")}
    if name == "jpeg_preset":
        base = jpeg_config("cpu-1h")
        config = replace(
            base,
            name="probe-preset",
            data_limit=300,
            bpe_images=2000,
            training=replace(base.training, steps=6, minutes=None, eval_every=3),
        )
        metrics = jpeg_train.train(config, threads=2)
        return {"metrics": metrics, "weights": weights_digest(jpeg / config.name / "model.pt")}
    raise ValueError(f"unknown probe {name!r}: one of {', '.join(PROBES)}")


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    out = Path(sys.argv[1])
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else list(PROBES)
    runs = Path(os.environ["TESSERA_RUNS_DIR"])
    results: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    for name in names:
        started = time.time()
        results[name] = run_probe(name, runs)
        results[name]["seconds"] = round(time.time() - started, 1)
        out.write_text(json.dumps(results, indent=1) + "\n")
        print(name, json.dumps(results[name]), flush=True)


if __name__ == "__main__":
    main()
