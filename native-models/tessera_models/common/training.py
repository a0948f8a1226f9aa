"""Training plumbing shared by every family: devices, torchrun/DDP, schedules, checkpoints, logs.

The same trainer runs on CPU, on one GPU, or on several through `torchrun --nproc_per_node N`,
which sets WORLD_SIZE/RANK/LOCAL_RANK; each rank then draws its own batches and DDP averages
gradients.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist


@dataclass
class Runtime:
    device: torch.device
    rank: int
    world_size: int
    autocast_dtype: torch.dtype | None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def autocast(self) -> torch.autocast:
        enabled = self.autocast_dtype is not None
        return torch.autocast(
            self.device.type, dtype=self.autocast_dtype or torch.bfloat16, enabled=enabled
        )


def cpu_supports_fast_bf16() -> bool:
    # bf16 autocast tripled decoder throughput on a CPU with AMX (docs/training.md §CPU speed);
    # without AMX or AVX512-BF16 it is slower than fp32.
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def setup_runtime(threads: int | None = None) -> Runtime:
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if torch.cuda.is_available():
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        dtype: torch.dtype | None = torch.bfloat16
        backend = "nccl"
    else:
        device = torch.device("cpu")
        if threads is not None:
            torch.set_num_threads(threads)
        dtype = torch.bfloat16 if cpu_supports_fast_bf16() else None
        backend = "gloo"
    if world_size > 1 and not dist.is_initialized():
        dist.init_process_group(backend)
    return Runtime(device=device, rank=rank, world_size=world_size, autocast_dtype=dtype)


def wrap_ddp(model: torch.nn.Module, runtime: Runtime) -> torch.nn.Module:
    if runtime.world_size == 1:
        return model
    ids = [runtime.device.index] if runtime.device.type == "cuda" else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)


class BudgetClock:
    """The clock a run's time budget is counted on.

    On a GPU it is the wall clock. On the CPU it is the process's CPU time divided by its
    threads: on a machine that other work is loading, a run gets the compute of its budget
    (later, not less), so two presets "at equal compute" really are, and a preset's minutes mean
    the same on a quiet machine and a busy one. On a quiet machine the two clocks agree to within
    the time the threads spend idle.
    """

    def __init__(self, device: torch.device, threads: int | None = None) -> None:
        self.on_cpu = device.type == "cpu"
        self.threads = max(1, threads or torch.get_num_threads())

    def now(self) -> float:
        if self.on_cpu:
            return time.process_time() / self.threads
        return time.time()


def training_progress(step: int, steps: int, elapsed_s: float, minutes: float | None) -> float:
    """Fraction of the run done: by steps, or by wall-clock when a time budget ends it sooner.

    Scheduling on this fraction anneals the learning rate fully even when the budget, not the
    step count, ends a run, so one config trains well on a slow CPU and on a fast GPU.
    """
    by_steps = step / max(1, steps)
    by_time = elapsed_s / (minutes * 60) if minutes is not None else 0.0
    return min(1.0, max(by_steps, by_time))


def cosine_lr(
    step: int, progress: float, peak: float, warmup: int, floor_ratio: float = 0.05
) -> float:
    """Linear warmup over `warmup` steps, then cosine decay over `progress` to floor_ratio·peak."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * (floor_ratio + (1 - floor_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Atomic: a run killed mid-save keeps its previous checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    return torch.load(path, map_location="cpu", weights_only=False)


def resume(
    path: Path, model: torch.nn.Module, opt: torch.optim.Optimizer, log: RunLog
) -> tuple[int, float, dict[str, Any] | None]:
    """Loads model and optimizer from `path` when a checkpoint exists: (step, elapsed s, state)."""
    state = load_checkpoint(path)
    if state is None:
        return 0, 0.0, None
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    log.write(event="resume", step=state["step"], elapsed_min=state["elapsed"] / 60)
    return int(state["step"]), float(state["elapsed"]), state


