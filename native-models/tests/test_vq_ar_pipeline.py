"""End to end on real data: the smoke config trains both stages, exports, passes parity, and
its goldens reproduce through the reference loop."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from tessera_models.common.onnx_tools import sha256_file
from tessera_models.common.resolved_config import resolve
from tessera_models.common.sampling import SamplingSettings
from tessera_models.common.settings_json import manifest_defaults, settings_from_json
from tessera_models.common.training import run_events
from tessera_models.data.emoji import EmojiDataset
from tessera_models.vq_ar import export, restore_run, train_tokenizer, train_transformer
from tessera_models.vq_ar.config import load_config
from tessera_models.vq_ar.reference_loop import VqArRunner
from tessera_models.vq_ar.shipped_weights import load_shipped_weights


@pytest.fixture(scope="module")
def smoke_export(tmp_path_factory: pytest.TempPathFactory, emoji32: EmojiDataset) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    runs_dir = runs / "vq-ar"
    mp = pytest.MonkeyPatch()
    mp.setenv("TESSERA_RUNS_DIR", str(runs))
    config = load_config("smoke")
    tok = train_tokenizer.train(config, threads=2)
    assert tok["codes_used"] > 1
    out = train_transformer.train(config, threads=2)
    assert np.isfinite(out["val_image_nats"])
    # Resuming a finished run trains no further steps and keeps the checkpoint.
    again = train_transformer.train(config, threads=2)
    assert again["val_image_nats"] == pytest.approx(out["val_image_nats"], rel=1e-6)
    # A warm start continues the finished run with its tokenizer; it has no tokenizer stage.
    # It also grows the context for retrieval, whose memory the export then ships, and puts
    # prompt captions in fixed slots (the layout changes; the weights carry over).
    continued = replace(
        config,
        name="smoke-continued",
        warm_start="smoke",
        caption_slot=16,
        sampling=SamplingSettings(top_p=0.8),
        best_of=3,
        transformer=replace(config.transformer, context=192),
        transformer_training=replace(
            config.transformer_training,
            steps=5,
            warmup=1,
            p_retrieval=0.5,
            p_self_view=(1.0, 0.5),
        ),
    )
    with pytest.raises(ValueError, match="run only train_transformer"):
        train_tokenizer.train(continued, threads=2)
    more = train_transformer.train(continued, threads=2)
    assert np.isfinite(more["val_image_nats"]) and np.isfinite(more["val_image_nats_retrieved"])
    assert np.isfinite(more["val_image_nats_self_view"])
    # Views were encoded for the training and held-out images only, and cached.
    views = np.load(runs / "vq-ar" / "smoke-continued" / "self_views.npz")["views"]
    needed = {*emoji32.indices("train")[:256].tolist(), *emoji32.indices("val")[:512].tolist()}
    other = next(i for i in range(len(views)) if i not in needed)
    assert (views[sorted(needed)] >= 0).all() and (views[other] == -1).all()
    # Its manifest's training block reports the tokenizer it used and the run it continued.
    summary = export.training_summary(continued)
    assert summary["continues"]["config"] == "smoke" and summary["continues"]["step"] == 30
    assert summary["tokenizer"]["event"] == "done" and summary["transformer"]["step"] == 5
    runs = summary["transformerRuns"]
    assert [(r["config"], r["step"]) for r in runs] == [("smoke", 30), ("smoke-continued", 5)]
    # Each run folder holds its config resolved, as the loader gives it (the continued run's
    # own layers included); the manifest carries the exported run's.
    assert json.loads((runs_dir / "smoke" / "config.json").read_text()) == resolve(config)
    assert resolve(config) == resolve(load_config("smoke"))
    saved = json.loads((runs_dir / "smoke-continued" / "config.json").read_text())
    assert saved == resolve(continued) and saved["transformer"]["context"] == 192
    model_dir = tmp_path_factory.mktemp("export") / "vq-ar-smoke"
    export.export(continued, model_dir, model_dir.parent / "weights.pt")
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert manifest["training"]["resolvedConfig"] == saved
    assert load_shipped_weights(model_dir.parent / "weights.pt") is not None
    mp.undo()
    return model_dir


@pytest.mark.slow
def test_export_parity_and_manifest(smoke_export: Path) -> None:
    manifest = json.loads((smoke_export / "manifest.json").read_text())
    parity = manifest["parity"]
    diffs = {k: v for k, v in parity.items() if k.startswith(("decoder.", "vq_decode."))}
    assert len(diffs) == 6 and all(v <= 1e-4 for v in diffs.values()), diffs
    assert manifest["family"] == "vq-ar" and manifest["capabilities"]["infill"] == "native"
    for role in ("decoder", "vq_encode", "vq_decode"):
        g = manifest["graphs"][role]
        assert (smoke_export / g["file"]).stat().st_size == g["bytes"]
    names = [i["name"] for i in manifest["graphs"]["decoder"]["inputs"]]
    assert names[:3] == ["input_ids", "position_ids", "attention_mask"]
    assert names[3] == "past_key_values.0.key"
    assert manifest["graphs"]["decoder"]["inputs"][0]["shape"] == ["batch", "seq"]
    # The retrieval memory: the training split's captions and codes, hashed like the graphs.
    assert manifest["capabilities"]["retrieval"] is True
    retrieval = manifest["retrieval"]
    assert retrieval["documents"] == 256 and retrieval["codes"]["shape"] == [256, 64]
    for part in ("memory", "codes"):
        assert sha256_file(smoke_export / retrieval[part]["file"]) == retrieval[part]["sha256"]
    assert manifest["layouts"]["generate"][:3] == ["bos", "document", "caption"]
    assert manifest["tokenizer"]["captionSlot"] == 16
    # The config's sampling defaults are what the manifest ships (the studio starts from them).
    assert manifest["sampling"]["defaults"]["topP"] == 0.8


@pytest.mark.slow
def test_goldens_reproduce_exactly(smoke_export: Path) -> None:
    runner = VqArRunner(smoke_export, threads=1)
    golden = json.loads((smoke_export / "golden.json").read_text())
    generated = [c for c in golden["cases"] if c["task"] == "generate"]
    assert len(generated) == 7
    for case in generated:
        settings = settings_from_json(case["settings"])
        out = runner.generate(
            case["prompt"], case["style"], case["seed"], settings, retrieval=case["retrieval"]
        )
        assert out.document == case["document"]
        assert runner.document_ids(out.document) == case["documentIds"]
        assert out.codes.reshape(-1).tolist() == case["codes"]
    # Documents were retrieved, except where retrieval was off or no word matched.
    assert any(c["document"] is not None for c in generated)
    assert [c["document"] for c in generated[-2:]] == [None, None]
    # A different seed gives different codes: the golden is not seed-blind.
    other = runner.generate("grinning face", "twemoji", 2, SamplingSettings())
    assert other.codes.reshape(-1).tolist() != generated[0]["codes"]


@pytest.mark.slow
def test_infill_keeps_everything_outside_the_mask(
    smoke_export: Path, emoji32: EmojiDataset
) -> None:
    runner = VqArRunner(smoke_export, threads=1)
    image = emoji32.images[emoji32.indices("test")[0]]
    codes = runner.encode(image[None])[0]
    mask = np.zeros((32, 32), bool)
    mask[5:13, 9:18] = True  # cells rows 1-3, cols 2-4
    segments = runner.mask_to_segments(mask)
    assert segments == [(1, 2, 5), (2, 2, 5), (3, 2, 5)]
    out = runner.infill_codes(
        codes, segments, runner.prompt_ids("red apple", None), 3, SamplingSettings()
    )
    outside = np.ones((8, 8), bool)
    outside[1:4, 2:5] = False
    np.testing.assert_array_equal(out[outside], codes[outside])
    with pytest.raises(ValueError, match="empty"):
        runner.mask_to_segments(np.zeros((32, 32), bool))


@pytest.mark.slow
def test_caption_and_scores(smoke_export: Path, emoji32: EmojiDataset) -> None:
    runner = VqArRunner(smoke_export, threads=1)
    codes = runner.encode(emoji32.images[emoji32.indices("test")[:2]])
    text = runner.caption(codes[0])
    assert isinstance(text, str) and len(text.split()) <= 16
    cands = [
        runner.prompt_ids(c, None) for c in ("red apple", "grinning face with big eyes", "sun")
    ]
    lp = runner.caption_logprobs(codes[0], cands)
    assert lp.shape == (3,) and np.all(lp < 0)
    # Batched scoring equals scoring one candidate at a time (padding must not leak).
    single = [runner.caption_logprobs(codes[0], [c])[0] for c in cands]
    np.testing.assert_allclose(lp, single, atol=1e-4)
    nats = runner.image_nats([cands[0], cands[0]], codes)
    assert nats.shape == (2,) and np.all(nats > 0)


@pytest.mark.slow
def test_memory_retrieves_by_caption(smoke_export: Path, emoji32: EmojiDataset) -> None:
    runner = VqArRunner(smoke_export, threads=1)
    memory = runner.memory
    assert memory is not None and len(memory.captions) == 256
    train = emoji32.indices("train")[:256]
    # A training caption retrieves a document with that very caption (the first, on ties).
    caption = emoji32.records[train[10]].caption
    found = memory.retrieve(caption)
    assert found is not None and memory.captions[found] == caption
    assert memory.captions.index(caption) == found
    # Documents decode in one batch, each as it decodes alone; nothing retrieved shows white.
    shown = runner.document_images([found, None, 3])
    g = runner.grid
    assert np.array_equal(shown[0], runner.decode(memory.codes[found].reshape(1, g, g))[0])
    assert np.array_equal(shown[2], runner.decode(memory.codes[3].reshape(1, g, g))[0])
    assert (shown[1] == 255).all() and not (shown[0] == 255).all()
    # Its codes are the ones the model trained on (the tokenizer before its export to fp16
    # weights), so they agree with the exported encoder nearly everywhere.
    encoded = runner.encode(emoji32.images[train[found]][None])[0].reshape(-1)
    assert (memory.codes[found] == encoded).mean() > 0.8
    assert memory.retrieve("zzzz qqqq") is None
    doc = runner.document_ids(found)
    # Its caption fills a 16-token slot, padding first: caption, break, 64 codes, break.
    words = runner.prompt_ids(caption, memory.sets[found])
    assert doc[-1] == 3 and len(doc) == 16 + 66
    assert doc[:16] == [0] * (16 - len(words)) + words


@pytest.mark.slow
def test_manifest_defaults_carry_the_configured_best_of(smoke_export: Path) -> None:
    # How best-of-N ranks is tested on the shipped model (test_shipped_models.py).
    runner = VqArRunner(smoke_export, threads=1)
    settings, best_of = manifest_defaults(runner.manifest["sampling"]["defaults"])
    assert (best_of, settings.top_p, settings.cdk) == (3, 0.8, False)
    assert settings.cdk_alpha == runner.manifest["sampling"]["defaults"]["cdk"]["alpha"]
    # A manifest that does not say (older exports, other families) ranks nothing.
    defaults = {k: v for k, v in runner.manifest["sampling"]["defaults"].items() if k != "bestOf"}
    assert manifest_defaults(defaults) == (settings, 1)


@pytest.mark.slow
def test_a_shipped_model_stands_in_for_the_run_its_continuation_needs(
    smoke_export: Path, emoji32: EmojiDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fresh clone has the shipped weights and export, not the run folder they came from.
    monkeypatch.setenv("TESSERA_RUNS_DIR", str(tmp_path))
    weights = smoke_export.parent / "weights.pt"
    monkeypatch.setattr(restore_run, "weights_path", lambda name: weights)
    monkeypatch.setattr(restore_run, "export_dir", lambda name: smoke_export)
    manifest = json.loads((smoke_export / "manifest.json").read_text())
    config = load_config("smoke")
    again = replace(
        config,
        name="smoke-again",
        warm_start="smoke-continued",
        caption_slot=16,
        transformer=replace(config.transformer, context=192),
        transformer_training=replace(config.transformer_training, steps=3, warmup=1),
    )
    out = train_transformer.train(again, threads=2)
    assert np.isfinite(out["val_image_nats"])

    source = tmp_path / "vq-ar" / "smoke-continued"
    restored = torch.load(source / "transformer.pt", weights_only=False)
    shipped = load_shipped_weights(weights)
    assert shipped is not None and restored["optimizer"] is None
    for name, value in shipped[1].state_dict().items():
        assert torch.equal(restored["model"][name], value), name
    # The codes it trains on are the shipped encoder's, nearly everywhere (fp32 vs ONNX).
    codes = np.load(tmp_path / "vq-ar" / "smoke-again" / "codes.npy")
    runner = VqArRunner(smoke_export, threads=1)
    first = emoji32.indices("train")[:32]
    assert (codes[first] == runner.encode(emoji32.images[first])).mean() > 0.95
    log = tmp_path / "vq-ar" / "smoke-again" / "transformer" / "log.jsonl"
    started = run_events(log, "warm_start")[0]
    assert started["optimizer"] == "fresh"
    assert started["source_step"] == manifest["training"]["transformer"]["exportedStep"]
    # Its export will state the whole cost: the shipped model's runs, then its own.
    runs = export.training_summary(again)["transformerRuns"]
    assert [(r["config"], r["step"]) for r in runs] == [
        ("smoke", 30),
        ("smoke-continued", 5),
        ("smoke-again", 3),
    ]
    # Exported again as it is, the restored folder states what the shipped model stated.
    as_shipped = export.training_summary(replace(config, name="smoke-continued"))
    assert as_shipped == manifest["training"]
    with pytest.raises(FileExistsError, match="already holds a run"):
        restore_run.restore_run("smoke-continued")
    monkeypatch.setattr(restore_run, "weights_path", lambda name: tmp_path / "absent.pt")
    with pytest.raises(FileNotFoundError, match="only shipped configs can be restored"):
        restore_run.restore_run("other")
    # Continuing a run that is neither trained here nor shipped says how to get it.
    orphan = replace(again, name="smoke-orphan", warm_start="other")
    with pytest.raises(FileNotFoundError, match=r"Train it \(--config other\).*git log -- "):
        train_transformer.train(orphan, threads=2)
