"""The steps every family's export takes the same way, so a family's export.py holds only its
own graphs, parity checks and manifest (docs/models.md §Parity and goldens).

An export ships the run's held-out best checkpoint (its last when it kept none), writes its
graphs with half-stored weights into an emptied folder and checks each, records parity against
onnxruntime, writes the manifest before the goldens (the reference loop reads it) and again
with the goldens' hashes, and keeps fp16 state dicts of exactly the shipped weights.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch

from tessera_models.common.decoder_io import TOLERANCE
from tessera_models.common.kv_decoder import causal_mask_np
from tessera_models.common.onnx_tools import check_graph, sha256_file, store_weights_as_half
from tessera_models.common.source import git_commit
from tessera_models.common.training import run_events


def trained_checkpoint(
    run: Path, last: str = "model.pt", best: str = "model_best.pt"
) -> tuple[Path, dict[str, Any]]:
    """The checkpoint an export ships and its state: the held-out best when the run kept one
    (many epochs over a small dataset can overfit), else the last."""
    chosen = run / best if (run / best).exists() else run / last
    state: dict[str, Any] = torch.load(chosen, map_location="cpu", weights_only=False)
    return chosen, state


def check_vocabulary(chosen: Path, trained: int, current: int) -> None:
    if trained != current:
        raise ValueError(
            f"{chosen} was trained with {trained} text ids but the dataset's "
            f"vocabulary has {current}: export with the dataset it was trained on"
        )


def empty_folder(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)


def store_and_check(paths: Iterable[Path]) -> None:
    """Half-stored weights, then the full onnx check and no random ops, for every graph."""
    for path in paths:
        store_weights_as_half(path)
        check_graph(path)


def parity_report(**extra: Any) -> dict[str, Any]:
    """The start of manifest.parity: the tolerance and the runtime every diff was taken on."""
    return {"tolerance": TOLERANCE, "onnxruntime": ort.__version__, **extra}


def max_abs_diff(a: np.ndarray, b: np.ndarray | torch.Tensor) -> float:
    other = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    return float(np.abs(a - other).max())


def run_embeds_decoder(
    session: ort.InferenceSession,
    embeds: np.ndarray,
    past: list[np.ndarray],
    mask: np.ndarray | None = None,
) -> list[np.ndarray]:
    """A decoder graph that reads embeddings, on unpadded rows [B,S,D] right after a
    concatenated cache: hidden, then present.*. The mask defaults to causal."""
    b, n = embeds.shape[:2]
    p = past[0].shape[2]
    if mask is None:
        mask = causal_mask_np(np.ones((b, n), bool), np.ones((b, p), bool))
    names = [i.name for i in session.get_inputs()][3:]
    feed = {
        "inputs_embeds": embeds.astype(np.float32),
        "position_ids": np.broadcast_to(np.arange(p, p + n), (b, n)).astype(np.int64),
        "attention_mask": mask,
    }
    out: list[np.ndarray] = session.run(None, feed | dict(zip(names, past, strict=True)))
    return out


def file_entry(path: Path) -> dict[str, Any]:
    return {"file": path.name, "sha256": sha256_file(path)}


def data_card(root: Path) -> dict[str, Any]:
    card: dict[str, Any] = json.loads((root / "datacard.json").read_text(encoding="utf-8"))
    return card


def export_source(package: str, config_name: str, flags: str = "") -> dict[str, Any]:
    """Where the export came from and the command that makes it again."""
    return {
        "commit": git_commit(),
        "config": config_name,
        "command": f"python -m tessera_models.{package}.export --config {config_name}{flags}",
    }


def config_file(package: str, config_name: str) -> str:
    return f"tessera_models/{package}/configs/{config_name.replace('-', '_')}.py"


def last_done(log: Path) -> dict[str, Any]:
    """The run's last `done` event (empty when it never finished)."""
    done = run_events(log, "done")
    return done[-1] if done else {}


def parameter_count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_with_goldens(
    out: Path, manifest: dict[str, Any], write_goldens: Callable[[], dict[str, Any]]
) -> None:
    """The reference loop that writes the goldens reads the manifest, so it is written first,
    then again with the goldens' entry in its parity."""
    write_manifest(out, manifest)
    manifest["parity"]["golden"] = write_goldens()
    write_manifest(out, manifest)


def half_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """fp16 state dict of a module whose weights were rounded to fp16 (so it is lossless)."""
    return {k: v.half() if v.is_floating_point() else v for k, v in module.state_dict().items()}


def float_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    # Widening fp16 weights that were rounded from fp32 is exact.
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def save_shipped(path: Path, saved: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(saved, path)


def load_shipped(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    saved: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=False)
    return saved


def export_main(
    doc: str | None,
    default_config: str,
    load_config: Callable[[str], Any],
    export: Callable[[Any, Path, str | None], dict[str, Any]],
    default_out: Callable[[Any], Path],
    config_help: str | None = None,
) -> None:
    """The command line every family's export shares: --config, --out, --data."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--config", default=default_config, help=config_help)
    parser.add_argument("--out", default=None)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    config = load_config(args.config)
    out = Path(args.out) if args.out else default_out(config)
    manifest = export(config, out, args.data)
    print(json.dumps(manifest["parity"], indent=2))
    print(f"exported {manifest['id']} to {out}")
