"""The one training loop every family runs: a family supplies hooks, the loop does the rest.

What the loop owns, so no family writes it again: the runtime (CPU, one GPU, or several ranks
under `torchrun`, with DDP), seeding, AdamW over the family's parameter groups, resume from the
run's own checkpoint or a warm start from another run's, the warmup-then-cosine schedule over
steps or a time budget (whichever ends first; on the CPU counted in CPU time per thread, see
BudgetClock), gradient clipping, periodic and timed
checkpoints, keep-if-best on a held-out metric, the run log (log.jsonl) with a final `done`
event carrying tokens and training FLOPs, and the resolved config written beside the
checkpoints.

A family writes a `TrainingHooks` subclass:

    class MyHooks(TrainingHooks):
        def build_model(self) -> nn.Module           # called right after torch.manual_seed(seed)
        def model_config(self) -> dict               # saved as the checkpoints' "config"
        def next_batch(self, rng, progress) -> Any   # one optimizer step's batch, drawn from rng
        def loss(self, model, batch) -> StepLoss     # mean loss, tokens it covered, named metrics
        def evaluate(self, model) -> dict[str, float]  # held-out metrics (run under no_grad, eval)
        def best_value(self, metrics) -> float       # the number keep-if-best minimises
      optional (defaults in the base class):
        def begin(self, step, runtime)               # once, after resume, before the first batch
        def param_groups(self, model, weight_decay) -> list[dict]  # decay matrices, not vectors
        def micro_batches(self, batch) -> list[tuple[Any, float]]  # [(part, weight)], weights sum to 1
        def start_info(self) -> dict                 # extra fields of the log's "start" event
        def extra_state(self) -> dict                # saved in each checkpoint under "extra"
        def load_extra_state(self, state: dict)      # given it back on resume

and calls `run_training(settings, hooks, runtime)` with a `LoopSettings` (run folder, seed,
steps, time budget, learning rate, warmup, weight decay, evaluation and log periods, the run it
warm-starts from, the resolved config; `schedule_settings` reads the schedule's fields from a
training config) and `setup_runtime(threads)`, or `train_with(settings, make_hooks, threads)`,
which sets the runtime up and builds the hooks for it. The loop calls `loss` with
the DDP-wrapped model (so gradients are averaged across ranks) and `evaluate` with the bare
one. The rng given to `next_batch` is numpy's, seeded with (seed, rank, step at start), so a
resumed run draws new batches and each rank draws its own (a family that draws with torch
seeds its own generator in `begin`, which gets the same step and rank). A param group may
carry "lr_scale": its learning rate is the schedule's times that factor.

A run without a held-out best (settings.best_name=None) keeps only its last checkpoint. A
family whose steps count no tokens (StepLoss.tokens=0) gets no tokens, FLOPs or throughput in
its log.

Checkpoints keep the keys every family's export and warm start read: model, optimizer, step,
elapsed, config (the model's), tokens_seen, best_val, and the family's extra state.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from tessera_models.common.carried_run import restore as restore_carried
from tessera_models.common.training import (
    BudgetClock,
    RunLog,
    Runtime,
    all_reduce_mean,
    cosine_lr,
    resume,
    save_checkpoint,
    setup_runtime,
    training_progress,
    warm_start,
    wrap_ddp,
)

# A session can end at any moment: never lose more than this much training.
CHECKPOINT_SECONDS = 300.0


@dataclass
class StepLoss:
    """What `TrainingHooks.loss` returns for one batch (or one micro-batch)."""

    loss: torch.Tensor  # scalar, with a graph: the loop calls backward on it
    tokens: int = 0  # tokens (or other units) it covered, for the FLOPs count and throughput
    # Logged beside the loss (rank 0's values; micro-batches' values weighted like the loss).
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LoopSettings:
    """Everything the loop needs from a family's resolved config and run folder."""

    run_dir: Path  # checkpoints (and config.json) go here
    seed: int
    steps: int
    lr: float
    warmup: int
    weight_decay: float
    eval_every: int
    # Time budget (BudgetClock: CPU time per thread on the CPU, wall clock on a GPU); the
    # schedule follows whichever of it and `steps` ends first.
    minutes: float | None = None
    log_dir: Path | None = None  # log.jsonl's folder (default: run_dir)
    checkpoint_name: str = "model.pt"
    best_name: str | None = "model_best.pt"  # None: no keep-if-best
    log_every: int = 25
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    checkpoint_seconds: float = CHECKPOINT_SECONDS
    # The checkpoint of the run this one continues, used when it has none of its own.
    warm_start: Path | None = None
    # Where a run longer than a session keeps its resumable state in the repository
    # (common/carried_run.py): restored into an empty run folder before training starts.
    carried_dir: Path | None = None
    # Tables a warm start may grow (learned positions of a longer context).
    growable: tuple[str, ...] = ()
    # The fully resolved experiment config (resolved_config.resolve), saved as config.json.
    resolved_config: dict[str, Any] | None = None


