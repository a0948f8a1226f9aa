"""End to end on real data: the `jpeg-lm` smoke config trains, exports in both ONNX layouts,
passes parity, its goldens reproduce, and every task's output is a structurally valid JPEG."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tessera_models.common.resolved_config import resolve
from tessera_models.common.settings_json import settings_from_json
from tessera_models.data.emoji import EmojiDataset
from tessera_models.jpeg_lm import export, jpeg_bytes, train
from tessera_models.jpeg_lm.bpe import base_symbols
from tessera_models.jpeg_lm.config import load_config
from tessera_models.jpeg_lm.entropy_grammar import START
from tessera_models.jpeg_lm.manifest import DEFAULTS
from tessera_models.jpeg_lm.reference_loop import JpegLmRunner


@pytest.fixture(scope="module")
def smoke_export(tmp_path_factory: pytest.TempPathFactory, emoji32: EmojiDataset) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    mp = pytest.MonkeyPatch()
    mp.setenv("TESSERA_RUNS_DIR", str(runs))
    config = load_config("smoke")
    out = train.train(config, threads=2)
    assert np.isfinite(out["val_jpeg_nats"])
    again = train.train(config, threads=2)  # resuming a finished run trains nothing more
    assert again["val_jpeg_nats"] == pytest.approx(out["val_jpeg_nats"], rel=1e-6)
    model_dir = tmp_path_factory.mktemp("export") / "jpeg-lm-smoke"
    mp.setattr(export, "weights_path", lambda name: model_dir.parent / f"{name}.pt")
    export.export(config, model_dir)
    assert export.load_shipped_weights(model_dir.parent / "smoke.pt") is not None
    # The run folder and the manifest hold the config resolved, as the loader gives it.
    resolved = resolve(load_config("smoke"))
    assert json.loads((runs / "jpeg-lm" / "smoke" / "config.json").read_text()) == resolved
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert manifest["training"]["resolvedConfig"] == resolved
    mp.undo()
    return model_dir


def assert_valid_body(body: bytes, mcus: int, runner: JpegLmRunner | None = None) -> None:
    symbols = base_symbols(body)  # raises on a lone FF or a foreign marker
    markers = [s for s in symbols if s >= 256]
    assert markers == [256 + m % 8 for m in range(mcus - 1)] + [264]
    assert symbols[-1] == 264
    if runner is not None:  # every MCU is complete, valid baseline entropy-coded data
        for seg in jpeg_bytes.split_mcus(body):
            state = runner.grammar.feed(START, seg.replace(b"\xff\x00", b"\xff"))
            assert state is not None and runner.grammar.complete(state)


@pytest.mark.slow
def test_export_parity_manifest_and_assets(smoke_export: Path) -> None:
    manifest = json.loads((smoke_export / "manifest.json").read_text())
    diffs = {k: v for k, v in manifest["parity"].items() if k.startswith(("decoder.", "hf."))}
    assert len(diffs) == 10 and all(v <= 1e-4 for v in diffs.values()), diffs
    assert manifest["graphs"]["decoder"]["kv"]["cache"] == "slots"
    assert manifest["family"] == "jpeg-lm"
    assert manifest["capabilities"]["infill"] == "constrained"
    assert manifest["capabilities"]["prefixCompletion"] is True
    jpeg = manifest["jpeg"]
    assert jpeg["mcus"] == 4 and jpeg["maxMcuTokens"] > 0
    assert (smoke_export / jpeg["tables"]["file"]).read_bytes() == jpeg_bytes.tables_blob()
    assert (smoke_export / jpeg["header"]["file"]).read_bytes() == jpeg_bytes.header_for(32)
    hf_config = json.loads((smoke_export / "hf" / "config.json").read_text())
    assert (
        hf_config["model_type"] == "llama"
        and hf_config["vocab_size"] == manifest["tokenizer"]["vocabSize"]
    )
    names = [i["name"] for i in manifest["graphs"]["decoder"]["inputs"]]
    assert names[:3] == ["input_ids", "position_ids", "attention_mask"]


@pytest.mark.slow
def test_goldens_reproduce_exactly(smoke_export: Path) -> None:
    runner = JpegLmRunner(smoke_export, threads=1)
    golden = json.loads((smoke_export / "golden.json").read_text())
    import base64

    for case in golden["cases"]:
        if case["task"] == "generate":
            out = runner.generate(
                case["prompt"], case["style"], case["seed"], settings_from_json(case["settings"])
            )
            assert out.tokens == case["tokens"]
        elif case["task"] in ("complete", "infill"):
            source = np.frombuffer(base64.b64decode(case["sourceRgbBase64"]), np.uint8)
            source = source.reshape(32, 32, 3)
            s = settings_from_json(case["settings"])
            if case["task"] == "complete":
                out = runner.complete(
                    source, case["keepRows"], case["prompt"], None, case["seed"], s
                )
            else:
                masked = [m in case["maskedMcus"] for m in range(runner.mcus)]
                out = runner.infill(source, masked, case["prompt"], None, case["seed"], s)
            assert out.tokens == case["tokens"]
        else:
            source = np.frombuffer(base64.b64decode(case["sourceRgbBase64"]), np.uint8)
            assert runner.caption(source.reshape(32, 32, 3)) == case["caption"]


@pytest.mark.slow
def test_every_task_yields_a_valid_jpeg_and_keeps_what_it_must(
    smoke_export: Path, emoji32: EmojiDataset
) -> None:
    runner = JpegLmRunner(smoke_export, threads=1)
    image = emoji32.images[11]
    segments = runner.encode_image(image)
    for seed in range(3):
        out = runner.generate("red apple", None, seed, DEFAULTS)
        assert_valid_body(out.body, runner.mcus, runner)
        assert out.image.shape == (32, 32, 3)
        done = runner.complete(image, 1, "", None, seed, DEFAULTS)
        assert_valid_body(done.body, runner.mcus, runner)
        assert jpeg_bytes.split_mcus(done.body)[:2] == segments[:2], "the kept top row is untouched"
        masked = [False, True, False, True]
        filled = runner.infill(image, masked, "red apple", None, seed, DEFAULTS)
        assert_valid_body(filled.body, runner.mcus, runner)
        got = jpeg_bytes.split_mcus(filled.body)
        assert got[0] == segments[0] and got[2] == segments[2], "known MCUs are byte-identical"
    scores = runner.score(image, ["red apple", "grinning face"])
    assert len(scores) == 2 and all(np.isfinite(scores))
    assert np.isfinite(runner.bits_per_byte(image, runner.prompt_ids("red apple", None)))
