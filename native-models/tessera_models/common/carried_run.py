"""A training run that outlives a working session: its resumable state carried in the repository.

Run folders (`native-models/runs/`) are not committed, and a CPU session here ends after a few
hours, so a run with a longer budget would start over on every fresh clone. `save` copies what
resuming needs (the last checkpoint with its optimizer moments, step and elapsed minutes, the
held-out best, the log and the resolved config) to `checkpoints/in-progress/<family>/<config>/`;
`restore` puts it back into an empty run folder before training starts, so the shared loop
resumes exactly where the saved checkpoint stopped. A run folder that already has a checkpoint
is never overwritten: the local run is always newer than what was carried.

    python -m tessera_models.common.carried_run save jetformer cpu-240m
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from tessera_models.data.emoji import NATIVE_MODELS

CARRIED = ("model.pt", "model_best.pt", "log.jsonl", "config.json")


def carried_dir(family: str, config: str, root: Path | None = None) -> Path:
    return (root or NATIVE_MODELS / "checkpoints" / "in-progress") / family / config


def _copy_all(src: Path, dst: Path) -> list[str]:
    dst.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in CARRIED:
        if (src / name).is_file():
            tmp = dst / f".{name}.tmp"
            shutil.copyfile(src / name, tmp)
            tmp.replace(dst / name)
            copied.append(name)
    return copied


def save(run_dir: Path, carried: Path) -> list[str]:
    """Copies the run's resumable files to `carried`; the run must have a checkpoint."""
    if not (run_dir / "model.pt").is_file():
        raise FileNotFoundError(f"{run_dir} has no model.pt: train the config first")
    return _copy_all(run_dir, carried)


def restore(run_dir: Path, carried: Path) -> list[str]:
    """Fills an empty run folder from `carried`; returns what was copied (nothing when the run
    folder has its own checkpoint or nothing was carried)."""
    if (run_dir / "model.pt").is_file() or not (carried / "model.pt").is_file():
        return []
    return _copy_all(carried, run_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["save"])
    parser.add_argument("family")
    parser.add_argument("config")
    args = parser.parse_args()
    run_dir = NATIVE_MODELS / "runs" / args.family / args.config
    copied = save(run_dir, carried_dir(args.family, args.config))
    print(f"carried {', '.join(copied)} to {carried_dir(args.family, args.config)}")


if __name__ == "__main__":
    main()
