"""Makes `prepare_inputs_embeds` skip the vision tower when a call carries no images.

Readers of the layout call it with an empty image batch ([B, 0, 3, H, W]) for every text-only
step. The traced SigLIP tower cannot run on zero images (its reshapes infer a dimension from a
zero-sized tensor, which onnxruntime refuses), and a dummy image would cost a full vision pass
per token. So the graph becomes an `If` on the image count: the traced graph when there are
images, plain token embeddings when there are none. Both branches read the outer graph's
inputs and share its weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUTPUT = "inputs_embeds"


def _branch(graph: onnx.GraphProto, name: str, prefix: str, shared: set[str]) -> onnx.GraphProto:
    """`graph` as an If branch: no inputs of its own, internal values prefixed so the two
    branches never share a name, weights in `shared` left to the outer graph."""
    outer = {i.name for i in graph.input} | shared
    rename = lambda v: v if v == "" or v in outer else f"{prefix}{v}"  # noqa: E731
    nodes = []
    for node in graph.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        copy.name = f"{prefix}{node.name}"
        copy.input[:] = [rename(v) for v in node.input]
        copy.output[:] = [rename(v) for v in node.output]
        nodes.append(copy)
    inits = []
    for init in graph.initializer:
        if init.name in shared:
            continue
        copy = onnx.TensorProto()
        copy.CopyFrom(init)
        copy.name = rename(init.name)
        inits.append(copy)
    (out,) = graph.output
    output = helper.make_tensor_value_info(
        rename(out.name), out.type.tensor_type.elem_type, shape=None
    )
    return helper.make_graph(nodes, name, [], [output], initializer=inits)


def guard_empty_images(full: Path, text_only: Path) -> onnx.ModelProto:
    """The If of `full` (with images) and `text_only` (without)."""
    with_images = onnx.load(str(full))
    without = onnx.load(str(text_only))
    shared = [init for init in with_images.graph.initializer]
    names = {init.name for init in shared}
    then_branch = _branch(with_images.graph, "with_images", "with_images/", names)
    else_branch = _branch(without.graph, "text_only", "text_only/", names)
    consts = [
        numpy_helper.from_array(np.array([0], dtype=np.int64), "image_count/start"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "image_count/end"),
        numpy_helper.from_array(np.array(0, dtype=np.int64), "image_count/zero"),
    ]
    nodes = [
        helper.make_node("Shape", ["pixel_values"], ["image_count/shape"]),
        helper.make_node(
            "Slice",
            ["image_count/shape", "image_count/start", "image_count/end"],
            ["image_count/dims"],
        ),
        helper.make_node("ReduceProd", ["image_count/dims"], ["image_count"], keepdims=0),
        helper.make_node("Greater", ["image_count", "image_count/zero"], ["has_images"]),
        helper.make_node(
            "If",
            ["has_images"],
            [OUTPUT],
            then_branch=then_branch,
            else_branch=else_branch,
        ),
    ]
    graph = helper.make_graph(
        nodes,
        "prepare_inputs_embeds",
        list(with_images.graph.input),
        list(with_images.graph.output),
        initializer=shared + consts,
    )
    model = helper.make_model(graph, opset_imports=list(with_images.opset_import))
    model.ir_version = with_images.ir_version
    assert with_images.graph.output[0].type.tensor_type.elem_type == TensorProto.FLOAT
    return model
