"""Tests for the shared evaluator: Fréchet distance, metrics, and a tiny classifier run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tessera_models.data.emoji import DatasetMissingError, EmojiDataset, load_emoji
from tessera_models.eval.classifier import EVALUATOR_VERSION, ClassifierConfig, EmojiClassifier
from tessera_models.eval.frechet import (
    bootstrap_interval,
    fit_gaussian,
    frechet_distance,
    frechet_from_gaussians,
)
from tessera_models.eval.metrics import (
    ClassifierRunner,
    caption_exact_match,
    normalise_caption,
    pick_distractors,
    psnr,
    rank_accuracy,
    topk_accuracy,
)

torch.set_num_threads(1)


def _correlated(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    mix = rng.normal(size=(d, d))
    return rng.normal(size=(n, d)) @ mix + rng.normal(size=d)


def _sqrtm_denman_beavers(a: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Independent reference: a general (non-symmetric) matrix square root by iteration."""
    y, z = a.copy(), np.eye(len(a))
    for _ in range(iterations):
        y, z = (y + np.linalg.inv(z)) / 2, (z + np.linalg.inv(y)) / 2
    return y


# --- Fréchet distance --------------------------------------------------------------------


def test_frechet_of_identical_sets_is_zero() -> None:
    feats = _correlated(np.random.default_rng(0), 300, 16)
    assert frechet_distance(feats, feats) == pytest.approx(0.0, abs=1e-8)


def test_frechet_of_shifted_set_is_squared_mean_shift() -> None:
    rng = np.random.default_rng(1)
    feats = _correlated(rng, 400, 12)
    delta = rng.normal(size=12)
    expected = float(delta @ delta)
    assert frechet_distance(feats, feats + delta) == pytest.approx(expected, rel=1e-9)


def test_frechet_diagonal_gaussians_analytic() -> None:
    # For diagonal covariances FD = |mu_a - mu_b|^2 + sum (sqrt(s_a) - sqrt(s_b))^2.
    s_a, s_b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    mu_a, mu_b = np.zeros(3), np.array([1.0, 2.0, 0.0])
    expected = 5.0 + (1 - 3) ** 2 + (2 - 1) ** 2 + 0.0
    got = frechet_from_gaussians(mu_a, np.diag(s_a), mu_b, np.diag(s_b))
    assert got == pytest.approx(expected, rel=1e-12)


def test_frechet_matches_brute_force_reference() -> None:
    rng = np.random.default_rng(2)
    a, b = _correlated(rng, 60, 5), 0.5 * _correlated(rng, 80, 5)
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = _sqrtm_denman_beavers(s_a @ s_b)
    reference = float(
        (mu_a - mu_b) @ (mu_a - mu_b) + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(covmean)
    )
    assert frechet_distance(a, b) == pytest.approx(reference, rel=1e-8)
    # Symmetric in its arguments even though S_a S_b is not.
    assert frechet_distance(b, a) == pytest.approx(reference, rel=1e-8)


def test_frechet_handles_rank_deficient_covariance() -> None:
    # Fewer images than dimensions: covariances are singular, eigenvalues round to ~-1e-15.
    feats = np.random.default_rng(3).normal(size=(5, 20))
    assert frechet_distance(feats, feats) == pytest.approx(0.0, abs=1e-8)
    assert np.isfinite(frechet_distance(feats, feats[::-1] + 1.0))


def test_fit_gaussian_rejects_single_row() -> None:
    with pytest.raises(ValueError):
        fit_gaussian(np.zeros((1, 4)))


def test_bootstrap_interval_contains_point_estimate_and_is_reproducible() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(size=(400, 4))
    b = rng.normal(size=(400, 4)) * 1.2 + 0.5
    point = frechet_distance(a, b)
    low, high = bootstrap_interval(a, b, resamples=100, seed=7)
    assert low < point < high
    assert high - low < point  # informative, not just wide
    assert bootstrap_interval(a, b, resamples=100, seed=7) == (low, high)


# --- metrics -----------------------------------------------------------------------------


def test_psnr_known_values() -> None:
    a = np.full((2, 4, 4, 3), 100, np.uint8)
    off_by_one = a.copy()
    off_by_one[1] += 1
    assert psnr(a, a) == 100.0
    assert psnr(a[1], off_by_one[1]) == pytest.approx(10 * np.log10(255.0**2), rel=1e-12)
    # Mean of per-image values: (100 + 48.13) / 2, not the PSNR of the pooled MSE.
    assert psnr(a, off_by_one) == pytest.approx((100 + 10 * np.log10(255.0**2)) / 2, rel=1e-12)
    black, white = np.zeros((1, 2, 2, 3), np.uint8), np.full((1, 2, 2, 3), 255, np.uint8)
    assert psnr(black, white) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(TypeError):
        psnr(a.astype(np.float32), a.astype(np.float32))


def test_topk_accuracy() -> None:
    logits = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    targets = np.array([1, 2, 0])
    assert topk_accuracy(logits, targets, 1) == pytest.approx(1 / 3)
    assert topk_accuracy(logits, targets, 2) == pytest.approx(1 / 3)
    assert topk_accuracy(logits, targets, 3) == 1.0
    assert topk_accuracy(logits, targets, 10) == 1.0


