"""The Janus converter's quantised and external-data folders, on the tiny random checkpoint:
the language model's graphs in q4 and int8 under the file names @huggingface/transformers reads
for those dtypes, their logits within quant_parity's derived bounds of fp32 PyTorch; and a
folder whose weights are forced out into `<graph>.onnx_data` that computes exactly what the
single-file folder computes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from transformers import JanusForConditionalGeneration

from tessera_models.janus.export import convert
from tessera_models.janus.onnx_chain import OnnxChain
from tessera_models.janus.quant_parity import QuantParityError, check_quantized, weight_noise
from tessera_models.janus.reference import pattern_image, pixel_values, reference
from tessera_models.janus.tiny import write_tiny_checkpoint

pytestmark = pytest.mark.slow

QUANTIZED = ("language_model", "lm_head", "gen_head")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("janus-q")
    src = write_tiny_checkpoint(root / "checkpoint")
    return root, src, reference(src)


def convert_as(tiny, dtype: str, threshold: int = 1 << 30) -> tuple[Path, dict[str, Any]]:
    root, src, _ = tiny
    out = root / f"{dtype}-{threshold}"
    if not (out / "manifest.json").is_file():
        convert(
            src,
            out,
            model_id="tessera/janus-tiny",
            name="tiny",
            license_name="MIT",
            command="test",
            dtype=dtype,
            external_data_threshold=threshold,
        )
    return out, json.loads((out / "manifest.json").read_text())


@pytest.mark.parametrize(("dtype", "bits"), [("q4", 4), ("int8", 8)])
def test_quantised_graphs_use_the_layouts_names_and_block_weights(tiny, dtype, bits) -> None:
    out, manifest = convert_as(tiny, dtype)
    for role, g in manifest["graphs"].items():
        quantized = role in QUANTIZED
        assert g["file"] == f"onnx/{role}_{dtype}.onnx" if quantized else f"onnx/{role}.onnx"
        assert g["dtype"] == (dtype if quantized else "fp32")
    assert not (out / "onnx" / "language_model.onnx").exists(), "the fp32 twin is left behind"
    nodes = onnx.load(str(out / "onnx" / f"language_model_{dtype}.onnx")).graph.node
    nbits = [n for n in nodes if n.op_type == "MatMulNBits"]
    assert len(nbits) == 14  # q, k, v, o, gate, up, down in each of the 2 layers
    for node in nbits:
        attrs = {a.name: a.i for a in node.attribute}
        assert attrs["bits"] == bits and attrs["block_size"] == 32
    assert not any(n.op_type == "MatMul" and n.input[1].startswith("onnx::") for n in nodes)
    fp32_bytes = convert_as(tiny, "fp32")[1]["memory"]["weightBytes"]
    assert manifest["memory"]["weightBytes"] < fp32_bytes


@pytest.mark.parametrize("dtype", ["q4", "int8"])
def test_quantised_logits_stay_within_the_derived_bounds(tiny, dtype) -> None:
    _, manifest = convert_as(tiny, dtype)
    report = manifest["parity"]["quantized"]
    assert report["dtype"] == dtype
    for head in ("gen_head", "lm_head"):
        r, bound = report[head], report[head]["bounds"]
        print(f"{dtype} {head}: {json.dumps(r)}")
        assert 0 < r["maxLogitError"] <= bound["maxLogitError"]
        assert r["rmsLogitError"] <= bound["rmsLogitError"]
        assert r["top1Agreement"] >= bound["top1Agreement"]
    # 8-bit weights stray far less than 4-bit ones, as their rounding step says.
    assert weight_noise(8) < weight_noise(4) / 10
    # The fp32 graphs' own parity still holds for those left unquantised.
    assert manifest["parity"]["image_decode.b2"] <= 1e-4


def test_a_quantisation_past_its_bound_is_refused(tiny) -> None:
    """The same q4 graphs judged as if they were int8: their error is far over int8's bound."""
    _, src, ref = tiny
    out, manifest = convert_as(tiny, "q4")
    model = JanusForConditionalGeneration.from_pretrained(src).eval()
    paths = {role: out / g["file"] for role, g in manifest["graphs"].items()}
    sp = manifest["specialTokens"]
    with pytest.raises(QuantParityError, match=r"int8 gen_head: rmsLogitError .* over its bound"):
        check_quantized(
            model,
            paths,
            "int8",
            image_ids=ref["images"][0]["ids"],
            caption_ids=ref["caption"]["ids"],
            pad=sp["pad"],
            eos=sp["eos"],
        )


