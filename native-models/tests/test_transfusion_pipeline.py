"""End to end on real data: the `transfusion` smoke config trains through the shared loop with
both objectives (ddpm interrupted and resumed), exports every graph with parity, and its goldens
reproduce; the decoder's mask is an input it obeys, and the text prefix's cache serves every
denoising step."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from tessera_models.common.decoder_io import cpu_session
from tessera_models.common.export_steps import run_embeds_decoder
from tessera_models.common.prng import PURPOSE_NOISE, Prng, stream_id
from tessera_models.common.training import run_events
from tessera_models.data.emoji import EmojiDataset
from tessera_models.transfusion import export, train
from tessera_models.transfusion.config import DiffusionConfig, load_config
from tessera_models.transfusion.golden import centre_mask
from tessera_models.transfusion.masks import block_causal_mask_np
from tessera_models.transfusion.onnx_graphs import GRAPH_ROLES
from tessera_models.transfusion.reference_loop import (
    DiffusionSettings,
    SamplingError,
    TransfusionRunner,
    normals,
)


def _train_and_export(config_name: str, objective: str, sampler: str, root: Path) -> Path:
    config = load_config("smoke")
    config = replace(
        config,
        name=config_name,
        diffusion=DiffusionConfig(objective=objective, sampler=sampler, steps=4),
    )
    if objective == "ddpm":
        # Interrupted half way (a run stopped at step 6), then run again to its end.
        train.train(replace(config, training=replace(config.training, steps=6)), threads=1)
    out = train.train(config, threads=1)
    assert np.isfinite(out["val_loss"])
    model_dir = root / config_name
    export.export(config, model_dir)
    return model_dir


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory, emoji32: EmojiDataset) -> dict[str, Path]:
    runs = tmp_path_factory.mktemp("runs")
    root = tmp_path_factory.mktemp("export")
    mp = pytest.MonkeyPatch()
    mp.setenv("TESSERA_RUNS_DIR", str(runs))
    mp.setattr(export, "weights_path", lambda name: root / f"{name}.pt")
    out = {
        "ddpm": _train_and_export("smoke", "ddpm", "ddim", root),
        "flow": _train_and_export("smoke-flow", "flow", "heun", root),
    }
    assert export.load_shipped_weights(root / "smoke.pt") is not None
    mp.undo()
    (root / "runs.txt").write_text(str(runs))
    return out


def _log(exports: dict[str, Path], name: str) -> Path:
    runs = Path((exports["ddpm"].parent / "runs.txt").read_text())
    return runs / "transfusion" / name / "log.jsonl"


@pytest.mark.slow
def test_training_resumed_where_it_was_interrupted(exports: dict[str, Path]) -> None:
    log = _log(exports, "smoke")
    assert [e["step"] for e in run_events(log, "resume")] == [6]
    assert [e["step"] for e in run_events(log, "done")] == [6, 12]


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["ddpm", "flow"])
def test_both_objectives_learn_and_log_their_two_losses(
    exports: dict[str, Path], objective: str
) -> None:
    log = _log(exports, "smoke" if objective == "ddpm" else "smoke-flow")
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    steps = [e for e in lines if "lm_loss" in e]
    assert steps and all("diffusion_loss" in e for e in steps)
    evals = [e["val_loss"] for e in lines if "val_loss" in e and "event" not in e]
    assert evals[-1] < evals[0], evals  # held-out loss falls within the smoke run
    start = next(e for e in lines if e.get("event") == "start")
    assert start["objective"] == objective


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["ddpm", "flow"])
def test_every_graph_exports_checks_and_matches_pytorch(
    exports: dict[str, Path], objective: str
) -> None:
    model_dir = exports[objective]
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert manifest["family"] == "transfusion"
    assert sorted(manifest["graphs"]) == sorted(GRAPH_ROLES)
    for g in manifest["graphs"].values():
        onnx.checker.check_model(onnx.load(str(model_dir / g["file"])), full_check=True)
    parity = manifest["parity"]
    diffs = {
        k: v for k, v in parity.items() if k.split(".")[0] in GRAPH_ROLES and "maskEffect" not in k
    }
    for b in (2, 5):
        for name in (
            "patch_in",
            "decoder.blockMask",
            "decoder.causalMask",
            "decoder.prefixCacheStep0",
            "decoder.prefixCacheStep1",
            "patch_out",
            "lm_head",
        ):
            assert f"{name}.b{b}" in diffs
        assert parity[f"decoder.maskEffect.b{b}"] > 1e-3
    assert len(diffs) == 16 and all(v <= 1e-4 for v in diffs.values()), diffs
    d = manifest["diffusion"]
    assert d["objective"] == objective
    assert d["prediction"] == ("eps" if objective == "ddpm" else "velocity")
    if objective == "ddpm":
        assert len(d["alphasBar"]) == d["timesteps"] == 1000
    assert manifest["capabilities"]["infill"] == "native"
    names = [i["name"] for i in manifest["graphs"]["decoder"]["inputs"]]
    assert names[:3] == ["inputs_embeds", "position_ids", "attention_mask"]


@pytest.mark.slow
def test_the_decoder_obeys_a_non_causal_mask_fed_at_run_time(exports: dict[str, Path]) -> None:
    """A block that attends both ways must give another answer than a causal one, in
    onnxruntime as in PyTorch: a mask folded into the graph at export would give the same."""
    model_dir = exports["ddpm"]
    session = cpu_session(model_dir / "decoder.onnx")
    model = export.load_shipped_weights(model_dir.parent / "smoke.pt")
    assert model is not None
    c = model.config
    rng = np.random.default_rng(0)
    embeds = rng.standard_normal((2, 10, c.width)).astype(np.float32)
    empty = [np.zeros((2, c.heads, 0, c.head_dim), np.float32) for _ in range(2 * c.layers)]
    outs = {}
    for name, image in (("causal", None), ("block", (2, 8)), ("all", (0, 10))):
        mask = block_causal_mask_np(2, 10, 0, image)
        got = run_embeds_decoder(session, embeds, empty, mask)[0]
        with torch.no_grad():
            want, _ = model.decoder(
                torch.from_numpy(embeds), torch.arange(10).expand(2, 10), torch.from_numpy(mask)
            )
        assert np.abs(got - want.numpy()).max() <= 1e-4
        outs[name] = got
    # Position 2 sees positions 3–7 only under the bidirectional block.
    assert np.abs(outs["block"][:, 2] - outs["causal"][:, 2]).max() > 1e-3
    assert np.abs(outs["block"][:, :2] - outs["causal"][:, :2]).max() <= 1e-5
    assert np.abs(outs["all"][:, 0] - outs["causal"][:, 0]).max() > 1e-3


@pytest.mark.slow
def test_one_prefix_cache_serves_every_step_like_the_full_pass(exports: dict[str, Path]) -> None:
    runner = TransfusionRunner(exports["ddpm"], threads=1)
    cache = runner.prefill("red apple", "noto", cfg_scale=3.0)
    before = [c.copy() for c in cache]
    p, n = cache[0].shape[2], runner.patches
    prefix = runner.vocab.prefix(runner.prompt_ids("red apple", "noto"))
    null = runner.vocab.null_prefix(runner.prompt_ids("red apple", "noto"))
    rng = np.random.default_rng(1)
    for t in (0.9, 0.2):
        x = rng.standard_normal((2, n, 48))
        cached = runner.denoise(x, t, cache)
        embeds = np.concatenate([runner.embed_text([prefix, null]), runner.patch_in(x, t)], 1)
        hidden, _ = runner.decode(embeds, runner.empty_cache(2), (p, p + n))
        full = runner._run("patch_out", {"hidden": hidden[:, p:]})[0]
        assert np.abs(cached - full).max() <= 1e-4
    assert all(np.array_equal(a, b) for a, b in zip(cache, before, strict=True))


def _settings(s: dict[str, object]) -> DiffusionSettings:
    return DiffusionSettings(
        int(s["steps"]),  # type: ignore[call-overload]
        float(s["cfgScale"]),  # type: ignore[arg-type]
        str(s["sampler"]),
        int(s["resample"]),  # type: ignore[call-overload]
    )


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["ddpm", "flow"])
def test_goldens_reproduce_exactly(exports: dict[str, Path], objective: str) -> None:
    runner = TransfusionRunner(exports[objective], threads=1)
    golden = json.loads((exports[objective] / "golden.json").read_text())
    tasks = [c["task"] for c in golden["cases"]]
    assert tasks.count("generate") == 3 and tasks.count("infill") == 1
    assert tasks.count("caption") == 2
    for case in golden["cases"]:
        if case["task"] in ("generate", "infill"):
            known = None
            if case["task"] == "infill":
                source = np.frombuffer(base64.b64decode(case["sourceRgbBase64"]), np.uint8)
                keep = np.frombuffer(base64.b64decode(case["keepMaskBase64"]), np.uint8)
                known = (source.reshape(32, 32, 3), keep.reshape(32, 32).astype(bool))
            out = runner.generate(
                case["prompt"],
                case["style"],
                case["seed"],
                _settings(case["settings"]),
                known=known,
            )
            latent = np.frombuffer(base64.b64decode(case["latentF32Base64"]), "<f4")
            assert np.array_equal(out.latent.astype("<f4").ravel(), latent)
            assert base64.b64encode(out.image.tobytes()).decode() == case["image"]["rgbBase64"]
            assert out.calls == case["calls"]
        else:
            image = np.frombuffer(base64.b64decode(case["sourceRgbBase64"]), np.uint8)
            image = image.reshape(32, 32, 3)
            assert runner.caption(image) == case["caption"]
            assert runner.score(image, case["scoreTexts"]) == case["scores"]


@pytest.mark.slow
def test_the_starting_noise_is_the_shared_prngs_and_guidance_and_seeds_matter(
    exports: dict[str, Path],
) -> None:
    runner = TransfusionRunner(exports["flow"], threads=1)
    first: list[np.ndarray] = []
    s = DiffusionSettings(steps=1, cfg_scale=1.0, sampler="euler")
    out = runner.generate("red heart", None, 3, s, on_step=lambda i, x0: first.append(x0))
    # One Euler step from t = 1 lands on x − v: the preview is the result before clipping.
    start = normals(Prng(3, stream_id(0, PURPOSE_NOISE)), 64 * 48).reshape(64, 48)
    v = runner.denoise(start[None], 1.0, runner.prefill("red heart", None, 1.0))[0]
    assert np.allclose(out.latent, np.clip(start - v, -1, 1))
    assert np.array_equal(first[0], out.latent) and out.calls == 1
    heun = runner.generate("red heart", None, 3, DiffusionSettings(3, 1.0, "heun"))
    assert heun.calls == 5  # a corrector at every step but the last
    base = runner.generate("red heart", None, 3, DiffusionSettings(3, 1.0, "euler"))
    assert not np.array_equal(
        base.latent,
        runner.generate("red heart", None, 4, DiffusionSettings(3, 1.0, "euler")).latent,
    )
    assert not np.array_equal(
        base.latent,
        runner.generate("red heart", None, 3, DiffusionSettings(3, 4.0, "euler")).latent,
    )


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["ddpm", "flow"])
def test_infill_keeps_every_known_pixel(
    exports: dict[str, Path], emoji32: EmojiDataset, objective: str
) -> None:
    runner = TransfusionRunner(exports[objective], threads=1)
    source = emoji32.images[emoji32.indices("test")[1]]
    keep = centre_mask(32, 16)
    sampler = "ddim" if objective == "ddpm" else "euler"
    out = runner.generate(
        "red apple", None, 5, DiffusionSettings(4, 3.0, sampler), known=(source, keep)
    )
    assert np.array_equal(out.image[keep], source[keep])
    assert not np.array_equal(out.image[~keep], source[~keep])


@pytest.mark.slow
def test_a_sampler_of_the_other_objective_is_refused(exports: dict[str, Path]) -> None:
    runner = TransfusionRunner(exports["ddpm"], threads=1)
    with pytest.raises(ValueError, match="ddim"):
        runner.generate("red apple", None, 0, DiffusionSettings(4, 3.0, "euler"))


@pytest.mark.slow
def test_evaluation_reports_the_shared_metrics_and_quality_against_steps(
    exports: dict[str, Path],
) -> None:
    from tessera_models.transfusion.evaluate import evaluate, results_table

    m = evaluate(exports["ddpm"], limit=3, threads=1, caption_items=2, step_sweep=(1, 2))
    assert m["split"] == {"test": 3} and m["settings"]["steps"] == 4
    assert [row["steps"] for row in m["steps"]] == [1, 2, 4]
    assert m["adherenceTop5VsClassifier"] >= 0 and m["caption"]["items"] == 2
    assert 0 < m["infill"]["psnrInHole"] < 100 and m["imagesPerSecond"] > 0
    low, high = m["fd"]["interval95"]
    assert low <= high and m["fd"]["value"] >= 0
    table = results_table("tessera/x", m)
    assert "infill PSNR inside the centre 16×16 hole" in table and "| 2 |" in table


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["ddpm", "flow"])
def test_resampled_infill_takes_each_step_r_times_and_keeps_the_known_pixels(
    exports: dict[str, Path], emoji32: EmojiDataset, objective: str
) -> None:
    runner = TransfusionRunner(exports[objective], threads=1)
    source = emoji32.images[emoji32.indices("test")[2]]
    keep = centre_mask(32, 16)
    sampler = "ddim" if objective == "ddpm" else "euler"
    once = runner.generate("", None, 5, DiffusionSettings(3, 1.0, sampler), known=(source, keep))
    twice = runner.generate(
        "", None, 5, DiffusionSettings(3, 1.0, sampler, resample=3), known=(source, keep)
    )
    assert once.calls == 3 and twice.calls == 9
    assert np.array_equal(twice.image[keep], source[keep])
    assert not np.array_equal(once.latent, twice.latent)
    # Without a mask there is nothing to resample against: the setting changes nothing.
    plain = runner.generate("", None, 5, DiffusionSettings(3, 1.0, sampler, resample=3))
    assert plain.calls == 3


@pytest.mark.slow
def test_bad_settings_and_masks_are_refused_with_what_to_do(
    exports: dict[str, Path], emoji32: EmojiDataset
) -> None:
    runner = TransfusionRunner(exports["ddpm"], threads=1)
    source = emoji32.images[emoji32.indices("test")[0]]
    bad = {
        "steps must be between 1 and 250": DiffusionSettings(0, 3.0, "ddim"),
        "steps must be between": DiffusionSettings(10_000, 3.0, "ddim"),
        "guidance must be between 0 and 20": DiffusionSettings(4, 25.0, "ddim"),
        "guidance must be": DiffusionSettings(4, float("nan"), "ddim"),
        "resample must be": DiffusionSettings(4, 3.0, "ddim", resample=0),
    }
    for message, settings in bad.items():
        with pytest.raises(SamplingError, match=message):
            runner.generate("red apple", None, 0, settings)
    ok = DiffusionSettings(2, 3.0, "ddim")
    with pytest.raises(SamplingError, match="nothing to fill"):
        runner.generate("", None, 0, ok, known=(source, np.ones((32, 32), bool)))
    with pytest.raises(SamplingError, match="covers the whole image"):
        runner.generate("", None, 0, ok, known=(source, np.zeros((32, 32), bool)))


@pytest.mark.slow
def test_a_model_folder_without_a_usable_schedule_is_refused(
    exports: dict[str, Path], tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(exports["ddpm"], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["diffusion"]["alphasBar"] = manifest["diffusion"]["alphasBar"][:10]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SamplingError, match="schedule is missing or damaged"):
        TransfusionRunner(folder, threads=1)
    del manifest["diffusion"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SamplingError, match="no diffusion block"):
        TransfusionRunner(folder, threads=1)


@pytest.mark.slow
def test_non_finite_model_outputs_stop_sampling_with_a_clear_error(
    exports: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = TransfusionRunner(exports["flow"], threads=1)
    real = runner.denoise

    def broken(x: np.ndarray, t: float, cache: list[np.ndarray]) -> np.ndarray:
        out = real(x, t, cache)
        out[..., 0] = np.nan
        return out

    monkeypatch.setattr(runner, "denoise", broken)
    with pytest.raises(SamplingError, match="NaN or infinite"):
        runner.generate("red apple", None, 0, DiffusionSettings(2, 3.0, "euler"))


@pytest.mark.slow
def test_torchrun_two_ranks_train_the_smoke_config(tmp_path: Path, emoji32: EmojiDataset) -> None:
    import os
    import subprocess
    import sys

    from tessera_models.data.emoji import NATIVE_MODELS

    env = {**os.environ, "TESSERA_RUNS_DIR": str(tmp_path), "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        "-m", "tessera_models.transfusion.train", "--config", "smoke", "--threads", "1",
    ]  # fmt: skip
    result = subprocess.run(
        cmd, cwd=NATIVE_MODELS, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    done = run_events(tmp_path / "transfusion" / "smoke" / "log.jsonl", "done")
    # Only rank 0 logs; tokens are counted across both ranks.
    assert len(done) == 1 and done[0]["step"] == 12 and done[0]["tokens"] > 0
    assert (tmp_path / "transfusion" / "smoke" / "model.pt").exists()


@pytest.mark.slow
def test_defaults_are_swept_on_val_and_written_with_fresh_goldens(
    exports: dict[str, Path], tmp_path: Path
) -> None:
    import shutil

    from tessera_models.eval.metrics import ClassifierRunner
    from tessera_models.transfusion.sweep_defaults import choose, sweep, write_defaults

    folder = tmp_path / "model"
    shutil.copytree(exports["flow"], folder)
    runner = TransfusionRunner(folder, threads=1)
    grid = [DiffusionSettings(1, 1.0, "euler"), DiffusionSettings(2, 1.0, "euler")]
    results = sweep(runner, ClassifierRunner(threads=1), 3, grid)
    assert [r.settings for r in results] == grid and all(len(r.hits) <= 3 for r in results)
    chosen = choose(results)
    write_defaults(folder, chosen)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["diffusion"]["defaults"]["steps"] == chosen.steps
    golden = json.loads((folder / "golden.json").read_text())
    first = golden["cases"][0]
    assert first["settings"]["steps"] == chosen.steps and first["calls"] == chosen.steps