def test_rank_accuracy_counts_ties_as_misses() -> None:
    scores = np.array(
        [
            [3.0, 1.0, 2.0],  # strictly highest: hit
            [2.0, 2.0, 1.0],  # tied for first: miss
            [1.0, 5.0, 0.0],  # beaten: miss
            [0.0, 0.0, 4.0],  # true column 2: hit
        ]
    )
    assert rank_accuracy(scores, np.array([0, 0, 0, 2])) == pytest.approx(0.5)
    assert rank_accuracy(np.ones((4, 100)), np.zeros(4, np.int64)) == 0.0


def test_normalise_caption_and_exact_match() -> None:
    assert normalise_caption("  Thumbs-Up!!   Sign ") == "thumbs up sign"
    assert normalise_caption("Keycap: 1, Woman’s  hat.") == "keycap: 1, womans hat"
    assert caption_exact_match("T-Rex", "t rex", ())
    assert caption_exact_match("A button.", "a button blood type", ("a button",))
    assert not caption_exact_match("blue heart", "green heart", ("heart",))
    assert not caption_exact_match("!!!", "", ())


def test_pick_distractors_is_deterministic_and_excludes_answers() -> None:
    captions = [f"thing {i}" for i in range(300)] + ["red heart", "Red-Heart"]
    picked = pick_distractors(captions, "red heart", n=99, seed=3, exclude=("thing 5",))
    assert len(picked) == len(set(picked)) == 99
    assert "red heart" not in picked and "Red-Heart" not in picked and "thing 5" not in picked
    assert picked == pick_distractors(
        list(reversed(captions)), "red heart", n=99, seed=3, exclude=("thing 5",)
    )
    assert picked != pick_distractors(captions, "red heart", n=99, seed=4)
    assert picked != pick_distractors(captions, "thing 7", n=99, seed=3)
    with pytest.raises(ValueError):
        pick_distractors(captions[:10], "thing 0", n=99, seed=0)


# --- classifier --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emoji() -> EmojiDataset:
    try:
        return load_emoji()
    except DatasetMissingError as e:
        pytest.skip(f"needs the emoji-v1 dataset (run `npm run data:build`): {e}")


def test_the_committed_evaluator_loads_and_a_missing_one_fails_saying_how_to_make_it(
    tmp_path: Path,
) -> None:
    # The family evaluation tests run it unconditionally: it is committed, so its absence is a
    # defect to fail on, never a reason to skip them.
    assert len(ClassifierRunner().labels) > 100
    with pytest.raises(FileNotFoundError, match="train_classifier"):
        ClassifierRunner(tmp_path)


def test_classifier_shapes_and_size() -> None:
    model = EmojiClassifier(ClassifierConfig(num_classes=7000)).eval()
    features, logits = model(torch.zeros(2, 3, 32, 32))
    assert features.shape == (2, 128) and logits.shape == (2, 7000)
    assert sum(p.numel() for p in model.parameters()) < 2_000_000


@pytest.mark.slow
def test_tiny_training_run_exports_matching_onnx(emoji: EmojiDataset, tmp_path: Path) -> None:
    from tessera_models.eval.train_classifier import main

    out, run = tmp_path / "eval", tmp_path / "run"
    argv = ["--steps", "3", "--limit", "256", "--eval-every", "0", "--threads", "1"]
    card = main([*argv, "--out", str(out), "--run-dir", str(run)])
    for name in ("classifier.onnx", "classifier.labels.json", "classifier.card.json"):
        assert (out / name).exists(), name
    assert not list(out.glob("*.pt")), "the checkpoint belongs in the run dir, not the eval dir"
    assert (out / "classifier.onnx").stat().st_size < 8 * 1024 * 1024

    labels = json.loads((out / "classifier.labels.json").read_text(encoding="utf-8"))
    train_concepts = {r.concept for r in emoji.records if r.split == "train"}
    assert labels == sorted(train_concepts)
    saved = json.loads((out / "classifier.card.json").read_text(encoding="utf-8"))
    assert saved["evaluator_version"] == EVALUATOR_VERSION
    assert saved["classes"] == len(labels) and saved["training"]["steps"] == 3
    assert saved["training"]["train_images"] == 256
    assert {"top1", "top5"} <= saved["accuracy"]["val"].keys()
    assert isinstance(saved["accuracy"]["test-unseen"], str)
    assert card["onnx"]["max_abs_diff_vs_pytorch"]["logits"] <= 1e-4

    # Independent parity check: the saved checkpoint against onnxruntime on a batch size the
    # export never saw (dynamic batch axis), on real test images.
    state = torch.load(run / "classifier.pt", map_location="cpu", weights_only=False)
    model = EmojiClassifier(ClassifierConfig(**state["config"])).eval()
    model.load_state_dict(state["model"])
    images = emoji.images[emoji.indices("test")[:5]]
    runner = ClassifierRunner(out, threads=1)
    onnx_feats, onnx_logits = runner.run(images)
    with torch.no_grad():
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0
        feats, logits = model(x)
    assert onnx_feats.shape == (5, 128) and onnx_logits.shape == (5, len(labels))
    assert np.abs(onnx_feats - feats.numpy()).max() <= 1e-4
    assert np.abs(onnx_logits - logits.numpy()).max() <= 1e-4
    with pytest.raises(ValueError):
        runner.run(images.astype(np.float32))