@pytest.mark.parametrize(("dtype", "floor"), [("q4", 0.0), ("int8", 0.9)])
def test_greedy_agreement_rate_with_transformers(tiny, dtype, floor) -> None:
    """Generation run free from the prompt: the share of codes and caption tokens equal to
    transformers' fp32 greedy ones, position by position (after a first difference the two
    run on different contexts, so this is harsher than the teacher-forced top-1 agreement).
    Recorded for q4; int8 must keep nearly all of them."""
    _, _, ref = tiny
    chain = OnnxChain(convert_as(tiny, dtype)[0])
    rates = []
    for image in ref["images"]:
        codes = chain.greedy_codes(image["ids"], image["guidance"])
        rates.append(float(np.mean(np.array(codes) == np.array(image["codes"]))))
    cap = ref["caption"]
    tokens = chain.greedy_caption(cap["ids"], pixel_values(pattern_image(384)), cap["maxTokens"])
    same = sum(a == b for a, b in zip(tokens, cap["tokens"], strict=False))
    caption = same / max(len(tokens), len(cap["tokens"]))
    print(f"{dtype}: codes agree {rates}, caption tokens agree {caption:.2f}")
    assert min(rates) >= floor and caption >= floor


def test_external_data_folder_computes_what_the_single_file_folder_does(tiny) -> None:
    single, _ = convert_as(tiny, "fp32")
    out, manifest = convert_as(tiny, "fp32", threshold=4096)
    for role, g in manifest["graphs"].items():
        data = g["externalData"]
        assert data["file"] == f"{g['file']}_data"
        assert (out / data["file"]).stat().st_size == data["bytes"] > 4096
        # the graph file keeps only its nodes and small constants
        assert (out / g["file"]).stat().st_size < (single / g["file"]).stat().st_size, role
    total = sum(g["bytes"] + g["externalData"]["bytes"] for g in manifest["graphs"].values())
    assert manifest["memory"]["weightBytes"] == total
    config = json.loads((out / "config.json").read_text())
    formats = config["transformers.js_config"]["use_external_data_format"]
    assert formats["language_model.onnx"] == 1
    assert "transformers.js_config" not in json.loads((single / "config.json").read_text())
    assert all(v <= 1e-4 for k, v in manifest["parity"].items() if k != "tolerance")
    _, _, ref = tiny
    image = ref["images"][0]
    assert OnnxChain(out).greedy_codes(image["ids"], image["guidance"]) == image["codes"]
    cap = ref["caption"]
    pixels = pixel_values(pattern_image(384))
    assert OnnxChain(out).greedy_caption(cap["ids"], pixels, cap["maxTokens"]) == cap["tokens"]


def test_a_quantised_external_data_folder_names_its_data_file_by_dtype(tiny) -> None:
    out, manifest = convert_as(tiny, "q4", threshold=4096)
    g = manifest["graphs"]["language_model"]
    assert (g["file"], g["externalData"]["file"]) == (
        "onnx/language_model_q4.onnx",
        "onnx/language_model_q4.onnx_data",
    )
    assert not (out / "onnx" / "language_model.onnx_data").exists()
    config = json.loads((out / "config.json").read_text())
    assert config["transformers.js_config"]["use_external_data_format"]["language_model_q4.onnx"]


def test_an_unknown_dtype_is_refused_before_anything_is_written(tiny) -> None:
    root, src, _ = tiny
    with pytest.raises(ValueError, match="unknown dtype 'q3': choose one of fp32, int8, q4"):
        convert(
            src, root / "bad", model_id="a/b", name="x", license_name="MIT", command="", dtype="q3"
        )
    assert not (root / "bad").exists()
