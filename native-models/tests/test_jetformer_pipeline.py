"""End to end on real data: the `jetformer` smoke config trains through the shared loop,
resumes after an interruption, exports every graph with parity, and its goldens reproduce."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest

from tessera_models.common.training import run_events
from tessera_models.data.emoji import EmojiDataset
from tessera_models.jetformer import export, train
from tessera_models.jetformer.config import load_config
from tessera_models.jetformer.onnx_graphs import GRAPH_ROLES
from tessera_models.jetformer.paths import run_dir
from tessera_models.jetformer.reference_loop import (
    GmmSettings,
    JetFormerRunner,
    kept_tokens,
    mean_filled,
)


@pytest.fixture(scope="module")
def smoke_export(tmp_path_factory: pytest.TempPathFactory, emoji32: EmojiDataset) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    mp = pytest.MonkeyPatch()
    mp.setenv("TESSERA_RUNS_DIR", str(runs))
    config = load_config("smoke")
    # Interrupted half way (a run stopped at step 6), then run again to its end.
    half = replace(config, training=replace(config.training, steps=6))
    train.train(half, threads=1)
    out = train.train(config, threads=1)
    assert np.isfinite(out["val_bits_per_dim"])
    again = train.train(config, threads=1)  # resuming a finished run trains nothing more
    assert again["val_bits_per_dim"] == pytest.approx(out["val_bits_per_dim"], rel=1e-6)
    model_dir = tmp_path_factory.mktemp("export") / "jetformer-smoke"
    mp.setattr(export, "weights_path", lambda name: model_dir.parent / f"{name}.pt")
    export.export(config, model_dir)
    assert export.load_shipped_weights(model_dir.parent / "smoke.pt") is not None
    mp.undo()
    (model_dir / "runs.txt").write_text(str(runs))
    return model_dir


@pytest.mark.slow
def test_training_resumed_where_it_was_interrupted(smoke_export: Path) -> None:
    log = Path((smoke_export / "runs.txt").read_text()) / "jetformer" / "smoke" / "log.jsonl"
    assert [e["step"] for e in run_events(log, "resume")] == [6, 12]
    assert [e["step"] for e in run_events(log, "done")] == [6, 12, 12]
    assert run_dir("smoke").name == "smoke"


@pytest.mark.slow
def test_every_graph_exports_checks_and_matches_pytorch(smoke_export: Path) -> None:
    manifest = json.loads((smoke_export / "manifest.json").read_text())
    assert manifest["family"] == "jetformer"
    assert sorted(manifest["graphs"]) == sorted(GRAPH_ROLES)
    for g in manifest["graphs"].values():
        onnx.checker.check_model(onnx.load(str(smoke_export / g["file"])), full_check=True)
    parity = manifest["parity"]
    diffs = {k: v for k, v in parity.items() if k.split(".")[0] in (*GRAPH_ROLES, "flow")}
    for b in (2, 5):
        for name in ("flow.roundTrip", "decoder.prefillThenStep", "score", "flow_inverse"):
            assert f"{name}.b{b}" in diffs
    assert len(diffs) == 26 and all(v <= 1e-4 for v in diffs.values()), diffs
    assert manifest["capabilities"]["likelihood"] == "exact"
    assert manifest["capabilities"]["infill"] == "approximate"
    gmm = manifest["gmm"]
    assert gmm["arDims"] + gmm["factoredDims"] == gmm["tokenDim"] == 48
    assert gmm["tokens"] == 64 and gmm["couplings"] >= 16
    kv = manifest["graphs"]["decoder"]["kv"]
    assert kv["kvHeads"] == 1  # multi-query attention
    names = [i["name"] for i in manifest["graphs"]["decoder"]["inputs"]]
    assert names[:3] == ["inputs_embeds", "position_ids", "attention_mask"]


@pytest.mark.slow
def test_goldens_reproduce_exactly(smoke_export: Path) -> None:
    runner = JetFormerRunner(smoke_export, threads=1)
    golden = json.loads((smoke_export / "golden.json").read_text())
    tasks = [c["task"] for c in golden["cases"]]
    assert tasks.count("generate") == 3 and tasks.count("caption") == 2
    assert tasks.count("infill") == 1
    for case in golden["cases"]:
        if case["task"] == "infill":
            s = case["settings"]
            source = np.frombuffer(base64.b64decode(case["sourceRgbBase64"]), np.uint8)
            mask = np.frombuffer(base64.b64decode(case["maskBase64"]), np.uint8).astype(bool)
            out = runner.infill(
                source.reshape(32, 32, 3),
                mask.reshape(32, 32),
                case["prompt"],
                case["style"],
                case["seed"],
                GmmSettings(s["cfgScale"], s["temperatureProbs"], s["temperatureScales"]),
                case["featherPx"],
            )
            tokens = np.frombuffer(base64.b64decode(case["softTokensF32Base64"]), "<f4")
            assert np.array_equal(out.tokens.ravel(), tokens)
            assert base64.b64encode(out.image.tobytes()).decode() == case["image"]["rgbBase64"]
        elif case["task"] == "generate":
            s = case["settings"]
            out = runner.generate(
                case["prompt"],
                case["style"],
                case["seed"],
                GmmSettings(s["cfgScale"], s["temperatureProbs"], s["temperatureScales"]),
            )
            tokens = np.frombuffer(base64.b64decode(case["softTokensF32Base64"]), "<f4")
            assert np.array_equal(out.tokens.ravel(), tokens)
            assert out.components == case["components"]
            assert base64.b64encode(out.image.tobytes()).decode() == case["image"]["rgbBase64"]
        else:
            image = np.frombuffer(base64.b64decode(case["sourceRgbBase64"]), np.uint8).reshape(
                32, 32, 3
            )
            if case["task"] == "caption":
                assert runner.caption(image) == case["caption"]
                assert runner.score(image, case["scoreTexts"]) == case["scores"]
            else:
                bits = runner.bits_per_dim(image, case["prompt"], case["style"])
                assert bits == case["bitsPerDim"] and 0 < bits < 16


@pytest.mark.slow
def test_guidance_and_seeds_change_the_sample(smoke_export: Path) -> None:
    runner = JetFormerRunner(smoke_export, threads=1)
    base = runner.generate("red heart", None, 3, GmmSettings(cfg_scale=1.0))
    assert np.array_equal(
        base.tokens, runner.generate("red heart", None, 3, GmmSettings(1.0)).tokens
    )
    other_seed = runner.generate("red heart", None, 4, GmmSettings(cfg_scale=1.0))
    guided = runner.generate("red heart", None, 3, GmmSettings(cfg_scale=4.0))
    assert not np.array_equal(base.tokens, other_seed.tokens)
    assert not np.array_equal(base.tokens[:, :8], guided.tokens[:, :8])
    # The factored dims come from their own stream: guidance leaves them as they were.
    assert np.array_equal(base.tokens[:, 8:], guided.tokens[:, 8:])
    assert base.image.shape == (32, 32, 3) and base.image.dtype == np.uint8


@pytest.mark.slow
def test_evaluation_reports_exact_bits_and_the_shared_metrics(smoke_export: Path) -> None:
    from tessera_models.jetformer.evaluate import evaluate, results_table

    m = evaluate(smoke_export, limit=3, threads=1, caption_items=2)
    assert 0 < m["bitsPerDim"]["test"] < 16 and 0 < m["bitsPerDim"]["testUnseen"] < 16
    assert m["split"] == {"test": 3, "testUnseen": 3}
    assert m["adherenceTop5VsClassifier"] >= 0 and m["caption"]["items"] == 2
    assert "exact bits per sub-pixel" in results_table("tessera/x", m)


@pytest.mark.slow
def test_infill_redraws_the_hole_and_keeps_every_pixel_past_the_feather(
    smoke_export: Path,
) -> None:
    runner = JetFormerRunner(smoke_export, threads=1)
    rng = np.random.default_rng(0)
    source = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    mask = np.zeros((32, 32), bool)
    mask[5:14, 18:27] = True
    settings = GmmSettings(cfg_scale=3.0)
    out = runner.infill(source, mask, "red heart", None, 5, settings, feather_px=3)
    yy, xx = np.mgrid[0:32, 0:32]
    ys, xs = np.nonzero(mask)
    dist = np.sqrt((yy[..., None] - ys) ** 2 + (xx[..., None] - xs) ** 2).min(axis=-1)
    past = dist >= 4
    assert np.array_equal(out.image[past], source[past])
    assert not np.array_equal(out.image[mask], source[mask])
    # Tokens whose patch holds no masked pixel keep the encoding of the mean-filled source.
    z, _ = runner.encode(mean_filled(source, mask))
    keep = kept_tokens(mask, 4)
    assert keep.sum() == 64 - 9 and np.array_equal(out.tokens[keep], z[keep])
    # The old content of the hole does not reach the result: only the known pixels do.
    other = source.copy()
    other[mask] = 255 - other[mask]
    again = runner.infill(other, mask, "red heart", None, 5, settings, feather_px=3)
    assert np.array_equal(again.image, out.image)
    with pytest.raises(ValueError, match="marks nothing to fill"):
        runner.infill(source, np.zeros((32, 32), bool), "", None, 5, settings, 0)
