"""Builds the tiny Janus-Pro folder the TypeScript tests run: a random checkpoint made offline
by transformers, converted by tessera_models.janus.export, with transformers' own greedy
generations beside it (reference.json). Beside it, under variants/, the same checkpoint
converted as q4 and int8 (each with the greedy generations onnxruntime's Python chain makes
from its graphs, under "onnx") and as fp32 with every graph's weights in external data.
Usage: build-tiny.py OUT"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tessera_models.janus.export import convert
from tessera_models.janus.onnx_chain import OnnxChain
from tessera_models.janus.reference import pattern_image, pixel_values, reference
from tessera_models.janus.tiny import write_tiny_checkpoint

COMMAND = "app/inference/families/janus-pro/testing/build-tiny.py"
# Small enough that every graph of the tiny model keeps its weights outside.
FORCE_EXTERNAL_DATA = 4096
VARIANTS = {
    "q4": ("q4", None),
    "int8": ("int8", None),
    "external": ("fp32", FORCE_EXTERNAL_DATA),
}


def onnx_greedy(folder: Path, ref: dict) -> dict:
    chain = OnnxChain(folder)
    cap = ref["caption"]
    pixels = pixel_values(pattern_image(384))
    return {
        "codes": [chain.greedy_codes(i["ids"], i["guidance"]) for i in ref["images"]],
        "caption": chain.greedy_caption(cap["ids"], pixels, cap["maxTokens"]),
    }


out = Path(sys.argv[1])
with tempfile.TemporaryDirectory() as scratch:
    src = write_tiny_checkpoint(Path(scratch) / "checkpoint")
    ref = reference(src)
    convert(
        src,
        out,
        model_id="tessera/janus-pro-tiny-random",
        name="Janus-Pro tiny (random weights)",
        license_name="MIT",
        command=COMMAND,
    )
    (out / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
    for name, (dtype, threshold) in VARIANTS.items():
        folder = out / "variants" / name
        convert(
            src,
            folder,
            model_id=f"tessera/janus-pro-tiny-random-{name}",
            name=f"Janus-Pro tiny (random weights, {name})",
            license_name="MIT",
            command=COMMAND,
            dtype=dtype,
            **({} if threshold is None else {"external_data_threshold": threshold}),
        )
        (folder / "reference.json").write_text(
            json.dumps({**ref, "onnx": onnx_greedy(folder, ref)}, indent=1) + "\n"
        )
