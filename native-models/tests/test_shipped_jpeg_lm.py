"""The `jpeg-lm` models committed under native-models/exports: assets as the manifest says,
measured, reproducing their goldens exactly, and PyTorch/ONNX parity on the shipped weights."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from tessera_models.common.onnx_tools import sha256_file
from tessera_models.common.settings_json import settings_from_json
from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.bpe import JpegBpe
from tessera_models.jpeg_lm.export import load_shipped_weights, verify, weights_path
from tessera_models.jpeg_lm.reference_loop import JpegLmRunner

EXPORTS = NATIVE_MODELS / "exports"
SHIPPED = sorted(
    p.parent
    for p in EXPORTS.glob("*/manifest.json")
    if json.loads(p.read_text())["family"] == "jpeg-lm"
)


MISSING = (
    "no exported jpeg-lm model under native-models/exports: the shipped one is committed there "
    "(restore it from git), or export one with `python -m tessera_models.jpeg_lm.export`"
)


# The export is committed: with none, each test fails saying so (an empty set would skip).
@pytest.fixture(params=SHIPPED or [None], ids=[d.name for d in SHIPPED] or ["missing"])
def model_dir(request: pytest.FixtureRequest) -> Path:
    if request.param is None:
        pytest.fail(MISSING, pytrace=False)
    return request.param


def test_a_jpeg_lm_model_is_shipped() -> None:
    assert SHIPPED, "export one: python -m tessera_models.jpeg_lm.export --config cpu-round2"


def test_assets_match_the_manifest(model_dir: Path) -> None:
    manifest = json.loads((model_dir / "manifest.json").read_text())
    jpeg = manifest["jpeg"]
    for key in ("tables", "header", "bpe"):
        assert sha256_file(model_dir / jpeg[key]["file"]) == jpeg[key]["sha256"], key
    # The tables are the exact training blob; the app must never regenerate them.
    assert (model_dir / jpeg["tables"]["file"]).read_bytes() == jpeg_bytes.tables_blob()
    size = manifest["image"]["width"]
    assert (model_dir / jpeg["header"]["file"]).read_bytes() == jpeg_bytes.header_for(size)
    assert jpeg["mcus"] == (size // 16) ** 2
    bpe = JpegBpe.load(model_dir / jpeg["bpe"]["file"])
    assert jpeg["bpe"]["offset"] + bpe.size == manifest["tokenizer"]["vocabSize"]
    assert sha256_file(model_dir / manifest["hf"]["model"]) == manifest["hf"]["sha256"]


def test_manifest_carries_measured_metrics(model_dir: Path) -> None:
    m = json.loads((model_dir / "manifest.json").read_text())["metrics"]
    for key in ("codecPsnrDb", "bitsPerJpegByte", "fd", "adherence", "caption", "completion"):
        assert key in m, f"metrics.{key} missing: run tessera_models.jpeg_lm.evaluate"
    assert 0 < m["bitsPerJpegByte"] < 8
    assert set(m["completion"]["jpeg-lm"]) == {"0.25", "0.5", "0.75"}


def test_goldens_replay_exactly(model_dir: Path) -> None:
    runner = JpegLmRunner(model_dir, threads=2)
    golden = json.loads((model_dir / "golden.json").read_text())
    size = runner.manifest["image"]["width"]
    assert golden["prngVersion"] == runner.manifest["sampling"]["prngVersion"]

    def source(case: dict) -> np.ndarray:  # type: ignore[type-arg]
        raw = np.frombuffer(base64.b64decode(case["sourceRgbBase64"]), np.uint8)
        return raw.reshape(size, size, 3)

    for case in golden["cases"]:
        s = settings_from_json(case["settings"]) if "settings" in case else None
        if case["task"] == "generate":
            out = runner.generate(case["prompt"], case["style"], case["seed"], s)  # type: ignore[arg-type]
        elif case["task"] == "complete":
            out = runner.complete(
                source(case), case["keepRows"], case["prompt"], None, case["seed"], s
            )  # type: ignore[arg-type]
        elif case["task"] == "infill":
            masked = [m in case["maskedMcus"] for m in range(runner.mcus)]
            out = runner.infill(source(case), masked, case["prompt"], None, case["seed"], s)  # type: ignore[arg-type]
        else:
            assert runner.caption(source(case)) == case["caption"]
            np.testing.assert_allclose(
                runner.score(source(case), case["scoreTexts"]), case["scores"], atol=1e-4
            )
            continue
        assert out.tokens == case["tokens"], case["task"]
        expected = np.frombuffer(base64.b64decode(case["image"]["rgbBase64"]), np.uint8)
        np.testing.assert_array_equal(out.image.reshape(-1), expected)


def test_bpe_golden(model_dir: Path) -> None:
    bpe = JpegBpe.load(model_dir / "jpeg-bpe.json")
    cases = json.loads((model_dir / "golden-bpe.json").read_text())["cases"]
    assert len(cases) == 200
    for c in cases:
        body = base64.b64decode(c["bodyBase64"])
        assert bpe.encode(body) == c["ids"]
        assert bpe.decode(c["ids"]) == body


def test_pytorch_and_both_onnx_layouts_agree_on_the_shipped_weights(model_dir: Path) -> None:
    manifest = json.loads((model_dir / "manifest.json").read_text())
    model = load_shipped_weights(weights_path(manifest["source"]["config"]))
    assert model is not None, "the shipped model's fp16 weights must be committed beside it"
    golden = json.loads((model_dir / "golden.json").read_text())
    sequences = [
        [1, *c["promptIds"], 3, *c["tokens"]] for c in golden["cases"] if c["task"] == "generate"
    ]
    sequences += sequences[:2]  # five rows for the second batch shape
    report: dict[str, float] = {}
    verify(
        model, model_dir / "decoder.onnx", model_dir / manifest["hf"]["model"], sequences, report
    )
    assert all(v <= 1e-4 for v in report.values()), report
