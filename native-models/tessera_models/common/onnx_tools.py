"""ONNX helpers shared by every family's export: half-precision weight storage, checks, hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

RANDOM_OPS = {
    "RandomNormal",
    "RandomNormalLike",
    "RandomUniform",
    "RandomUniformLike",
    "Multinomial",
    "Bernoulli",
}


def round_weights_to_half(module: torch.nn.Module) -> None:
    """Rounds float parameters to fp16 precision in place, so the PyTorch model computes with
    exactly the weights the half-stored ONNX file holds (and parity stays at fp32 rounding)."""
    with torch.no_grad():
        for p in module.parameters():
            if p.dtype == torch.float32:
                p.copy_(p.half().float())


def store_weights_as_half(path: Path, min_elements: int = 1024) -> None:
    """Rewrites large fp32 initializers as fp16 plus a Cast back to fp32.

    Halves the file; all arithmetic stays fp32 (docs/models.md §Decoder graph I/O), and ORT folds
    the casts once at session creation.
    """
    model = onnx.load(str(path))
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type != TensorProto.FLOAT:
            continue
        array = numpy_helper.to_array(init)
        if array.size < min_elements:
            continue
        half_name = f"{init.name}__fp16"
        half = numpy_helper.from_array(array.astype(np.float16), half_name)
        graph.initializer.remove(init)
        graph.initializer.append(half)
        casts.append(helper.make_node("Cast", [half_name], [init.name], to=TensorProto.FLOAT))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.save(model, str(path))


def check_graph(path: Path) -> None:
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    random = sorted({n.op_type for n in model.graph.node} & RANDOM_OPS)
    if random:
        raise ValueError(
            f"{path.name} contains random ops {random}: all randomness belongs to the app"
        )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dim(d: Any) -> int | str:
    return d.dim_param if d.dim_param else int(d.dim_value)


def describe_io(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Inputs and outputs with dtype and (symbolic) shape, for the manifest."""
    model = onnx.load(str(path), load_external_data=False)
    names = {
        TensorProto.FLOAT: "float32",
        TensorProto.INT64: "int64",
        TensorProto.FLOAT16: "float16",
    }

    def io(values: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": v.name,
                "dtype": names.get(v.type.tensor_type.elem_type, str(v.type.tensor_type.elem_type)),
                "shape": [_dim(d) for d in v.type.tensor_type.shape.dim],
            }
            for v in values
        ]

    return {"inputs": io(model.graph.input), "outputs": io(model.graph.output)}


def graph_entry(path: Path, opset: int) -> dict[str, Any]:
    return {
        "file": path.name,
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        "opset": opset,
        **describe_io(path),
    }
