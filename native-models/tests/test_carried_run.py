"""A run carried across sessions resumes from its saved state and never overwrites a newer one."""

from pathlib import Path

import pytest

from tessera_models.common.carried_run import restore, save


def _run(folder: Path, step: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "model.pt").write_text(step)
    (folder / "log.jsonl").write_text(f'{{"step": {step}}}\n')
    return folder


def test_save_then_restore_fills_an_empty_run_folder(tmp_path: Path) -> None:
    run = _run(tmp_path / "runs" / "cpu", "40")
    carried = tmp_path / "carried"
    assert save(run, carried) == ["model.pt", "log.jsonl"]
    fresh = tmp_path / "clone" / "runs" / "cpu"
    assert restore(fresh, carried) == ["model.pt", "log.jsonl"]
    assert (fresh / "model.pt").read_text() == "40"
    assert not list(fresh.glob(".*.tmp"))


def test_restore_never_overwrites_a_run_with_its_own_checkpoint(tmp_path: Path) -> None:
    carried = tmp_path / "carried"
    save(_run(tmp_path / "old", "40"), carried)
    newer = _run(tmp_path / "newer", "90")
    assert restore(newer, carried) == []
    assert (newer / "model.pt").read_text() == "90"


def test_restore_without_anything_carried_does_nothing(tmp_path: Path) -> None:
    assert restore(tmp_path / "run", tmp_path / "nothing") == []
    assert not (tmp_path / "run").exists()


def test_save_refuses_a_run_that_has_not_checkpointed(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    with pytest.raises(FileNotFoundError, match="train the config first"):
        save(tmp_path / "run", tmp_path / "carried")
