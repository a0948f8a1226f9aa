"""The models committed under native-models/exports: intact and small (every family), and for
`vq-ar` measured and reproducing its golden outputs exactly through the reference loop
(test_shipped_jpeg_lm.py holds the `jpeg-lm` exports to theirs)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from tessera_models.common.onnx_tools import sha256_file
from tessera_models.common.sampling import SamplingSettings
from tessera_models.common.settings_json import settings_from_json
from tessera_models.data.emoji import NATIVE_MODELS
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar.evaluate import generate_best_of_codes, generate_codes_for, self_scores
from tessera_models.vq_ar.export import verify_decoder, verify_tokenizer
from tessera_models.vq_ar.reference_loop import VqArRunner
from tessera_models.vq_ar.shipped_weights import load_shipped_weights, weights_path

EXPORTS = NATIVE_MODELS / "exports"
SHIPPED = sorted(p.parent for p in EXPORTS.glob("*/manifest.json"))
SHIPPED_VQ_AR = [
    d for d in SHIPPED if json.loads((d / "manifest.json").read_text())["family"] == "vq-ar"
]
SIZE_LIMIT = 25 * 1024 * 1024


MISSING = (
    "no exported {} model under native-models/exports: the shipped models are committed there "
    "(restore them from git), or export one with `python -m tessera_models.vq_ar.export`"
)


def test_a_default_model_is_shipped() -> None:
    assert SHIPPED_VQ_AR, MISSING.format("vq-ar")


# The exports are committed: with none, each test fails saying so (an empty set would skip).
@pytest.fixture(params=SHIPPED or [None], ids=[d.name for d in SHIPPED] or ["missing"])
def any_model_dir(request: pytest.FixtureRequest) -> Path:
    if request.param is None:
        pytest.fail(MISSING.format("shipped"), pytrace=False)
    return request.param


@pytest.fixture(params=SHIPPED_VQ_AR or [None], ids=[d.name for d in SHIPPED_VQ_AR] or ["missing"])
def model_dir(request: pytest.FixtureRequest) -> Path:
    if request.param is None:
        pytest.fail(MISSING.format("vq-ar"), pytrace=False)
    return request.param


def test_files_match_the_manifest_and_stay_small(any_model_dir: Path) -> None:
    model_dir = any_model_dir
    manifest = json.loads((model_dir / "manifest.json").read_text())
    total = 0
    for role, graph in manifest["graphs"].items():
        path = model_dir / graph["file"]
        assert sha256_file(path) == graph["sha256"], (
            f"{role} graph does not match its manifest hash"
        )
        total += path.stat().st_size
    assert sha256_file(model_dir / manifest["tokenizer"]["file"]) == manifest["tokenizer"]["sha256"]
    assert total <= SIZE_LIMIT, f"{model_dir.name}: {total / 2**20:.1f} MiB of graphs"


def test_manifest_carries_measured_metrics(model_dir: Path) -> None:
    m = json.loads((model_dir / "manifest.json").read_text())["metrics"]
    for key in (
        "tokenizerPsnrDb",
        "bitsPerImageToken",
        "caption",
        "fd",
        "adherence_cfg1",
        "adherence_cfg3",
        "classifierOnReal",
        "speed",
    ):
        assert key in m, f"metrics.{key} missing: run tessera_models.vq_ar.evaluate"
    assert 10 < m["tokenizerPsnrDb"] < 60
    # Samples cannot come closer to the test images than the tokenizer's reconstructions of
    # those very images. (A random training subset is no bound: samples drawn for the test
    # prompts share their concepts, and cpu-9h's are closer to test than such a subset is.)
    fd = m["fd"]
    for key in ("cfg1", "cfg3"):
        assert fd["ceilingReconstructionVsTest"] < fd[key]["value"] < 10 * fd["floorTrainVsTest"]


def test_goldens_replay_exactly(model_dir: Path) -> None:
    runner = VqArRunner(model_dir, threads=2)
    golden = json.loads((model_dir / "golden.json").read_text())
    assert golden["prngVersion"] == runner.manifest["sampling"]["prngVersion"]
    for case in golden["cases"]:
        if case["task"] == "generate":
            out = runner.generate(
                case["prompt"], case["style"], case["seed"], settings_from_json(case["settings"])
            )
            assert out.codes.reshape(-1).tolist() == case["codes"], case["prompt"]
            expected = np.frombuffer(base64.b64decode(case["image"]["rgbBase64"]), np.uint8)
            np.testing.assert_array_equal(out.image.reshape(-1), expected)
        elif case["task"] == "infill":
            source = np.frombuffer(
                base64.b64decode(case["sourceImage"]["rgbBase64"]), np.uint8
            ).reshape(32, 32, 3)
            codes = runner.encode(source[None])[0]
            assert codes.reshape(-1).tolist() == case["sourceCodes"]
            segments = [tuple(s) for s in case["segments"]]
            out = runner.infill_codes(
                codes,
                segments,
                runner.prompt_ids(case["prompt"], case["style"]),
                case["seed"],
                settings_from_json(case["settings"]),
            )
            assert out.reshape(-1).tolist() == case["codes"]
        elif case["task"] == "caption":
            assert runner.caption(np.array(case["codes"]).reshape(8, 8)) == case["caption"]


def test_word_tokenizer_golden(model_dir: Path) -> None:
    words = WordTokenizer.load(model_dir / "words.json")
    cases = json.loads((model_dir / "golden-words.json").read_text())["cases"]
    assert len(cases) == 500
    for c in cases:
        assert words.encode(c["text"], c["style"]) == c["ids"], c["text"]


def test_pytorch_and_onnx_agree_on_the_shipped_weights(model_dir: Path) -> None:
    manifest = json.loads((model_dir / "manifest.json").read_text())
    loaded = load_shipped_weights(weights_path(manifest["source"]["config"]))
    assert loaded is not None, "the shipped model's fp16 weights must be committed beside it"
    tokenizer, model = loaded
    golden = json.loads((model_dir / "golden.json").read_text())
    generated = [c for c in golden["cases"] if c["task"] == "generate"]
    images = np.stack(
        [
            np.frombuffer(base64.b64decode(c["image"]["rgbBase64"]), np.uint8).reshape(32, 32, 3)
            for c in generated
        ]
    )
    report: dict[str, float] = {}
    verify_tokenizer(
        tokenizer, model_dir / "vq_encode.onnx", model_dir / "vq_decode.onnx", images, report
    )
    offset = manifest["tokenizer"]["idRanges"]["image"][0]
    sequences = [[1, *c["promptIds"], 3, *[x + offset for x in c["codes"]]] for c in generated]
    verify_decoder(model, model_dir / "decoder.onnx", sequences, report)
    assert all(v <= 1e-4 for k, v in report.items() if "Mismatch" not in k), report


def test_best_of_n_keeps_the_candidate_the_model_scores_highest(model_dir: Path) -> None:
    runner = VqArRunner(model_dir, threads=1)
    words = ["red heart", "grinning face", "rocket"]
    prompts = [runner.prompt_ids(w, None) for w in words]
    settings = SamplingSettings(cfg_scale=3.0, temperature=1.0, top_k=0, top_p=0.9)
    candidates = [generate_codes_for(runner, prompts, settings, image_index=j) for j in range(3)]
    scores = np.stack([self_scores(runner, runner.decode(c), prompts) for c in candidates])
    best, first = generate_best_of_codes(runner, prompts, prompts, settings, 3)
    for i in range(len(words)):
        winner = int(np.argmax(scores[:, i]))  # first maximum, as the app's ranking keeps
        assert np.array_equal(best[i], candidates[winner][i])
    assert np.array_equal(first, candidates[0])
    alone, _ = generate_best_of_codes(runner, prompts, prompts, settings, 1)
    assert np.array_equal(alone, candidates[0])
