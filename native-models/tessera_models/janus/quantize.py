"""Weight-only quantisation of the language model's graphs (the Llama body and both heads, which
hold nearly all the weights a generation step reads), with onnxruntime's own tools, written
under the file names @huggingface/transformers reads for each dtype (utils/dtypes.js,
DEFAULT_DTYPE_SUFFIX_MAPPING: language_model_q4.onnx, language_model_int8.onnx).

- q4: MatMulNBits, 4-bit symmetric blocks of 32 along the input dimension, as transformers.js's
  own quantisation script writes its q4 files; activations stay fp32.
- int8: MatMulNBits at 8 bits, the same blocks: weight-only like q4. (onnxruntime's dynamic
  quantisation also quantises every activation per call, which on the tiny model cost ten
  times the logit error of 8-bit weights alone.)

The embedding and vision graphs and the VQ decoder stay fp32: they are either lookups or run once
per picture, and their weights are not read at every step.
"""

from __future__ import annotations

import logging
from pathlib import Path

import onnx
from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

DTYPE_SUFFIX = {"fp32": "", "int8": "_int8", "q4": "_q4"}
DTYPES = tuple(DTYPE_SUFFIX)
QUANTIZED_GRAPHS = ("language_model", "lm_head", "gen_head")
Q4_BLOCK_SIZE = 32


def quantized_name(graph: str, dtype: str) -> str:
    return f"{graph}{DTYPE_SUFFIX[dtype]}.onnx"


def quantize_graph(path: Path, dtype: str) -> onnx.ModelProto:
    """The graph at `path` (external data beside it is read) with its MatMul weights quantised."""
    # The quantiser logs a line per node it visits.
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    if dtype in ("q4", "int8"):
        quantizer = MatMulNBitsQuantizer(
            onnx.load(str(path)),
            bits=4 if dtype == "q4" else 8,
            block_size=Q4_BLOCK_SIZE,
            is_symmetric=True,
            op_types_to_quantize=("MatMul",),
        )
        quantizer.process()
        return quantizer.model.model
    raise ValueError(f"unknown dtype {dtype!r}: choose one of {', '.join(DTYPES)}")


def quantized_ops(model: onnx.ModelProto) -> int:
    """How many nodes compute with quantised weights (a quantisation that found no weight is an
    error, not an fp32 graph under a quantised name)."""
    return sum(1 for n in model.graph.node if n.op_type == "MatMulNBits")