def _grow_rows(old: torch.Tensor, rows: int, tile: bool) -> torch.Tensor:
    """`old` [R, …] extended to [rows, …]: by repeating its rows (weights) or with zeros
    (optimizer moments, so the new rows start with no history)."""
    if tile:
        reps = -(-rows // old.shape[0])
        return old.repeat(reps, *([1] * (old.dim() - 1)))[:rows].clone()
    grown = old.new_zeros((rows, *old.shape[1:]))
    grown[: old.shape[0]] = old
    return grown


def _grow_state(
    state: dict[str, Any],
    model: torch.nn.Module,
    opt: torch.optim.Optimizer,
    growable: tuple[str, ...],
) -> list[str]:
    """Grows the source's tables named in `growable` to this model's row count (a longer
    context), in the weights and in the optimizer moments; any other mismatch stays an error."""
    own = model.state_dict()
    grown = []
    for name in growable:
        src, dst = state["model"].get(name), own.get(name)
        if src is None or dst is None or src.shape == dst.shape:
            continue
        if src.shape[1:] != dst.shape[1:] or src.shape[0] > dst.shape[0]:
            raise ValueError(f"cannot grow {name} from {tuple(src.shape)} to {tuple(dst.shape)}")
        state["model"][name] = _grow_rows(src, dst.shape[0], tile=True)
        grown.append(name)
    if grown and state.get("optimizer") is not None:
        # Optimizer state is keyed by each parameter's place in the param groups, in order.
        names = {id(p): n for n, p in model.named_parameters()}
        order = [names[id(p)] for group in opt.param_groups for p in group["params"]]
        for index, moments in state["optimizer"]["state"].items():
            name = order[int(index)]
            if name in grown:
                rows = own[name].shape[0]
                for key in ("exp_avg", "exp_avg_sq"):
                    moments[key] = _grow_rows(moments[key], rows, tile=False)
    return grown


def warm_start(
    source: Path,
    model: torch.nn.Module,
    opt: torch.optim.Optimizer,
    log: RunLog,
    growable: tuple[str, ...] = (),
) -> None:
    """Weights and optimizer moments (where it kept them) from another run's last checkpoint.
    The new run's step and schedule start from zero, so its warmup and cosine make a warm
    restart. Tables named in `growable` (learned positions) may be longer here: the source's
    rows are repeated."""
    state = load_checkpoint(source)
    if state is None:
        raise FileNotFoundError(f"{source} is missing: train the run this config continues first")
    grown = _grow_state(state, model, opt, growable)
    model.load_state_dict(state["model"])
    # A source rebuilt from shipped weights has no moments: AdamW starts them under the warmup.
    carried = state.get("optimizer") is not None
    if carried:
        opt.load_state_dict(state["optimizer"])
    log.write(
        event="warm_start",
        source=str(source),
        optimizer="carried" if carried else "fresh",
        source_step=int(state["step"]),
        source_tokens=int(state.get("tokens_seen", 0)),
        source_minutes=float(state["elapsed"]) / 60,
        grown=grown,
    )


def run_events(log: Path, event: str) -> list[dict[str, Any]]:
    """The events of one kind in a run's log.jsonl, oldest first; none when there is no log."""
    if not log.exists():
        return []
    marker = f'"event": "{event}"'
    return [json.loads(line) for line in log.read_text().splitlines() if marker in line]


def continued_run(log: Path, source_config: str | None) -> dict[str, Any] | None:
    """For a warm-started run, what it continued: the source config and that run's steps,
    tokens and minutes, so a manifest states the whole training cost."""
    started = run_events(log, "warm_start")
    if source_config is None or not started:
        return None
    first = started[0]
    return {
        "config": source_config,
        "step": first["source_step"],
        "tokens": first["source_tokens"],
        "minutes": first["source_minutes"],
    }


def inherit_files(source: Path, out: Path, names: tuple[str, ...]) -> None:
    """A warm-started run must see the tokenizers its weights were trained with, so it copies
    the source run's cached files (never over files of its own) instead of building them again."""
    missing = [name for name in names if not (source / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"{source} lacks {', '.join(missing)}: train the run this config continues first"
        )
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        if not (out / name).exists():
            shutil.copy2(source / name, out / name)


def training_cli(doc: str | None, train: Any, load_config: Any) -> None:
    """The command line every trainer shares: --config, --data, --threads. The family passes
    its own config loader, so this shared module depends on no family."""
    import argparse

    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--config", default="cpu-round1", help="a config (or a preset's old name)")
    parser.add_argument("--data", default=None, help="emoji-v1 folder (default: the build cache)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    args = parser.parse_args()
    train(load_config(args.config), args.data, args.threads)


class RunLog:
    """Appends one JSON object per line to <run>/log.jsonl and echoes a short line to stdout."""

    def __init__(self, run_dir: Path, enabled: bool) -> None:
        self.path = run_dir / "log.jsonl"
        self.enabled = enabled
        self.started = time.time()
        if enabled:
            run_dir.mkdir(parents=True, exist_ok=True)

    def write(self, **fields: Any) -> None:
        if not self.enabled:
            return
        fields = {"time": round(time.time() - self.started, 2), **fields}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(fields) + "\n")
        print(" ".join(f"{k}={_fmt(v)}" for k, v in fields.items()), flush=True)


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def all_reduce_mean(value: torch.Tensor, runtime: Runtime) -> torch.Tensor:
    if runtime.world_size > 1:
        value = value.clone()
        dist.all_reduce(value)
        value /= runtime.world_size
    return value
