"""The decoder I/O every family's export shares (docs/models.md §Decoder graph I/O): cache tensor
names, the flat-cache graph wrapper onnxruntime sees, and the parity checks against onnxruntime."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import onnxruntime as ort
import torch
from torch import nn

OPSET = 17
TOLERANCE = 1e-4

KV = tuple[torch.Tensor, torch.Tensor]


class CachedDecoderModule(Protocol):
    def __call__(
        self,
        input_ids: torch.Tensor,
        position_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        past: list[KV] | None = None,
    ) -> tuple[torch.Tensor, list[KV]]: ...


def past_names(layers: int) -> list[str]:
    return [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


def present_names(layers: int) -> list[str]:
    return [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


class FlatCacheDecoder(nn.Module):
    """ONNX role `decoder`: input_ids, position_ids, additive mask, then the cache as a flat
    list of past key/value tensors; logits, then the flat present list. With `slots` the
    model reads the cache as a slot buffer and returns only the new tokens' keys and values
    (a model that supports it takes `slots=True`)."""

    def __init__(self, model: nn.Module, slots: bool = False) -> None:
        super().__init__()
        self.model = model
        self.slots = slots

    def forward(
        self,
        input_ids: torch.Tensor,
        position_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        *past_flat: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        if self.slots:
            logits, presents = self.model(input_ids, position_ids, attention_mask, past, slots=True)
        else:
            logits, presents = self.model(input_ids, position_ids, attention_mask, past)
        return (logits, *[t for kv in presents for t in kv])


class ParityError(AssertionError):
    pass


def cpu_session(path: Path, threads: int = 2) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def check_parity(name: str, diff: float, report: dict[str, Any]) -> None:
    """Records a max abs difference under `name`; raises when it exceeds TOLERANCE."""
    report[name] = float(diff)
    if not diff <= TOLERANCE:
        raise ParityError(f"parity {name}: max abs diff {diff:.3g} exceeds {TOLERANCE}")
