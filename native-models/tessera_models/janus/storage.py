"""How the converted folder stores each graph, as the published layout does: one `.onnx` file,
and when its weights pass a size threshold, all of them in one ONNX external-data file beside
it named `<file>_data` (language_model.onnx -> language_model.onnx_data), the name
@huggingface/transformers asks for (utils/model-loader.js, getExternalDataChunkNames).

Protobuf cannot serialise a message over 2 GiB, and Janus-Pro-1B's language model alone is about
6 GB in fp32, so its graphs must keep their weights outside. The default threshold leaves a
wide margin under that ceiling for the graph's own nodes; tests lower it to force the path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import onnx

from tessera_models.common.onnx_tools import RANDOM_OPS

EXTERNAL_DATA_THRESHOLD = 1 << 30
# Tensors this small stay inline: shapes and scalars a reader parses with the graph.
INLINE_TENSOR_BYTES = 1024


def data_file(path: Path) -> Path:
    return path.with_name(path.name + "_data")


def _initializers(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    yield from graph.initializer
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _initializers(attr.g)


def weight_bytes(model: onnx.ModelProto) -> int:
    """Bytes of every initializer, in subgraphs too (the `If` of prepare_inputs_embeds)."""
    return sum(
        len(t.raw_data) if t.HasField("raw_data") else onnx.numpy_helper.to_array(t).nbytes
        for t in _initializers(model.graph)
    )


def save_graph(model: onnx.ModelProto, path: Path, threshold: int) -> Path | None:
    """Writes `model` at `path`, its weights in `<path>_data` when they pass `threshold` bytes;
    returns that data file, or None when the graph is one file. `model` is spent either way
    (saving as external data moves the weights out of it)."""
    data = data_file(path)
    data.unlink(missing_ok=True)
    if weight_bytes(model) <= threshold:
        onnx.save_model(model, str(path))
        return None
    onnx.save_model(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=data.name,
        size_threshold=INLINE_TENSOR_BYTES,
    )
    return data


def check_graph_file(path: Path) -> None:
    """onnx.checker over the file itself, so a graph with external data (however large) is
    checked with its weights; and no random op, since all randomness belongs to the app."""
    onnx.checker.check_model(str(path), full_check=True)
    nodes = onnx.load(str(path), load_external_data=False).graph.node
    random = sorted({n.op_type for n in nodes} & RANDOM_OPS)
    if random:
        raise ValueError(
            f"{path.name} contains random ops {random}: all randomness belongs to the app"
        )
