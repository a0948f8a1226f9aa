"""Continuing a finished run under a new config: weights, optimizer moments and tokenizers
come from the source run; a missing source is refused with what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tessera_models.common.training import RunLog, inherit_files, save_checkpoint, warm_start
from tessera_models.jpeg_lm.prepare import CACHED


def _model_and_opt(seed: int) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(seed)
    model = torch.nn.Linear(4, 3)
    return model, torch.optim.AdamW(model.parameters(), lr=1e-3)


def test_warm_start_takes_weights_and_optimizer_and_logs_the_source(tmp_path: Path) -> None:
    source, opt = _model_and_opt(0)
    source(torch.randn(2, 4)).sum().backward()
    opt.step()  # the optimizer now has moments worth carrying over
    ckpt = tmp_path / "source" / "model.pt"
    save_checkpoint(
        ckpt,
        {
            "model": source.state_dict(),
            "optimizer": opt.state_dict(),
            "step": 7,
            "elapsed": 120.0,
            "tokens_seen": 900,
        },
    )
    model, fresh = _model_and_opt(1)
    assert not torch.equal(model.weight, source.weight)
    warm_start(ckpt, model, fresh, RunLog(tmp_path / "new", True))
    assert torch.equal(model.weight, source.weight) and torch.equal(model.bias, source.bias)
    moments = fresh.state_dict()["state"][0]["exp_avg"]
    assert torch.equal(moments, opt.state_dict()["state"][0]["exp_avg"])
    event = json.loads((tmp_path / "new" / "log.jsonl").read_text().splitlines()[0])
    assert event["event"] == "warm_start"
    assert (event["source_step"], event["source_tokens"], event["source_minutes"]) == (7, 900, 2.0)


def test_warm_start_from_weights_without_moments_starts_them_afresh(tmp_path: Path) -> None:
    # A source rebuilt from shipped weights keeps no optimizer state.
    source, _ = _model_and_opt(0)
    ckpt = tmp_path / "restored" / "model.pt"
    save_checkpoint(
        ckpt,
        {
            "model": source.state_dict(),
            "optimizer": None,
            "step": 5,
            "elapsed": 60.0,
            "tokens_seen": 10,
        },
    )
    model, fresh = _model_and_opt(1)
    warm_start(ckpt, model, fresh, RunLog(tmp_path / "new", True))
    assert torch.equal(model.weight, source.weight)
    assert fresh.state_dict()["state"] == {}
    event = json.loads((tmp_path / "new" / "log.jsonl").read_text().splitlines()[0])
    assert event["optimizer"] == "fresh" and event["source_step"] == 5


def test_warm_start_without_the_source_run_says_to_train_it(tmp_path: Path) -> None:
    model, opt = _model_and_opt(0)
    with pytest.raises(FileNotFoundError, match="train the run this config continues"):
        warm_start(tmp_path / "absent" / "model.pt", model, opt, RunLog(tmp_path, False))


def test_caches_are_inherited_once_and_never_overwritten(tmp_path: Path) -> None:
    source, out = tmp_path / "source", tmp_path / "out"
    source.mkdir()
    out.mkdir()
    for name in CACHED:
        (source / name).write_text(f"source {name}")
    (out / CACHED[1]).write_text("already here")
    inherit_files(source, out, CACHED)
    assert (out / CACHED[0]).read_text() == f"source {CACHED[0]}"
    assert (out / CACHED[1]).read_text() == "already here"
    (source / CACHED[2]).unlink()
    with pytest.raises(FileNotFoundError, match="train the run this config continues"):
        inherit_files(source, tmp_path / "other", CACHED)


class _Positions(torch.nn.Module):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.positions = torch.nn.Embedding(rows, 3)
        self.head = torch.nn.Linear(3, 2)


def test_warm_start_grows_a_longer_position_table_and_its_moments(tmp_path: Path) -> None:
    torch.manual_seed(0)
    source = _Positions(4)
    # Two param groups in the order the trainers use (positions in the second), so optimizer
    # state indices differ from model.parameters() order.
    opt = torch.optim.AdamW(
        [{"params": [source.head.weight, source.head.bias]}, {"params": [source.positions.weight]}]
    )
    source.positions(torch.arange(4)).sum().backward()
    source.head(torch.ones(3)).sum().backward()
    opt.step()
    ckpt = tmp_path / "source.pt"
    save_checkpoint(
        ckpt,
        {"model": source.state_dict(), "optimizer": opt.state_dict(), "step": 1, "elapsed": 1.0},
    )
    model = _Positions(10)
    fresh = torch.optim.AdamW(
        [{"params": [model.head.weight, model.head.bias]}, {"params": [model.positions.weight]}]
    )
    with pytest.raises(RuntimeError, match="size mismatch"):
        warm_start(ckpt, model, fresh, RunLog(tmp_path / "refused", False))
    warm_start(ckpt, model, fresh, RunLog(tmp_path / "new", True), growable=("positions.weight",))
    rows = source.positions.weight
    # Rows repeat the source's (so new positions start from trained ones) ...
    assert torch.equal(model.positions.weight, torch.cat([rows, rows, rows[:2]]))
    assert torch.equal(model.head.weight, source.head.weight)
    # ... while their Adam moments start empty, and the other moments carry over intact.
    moments = fresh.state_dict()["state"]
    assert moments[2]["exp_avg"].shape == (10, 3)
    assert torch.equal(moments[2]["exp_avg"][:4], opt.state_dict()["state"][2]["exp_avg"])
    assert moments[2]["exp_avg_sq"][4:].abs().sum() == 0
    assert torch.equal(moments[0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])
    event = json.loads((tmp_path / "new" / "log.jsonl").read_text().splitlines()[0])
    assert event["grown"] == ["positions.weight"]
    # Shrinking is never silent.
    with pytest.raises(ValueError, match="cannot grow"):
        small = _Positions(2)
        warm_start(
            ckpt,
            small,
            torch.optim.AdamW(small.parameters()),
            RunLog(tmp_path / "small", False),
            growable=("positions.weight",),
        )
