"""Where an evaluation lands: its table printed, its metrics in the model's manifest, and a dated
copy (table and JSON) in eval/results/. Every family's evaluator ends the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tessera_models.data.emoji import NATIVE_MODELS

RESULTS_DIR = NATIVE_MODELS / "eval" / "results"


def report_evaluation(
    model_dir: Path,
    metrics: dict[str, Any],
    results_table: Callable[[str, dict[str, Any]], str],
    write: bool,
) -> None:
    manifest_path = model_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    table = results_table(manifest["id"], metrics)
    print(table)
    if not write:
        return
    manifest["metrics"] = metrics
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{metrics['date']}-{manifest['id'].split('/')[-1]}"
    (RESULTS_DIR / f"{stem}.md").write_text(table, encoding="utf-8")
    (RESULTS_DIR / f"{stem}.json").write_text(
        json.dumps(metrics, indent=2) + "\n", encoding="utf-8"
    )
