"""The shared training loop, driven by a tiny family (linear regression on fixed data): it
trains, logs, keeps its best weights, writes its resolved config, resumes without training
further, splits batches without changing the gradient, and honours per-group lr scales."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from tessera_models.common.resolved_config import resolve
from tessera_models.common.trainer import (
    LoopSettings,
    StepLoss,
    TrainingHooks,
    decay_groups,
    run_training,
)
from tessera_models.common.training import (
    BudgetClock,
    load_checkpoint,
    run_events,
    setup_runtime,
)


@dataclass
class ToyConfig:
    name: str = "toy"
    features: int = 4
    pair: tuple[int, int] = (1, 2)


class LinearHooks(TrainingHooks):
    def __init__(self, parts: int = 1, freeze_bias: bool = False) -> None:
        gen = np.random.default_rng(0)
        self.x = gen.normal(size=(256, 4)).astype(np.float32)
        self.y = self.x @ np.array([1.0, -2.0, 0.5, 3.0], dtype=np.float32) + 0.7
        self.parts = parts
        self.freeze_bias = freeze_bias
        self.batches = 0

    def build_model(self) -> torch.nn.Module:
        return torch.nn.Linear(4, 1)

    def model_config(self) -> dict[str, Any]:
        return {"in": 4, "out": 1}

    def param_groups(self, model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
        groups = decay_groups(model, weight_decay, lambda name, p: name == "bias")
        if self.freeze_bias:
            groups[1]["lr_scale"] = 0.0
        return groups

    def next_batch(self, rng: np.random.Generator, progress: float) -> np.ndarray:
        self.batches += 1
        return rng.choice(200, size=32)

    def micro_batches(self, batch: np.ndarray) -> list[tuple[Any, float]]:
        return [(part, len(part) / len(batch)) for part in np.array_split(batch, self.parts)]

    def loss(self, model: torch.nn.Module, batch: np.ndarray) -> StepLoss:
        pred = model(torch.from_numpy(self.x[batch]))[:, 0]
        loss = torch.mean((pred - torch.from_numpy(self.y[batch])) ** 2)
        return StepLoss(loss, tokens=len(batch), metrics={"rows": float(len(batch))})

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        assert not model.training and not torch.is_grad_enabled()
        pred = model(torch.from_numpy(self.x[200:]))[:, 0]
        return {"val_mse": float(torch.mean((pred - torch.from_numpy(self.y[200:])) ** 2))}

    def best_value(self, metrics: dict[str, float]) -> float:
        return metrics["val_mse"]

    def extra_state(self) -> dict[str, Any]:
        return {"batches": self.batches}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        self.batches = state["batches"]


def _settings(run_dir: Path, **overrides: Any) -> LoopSettings:
    base = LoopSettings(
        run_dir=run_dir,
        seed=3,
        steps=60,
        lr=0.2,
        warmup=5,
        weight_decay=0.0,
        eval_every=20,
        log_every=10,
        resolved_config=resolve(ToyConfig()),
    )
    return replace(base, **overrides)


def _weights(run_dir: Path) -> torch.Tensor:
    state = load_checkpoint(run_dir / "model.pt")
    assert state is not None
    return torch.cat([state["model"]["weight"].flatten(), state["model"]["bias"]])


def test_the_loop_trains_logs_checkpoints_and_resumes_without_training_more(
    tmp_path: Path,
) -> None:
    runtime = setup_runtime(1)
    hooks = LinearHooks()
    first = run_training(_settings(tmp_path), hooks, runtime)
    assert first["val_mse"] < 0.05  # from about 15 at initialisation
    state = load_checkpoint(tmp_path / "model.pt")
    assert state is not None
    assert state["step"] == 60 and state["tokens_seen"] == 60 * 32
    assert state["config"] == {"in": 4, "out": 1} and state["extra"] == {"batches": 60}
    evals = [
        e["val_mse"] for e in map(json.loads, (tmp_path / "log.jsonl").open()) if "val_mse" in e
    ]
    assert len(evals) == 4 and state["best_val"] == min(evals)  # 3 periodic, 1 final
    best = load_checkpoint(tmp_path / "model_best.pt")
    assert best is not None and best["metrics"]["val_mse"] == state["best_val"]
    log = tmp_path / "log.jsonl"
    assert run_events(log, "start")[0]["params"] == 5
    done = run_events(log, "done")
    assert done[0]["step"] == 60 and done[0]["flops"] == 6 * 5 * 60 * 32
    steps = [json.loads(line) for line in log.read_text().splitlines() if '"loss"' in line]
    assert [e["step"] for e in steps] == [10, 20, 30, 40, 50, 60]
    assert all(e["rows"] == 32.0 for e in steps)
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved == resolve(ToyConfig()) == {"name": "toy", "features": 4, "pair": [1, 2]}

    again_hooks = LinearHooks()
    again = run_training(_settings(tmp_path), again_hooks, runtime)
    assert again == first and again_hooks.batches == 60  # restored, and no batch drawn
    assert len(run_events(log, "resume")) == 1 and len(run_events(log, "start")) == 1


def test_same_seed_same_weights_and_micro_batches_leave_the_gradient_unchanged(
    tmp_path: Path,
) -> None:
    runtime = setup_runtime(1)
    run_training(_settings(tmp_path / "a"), LinearHooks(), runtime)
    run_training(_settings(tmp_path / "b"), LinearHooks(), runtime)
    run_training(_settings(tmp_path / "c"), LinearHooks(parts=3), runtime)
    run_training(_settings(tmp_path / "d", seed=4), LinearHooks(), runtime)
    assert torch.equal(_weights(tmp_path / "a"), _weights(tmp_path / "b"))
    torch.testing.assert_close(_weights(tmp_path / "c"), _weights(tmp_path / "a"))
    assert not torch.allclose(_weights(tmp_path / "d"), _weights(tmp_path / "a"))


def test_a_group_with_lr_scale_zero_does_not_move(tmp_path: Path) -> None:
    torch.manual_seed(3)
    initial_bias = torch.nn.Linear(4, 1).bias.detach().clone()
    run_training(_settings(tmp_path, steps=10), LinearHooks(freeze_bias=True), setup_runtime(1))
    state = load_checkpoint(tmp_path / "model.pt")
    assert state is not None
    assert torch.equal(state["model"]["bias"], initial_bias)
    assert not torch.equal(state["model"]["weight"], torch.zeros(1, 4))


def test_a_time_budget_ends_the_run_and_the_schedule(tmp_path: Path) -> None:
    metrics = run_training(
        _settings(tmp_path, steps=10**9, minutes=0.02), LinearHooks(), setup_runtime(1)
    )
    done = run_events(tmp_path / "log.jsonl", "done")[0]
    assert 0 < done["step"] < 10**9 and done["elapsed_min"] < 0.1
    assert np.isfinite(metrics["val_mse"])


def test_resolve_refuses_what_is_not_a_config() -> None:
    with pytest.raises(TypeError, match="config dataclass"):
        resolve(ToyConfig)


class CountlessHooks(LinearHooks):
    """A family whose steps count no tokens and that seeds its own generator in `begin`."""

    def begin(self, step: int, runtime: Any) -> None:
        self.began_at = step

    def loss(self, model: torch.nn.Module, batch: np.ndarray) -> StepLoss:
        return replace(super().loss(model, batch), tokens=0)


def test_no_best_no_tokens_and_begin_sees_the_resumed_step(tmp_path: Path) -> None:
    settings = _settings(tmp_path, steps=20, best_name=None)
    hooks = CountlessHooks()
    run_training(settings, hooks, setup_runtime(1))
    assert hooks.began_at == 0 and not (tmp_path / "model_best.pt").exists()
    done = run_events(tmp_path / "log.jsonl", "done")[0]
    assert "flops" not in done and "tokens" not in done and done["step"] == 20
    steps = [json.loads(line) for line in (tmp_path / "log.jsonl").open() if '"loss"' in line]
    assert steps and all("tok_per_s" not in e for e in steps)
    longer = CountlessHooks()
    run_training(replace(settings, steps=30), longer, setup_runtime(1))
    assert longer.began_at == 20 and longer.batches == 30


def test_cpu_budget_counts_compute_not_waiting() -> None:
    # A CPU run's budget is its CPU time per thread: time spent waiting (here, sleeping; on a busy
    # machine, descheduled) does not use it up, work does.
    clock = BudgetClock(torch.device("cpu"), threads=1)
    start = clock.now()
    time.sleep(0.4)
    slept = clock.now() - start
    start, thread_start = clock.now(), time.thread_time()
    total = 0
    while time.thread_time() - thread_start < 0.3:  # 0.3 s of this thread's work, however long
        total += sum(range(1000))
    worked = clock.now() - start
    assert slept < 0.1
    assert worked >= 0.3
    assert total > 0


def test_gpu_budget_is_the_wall_clock() -> None:
    clock = BudgetClock(torch.device("cuda"), threads=2)
    start = clock.now()
    time.sleep(0.2)
    assert clock.now() - start >= 0.2


def test_cpu_budget_shares_cpu_time_among_threads() -> None:
    one, two = BudgetClock(torch.device("cpu"), threads=1), BudgetClock(torch.device("cpu"), 2)
    assert two.now() == pytest.approx(one.now() / 2, rel=0.05)
