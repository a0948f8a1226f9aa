"""Rebuilds a shipped run's folder from its committed weights, so a config that continues it
trains on a fresh clone.

Run folders (optimizer moments, logs, cached codes) stay on the machine that trained them; what
the repository keeps of a run is `checkpoints/vq-ar-<config>.pt` (the exact fp16 weights that
ship) and its export (`words.json`, and the manifest's training record). From those this writes
`runs/vq-ar/<config>/` as a warm start expects it: the tokenizer, the transformer without
optimizer moments (the continuing run starts them afresh under its warmup), the caption
vocabulary, the codes of every image (encoded with the shipped tokenizer), and the training
record, so the continuing run's export still states the whole training cost.

Usage: python -m tessera_models.vq_ar.restore_run --config cpu-round11 [--data DIR]
Training a config whose source run folder is absent does this by itself.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from tessera_models.common.training import RunLog, save_checkpoint
from tessera_models.data.emoji import load_emoji
from tessera_models.vq_ar.codes import encode_all
from tessera_models.vq_ar.paths import export_dir, run_dir
from tessera_models.vq_ar.shipped_weights import load_shipped_weights, weights_path

# The record of every run the restored weights went through (the shipped manifest's training).
RESTORED = "restored.json"


def restore_run(config_name: str, data_root: str | None = None) -> Path:
    """Writes runs/vq-ar/<config_name>/ from the committed weights and export; refuses to
    touch a folder that already holds a transformer checkpoint (a real run is never replaced)."""
    out = run_dir(config_name)
    weights, export = weights_path(config_name), export_dir(config_name)
    if (out / "transformer.pt").exists():
        raise FileExistsError(f"{out} already holds a run: nothing to restore")
    for needed in (weights, export / "manifest.json", export / "words.json"):
        if not needed.exists():
            raise FileNotFoundError(
                f"cannot restore run {config_name!r}: {needed} is missing (only shipped "
                f"configs can be restored). Train it (--config {config_name}), or check out "
                f"{os.path.relpath(weights)} and {os.path.relpath(export)}/ from the commit "
                f"that shipped them (git log -- {os.path.relpath(weights)})"
            )
    manifest: dict[str, Any] = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    training = manifest["training"]
    loaded = load_shipped_weights(weights)
    assert loaded is not None  # checked above
    tokenizer, model = loaded

    out.mkdir(parents=True, exist_ok=True)
    save_checkpoint(
        out / "tokenizer.pt", {"model": tokenizer.state_dict(), "config": asdict(tokenizer.config)}
    )
    (out / "words.json").write_bytes((export / "words.json").read_bytes())
    data = load_emoji(data_root, size=int(manifest["image"]["width"]))
    np.save(out / "codes.npy", encode_all(tokenizer, data))
    (out / RESTORED).write_text(json.dumps(training, indent=2) + "\n", encoding="utf-8")

    done = training["transformer"]
    log = RunLog(out / "transformer", True)
    log.write(event="restored", source=str(weights))
    # The record a trained run ends with, so a continuation's export finds its cost.
    log.write(**{k: v for k, v in done.items() if k not in ("time", "params", "exportedStep")})
    # Written last: its presence is what marks the folder as complete.
    save_checkpoint(
        out / "transformer.pt",
        {
            "model": model.state_dict(),
            "optimizer": None,
            "step": int(done["exportedStep"]),
            "elapsed": float(done["elapsed_min"]) * 60,
            "config": asdict(model.config),
            "tokens_seen": int(done["tokens"]),
        },
    )
    return out


def restored_training(config_name: str) -> dict[str, Any] | None:
    """The shipped manifest's training record of a restored folder; None for a folder trained
    here (its logs tell its story)."""
    path = run_dir(config_name) / RESTORED
    if not path.exists():
        return None
    training: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return training


def restored_runs(config_name: str) -> list[dict[str, Any]] | None:
    """Every transformer run a restored folder's weights went through, oldest first."""
    training = restored_training(config_name)
    if training is None:
        return None
    if "transformerRuns" in training:
        return list(training["transformerRuns"])
    done = training["transformer"]
    keys = ("step", "elapsed_min", "tokens", "flops")
    return [{"config": config_name, **{k: done.get(k) for k in keys}}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--config",
        required=True,
        help="a shipped config, e.g. cpu-round11 (or its old name, cpu-11h)",
    )
    parser.add_argument("--data", default=None, help="emoji-v1 folder (default: the build cache)")
    args = parser.parse_args()
    print(f"restored {restore_run(args.config, args.data)}")


if __name__ == "__main__":
    main()