class TrainingHooks:
    """A family's part of the loop; see the module docstring for the contract."""

    def build_model(self) -> torch.nn.Module:
        raise NotImplementedError

    def model_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def next_batch(self, rng: np.random.Generator, progress: float) -> Any:
        raise NotImplementedError

    def loss(self, model: torch.nn.Module, batch: Any) -> StepLoss:
        raise NotImplementedError

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]:
        raise NotImplementedError

    def best_value(self, metrics: dict[str, float]) -> float:
        raise NotImplementedError

    def begin(self, step: int, runtime: Runtime) -> None:
        return None

    def param_groups(self, model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
        return decay_groups(model, weight_decay, lambda name, p: p.dim() < 2)

    def micro_batches(self, batch: Any) -> list[tuple[Any, float]]:
        return [(batch, 1.0)]

    def start_info(self) -> dict[str, Any]:
        return {}

    def extra_state(self) -> dict[str, Any]:
        return {}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        return None


class Schedule(Protocol):
    """The fields every family's training config spells the same way for the loop."""

    @property
    def steps(self) -> int: ...
    @property
    def minutes(self) -> float | None: ...
    @property
    def lr(self) -> float: ...
    @property
    def warmup(self) -> int: ...
    @property
    def weight_decay(self) -> float: ...
    @property
    def eval_every(self) -> int: ...


def schedule_settings(training: Schedule) -> dict[str, Any]:
    """LoopSettings' schedule fields from a family's training config."""
    return {
        "steps": training.steps,
        "minutes": training.minutes,
        "lr": training.lr,
        "warmup": training.warmup,
        "weight_decay": training.weight_decay,
        "eval_every": training.eval_every,
    }


def train_with(
    settings: LoopSettings,
    hooks: Callable[[Runtime], TrainingHooks],
    threads: int | None = None,
) -> dict[str, float]:
    """Sets up the runtime, builds the family's hooks for it and runs the loop."""
    runtime = setup_runtime(threads)
    return run_training(settings, hooks(runtime), runtime)


def decay_groups(model: torch.nn.Module, weight_decay: float, exempt: Any) -> list[dict[str, Any]]:
    """Two AdamW groups: weight decay on every parameter but those `exempt(name, param)` picks."""
    named = list(model.named_parameters())
    return [
        {"params": [p for n, p in named if not exempt(n, p)], "weight_decay": weight_decay},
        {"params": [p for n, p in named if exempt(n, p)], "weight_decay": 0.0},
    ]


def save_resolved_config(run_dir: Path, resolved: dict[str, Any]) -> Path:
    """Writes the run's fully resolved config as config.json (sorted keys, so diffs read well)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "config.json"
    path.write_text(json.dumps(resolved, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def run_training(
    settings: LoopSettings, hooks: TrainingHooks, runtime: Runtime
) -> dict[str, float]:
    """Trains until the step count or the time budget is spent; returns the final held-out
    metrics. Re-running a finished run trains no further and returns them again."""
    s = settings
    if runtime.is_main and s.carried_dir is not None:
        restored = restore_carried(s.run_dir, s.carried_dir)
        if restored:
            print(f"resuming from the carried checkpoint ({', '.join(restored)})", flush=True)
    log = RunLog(s.log_dir or s.run_dir, runtime.is_main)
    if runtime.is_main and s.resolved_config is not None:
        save_resolved_config(s.run_dir, s.resolved_config)
    torch.manual_seed(s.seed)
    model = hooks.build_model().to(runtime.device)
    opt = torch.optim.AdamW(hooks.param_groups(model, s.weight_decay), lr=s.lr, betas=s.betas)
    ckpt_path = s.run_dir / s.checkpoint_name
    step, elapsed, state = resume(ckpt_path, model, opt, log)
    if state is None and s.warm_start is not None:
        warm_start(s.warm_start, model, opt, log, growable=s.growable)
    if state is not None and "extra" in state:
        hooks.load_extra_state(state["extra"])
    ddp_model = wrap_ddp(model, runtime)
    rng = np.random.default_rng([s.seed, runtime.rank, step])
    hooks.begin(step, runtime)
    n_params = sum(p.numel() for p in model.parameters())
    if state is None:
        log.write(event="start", params=n_params, **hooks.start_info())
    tokens_seen = 0 if state is None else int(state.get("tokens_seen", 0))
    best_val = float("inf") if state is None else float(state.get("best_val", float("inf")))

    def checkpoint() -> None:
        if runtime.is_main:
            save_checkpoint(
                ckpt_path,
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "step": step,
                    "elapsed": elapsed,
                    "config": hooks.model_config(),
                    "tokens_seen": tokens_seen,
                    "best_val": best_val,
                    "extra": hooks.extra_state(),
                },
            )

    def evaluate() -> dict[str, float]:
        model.eval()
        with torch.no_grad():
            metrics = hooks.evaluate(model)
        model.train()
        return metrics

    def keep_if_best(metrics: dict[str, float]) -> float:
        # Many epochs over a small dataset can overfit: export takes the best held-out weights.
        if s.best_name is None:
            return best_val
        value = hooks.best_value(metrics)
        if runtime.is_main and value < best_val:
            save_checkpoint(
                s.run_dir / s.best_name,
                {
                    "model": model.state_dict(),
                    "step": step,
                    "config": hooks.model_config(),
                    "metrics": metrics,
                },
            )
            return value
        return best_val

    clock = BudgetClock(runtime.device)
    t0 = clock.now() - elapsed
    wall_start = time.time()
    last_save = time.time()
    while True:
        progress = training_progress(step, s.steps, clock.now() - t0, s.minutes)
        if progress >= 1.0:
            break
        lr = cosine_lr(step, progress, s.lr, s.warmup)
        for group in opt.param_groups:
            group["lr"] = lr * group.get("lr_scale", 1.0)
        batch = hooks.next_batch(rng, progress)
        opt.zero_grad(set_to_none=True)
        loss, tokens, step_metrics = _backward(ddp_model, hooks, batch, runtime)
        torch.nn.utils.clip_grad_norm_(model.parameters(), s.grad_clip)
        opt.step()
        step += 1
        tokens_seen += tokens * runtime.world_size
        elapsed = clock.now() - t0
        if step % s.log_every == 0:
            throughput = {"tok_per_s": tokens_seen / max(elapsed, 1e-6)} if tokens_seen else {}
            log.write(
                step=step,
                loss=float(all_reduce_mean(loss, runtime)),
                lr=opt.param_groups[0]["lr"],
                **throughput,
                **step_metrics,
            )
        if step % s.eval_every == 0:
            metrics = evaluate()
            log.write(step=step, **metrics)
            best_val = keep_if_best(metrics)
            checkpoint()
            last_save = time.time()
        elif time.time() - last_save >= s.checkpoint_seconds:
            checkpoint()
            last_save = time.time()
    metrics = evaluate()
    best_val = keep_if_best(metrics)
    cost = {"tokens": tokens_seen, "flops": float(6 * n_params * tokens_seen)}
    log.write(
        event="done",
        step=step,
        elapsed_min=elapsed / 60,
        wall_min_this_session=(time.time() - wall_start) / 60,
        **(cost if tokens_seen else {}),
        **metrics,
    )
    checkpoint()
    return metrics


def _backward(
    model: torch.nn.Module, hooks: TrainingHooks, batch: Any, runtime: Runtime
) -> tuple[torch.Tensor, int, dict[str, float]]:
    """Backpropagates the batch's loss over its micro-batches (each weighted, so the gradient
    is the whole batch's); returns the detached loss, the tokens and the weighted metrics."""
    total = torch.zeros((), device=runtime.device)
    tokens = 0
    metrics: dict[str, float] = {}
    for part, weight in hooks.micro_batches(batch):
        out = hooks.loss(model, part)
        if weight == 1.0:
            out.loss.backward()
            total = total + out.loss.detach()
        else:
            (out.loss * weight).backward()
            total = total + out.loss.detach() * weight
        tokens += out.tokens
        for name, value in out.metrics.items():
            metrics[name] = metrics.get(name, 0.0) + float(value) * weight
    return total, tokens, metrics
