"""The `transfusion` building blocks: the sequence layouts and their LM targets, the mask (causal
text, both ways inside the image), padding that changes nothing, the two noise paths and their
samplers, the capped noise of captioning rows, and the loss's two parts."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from tessera_models.transfusion.config import (
    DiffusionConfig,
    ExperimentConfig,
    ModelConfig,
    Training,
)
from tessera_models.transfusion.loss import noise_batch, transfusion_loss
from tessera_models.transfusion.masks import MASK_VALUE, block_causal_mask, block_causal_mask_np
from tessera_models.transfusion.model import Transfusion
from tessera_models.transfusion.schedule import (
    cosine_alphas_bar,
    ddim_step,
    ddim_steps,
    euler_step,
    flow_step,
    flow_times,
    renoise_back,
    renoise_known,
)
from tessera_models.transfusion.sequences import IGNORE, Batch, row
from tessera_models.transfusion.vocab import BOI, BOS, EOI, EOS, PAD

SMALL = ModelConfig(layers=2, width=32, heads=2, hidden=64, time_dim=16, vocab_size=30)
N = SMALL.patches


def test_text_first_rows_predict_the_caption_then_boi_and_eos_after_eoi() -> None:
    ids, start, targets = row([10, 11], 4, N, image_first=False, dropped=False)
    assert ids[:7] == [BOS, 10, 11, PAD, PAD, BOI, PAD] and start == 6
    assert ids[start + N :] == [EOI, EOS] and len(ids) == 4 + N + 4
    scored = {p: t for p, t in enumerate(targets) if t != IGNORE}
    # <bos>→10, 10→11, 11→<boi> (skipping the padding), <eoi>→<eos>; no patch is LM-scored.
    assert scored == {0: 10, 1: 11, 2: BOI, start + N: EOS}


def test_image_first_rows_predict_the_caption_after_the_image() -> None:
    ids, start, targets = row([10, 11], 4, N, image_first=True, dropped=False)
    assert ids[:2] == [BOS, BOI] and start == 2
    assert ids[start + N :] == [EOI, 10, 11, EOS, PAD, PAD]
    scored = {p: t for p, t in enumerate(targets) if t != IGNORE}
    assert scored == {0: BOI, start + N: 10, start + N + 1: 11, start + N + 2: EOS}


def test_a_dropped_caption_row_has_no_lm_loss() -> None:
    _, _, targets = row([5, 5], 4, N, image_first=False, dropped=True)
    assert set(targets) == {IGNORE}


def test_the_mask_is_causal_for_text_and_both_ways_inside_the_image() -> None:
    valid = torch.tensor([[True, True, False, True, True, True, True]])
    mask = block_causal_mask(valid, torch.tensor([3]), 3)[0, 0]
    allowed = mask == 0
    assert allowed[3, 5] and allowed[5, 3]  # inside the image: both ways
    assert allowed[1, 0] and not allowed[0, 1] and not allowed[1, 3]  # text sees only behind
    assert not allowed[4, 6] and allowed[6, 4]  # the token after the image sees it
    assert not allowed[3, 2] and not allowed[6, 2]  # padding is never a key
    assert allowed[2, 2]  # a padding query sees itself
    assert float(mask.min()) == MASK_VALUE
    np_mask = block_causal_mask_np(1, 7, 0, (3, 6))[0, 0]
    full = block_causal_mask(torch.ones(1, 7, dtype=torch.bool), torch.tensor([3]), 3)[0, 0]
    assert np.array_equal(np_mask, full.numpy())


def _batch(ids: list[int], start: int, image_first: bool) -> Batch:
    t = torch.tensor([ids])
    img = torch.zeros_like(t, dtype=torch.bool)
    img[0, start : start + N] = True
    return Batch(
        ids=t,
        valid=(t != PAD) | img,
        image_start=torch.tensor([start]),
        targets=torch.full_like(t, IGNORE),
        images=torch.zeros(1, 32, 32, 3, dtype=torch.uint8),
        image_first=torch.tensor([image_first]),
    )


def test_patches_see_each_other_and_text_before_the_image_sees_no_patch() -> None:
    torch.manual_seed(0)
    model = Transfusion(SMALL).eval()
    ids, start, _ = row([7, 8], 4, N, image_first=False, dropped=False)
    b = _batch(ids, start, False)
    x = torch.randn(1, N, 48)
    lm = torch.zeros(1, len(ids), dtype=torch.bool)
    lm[0, :start] = True
    with torch.no_grad():
        logits, pred = model(b.ids, b.valid, b.image_start, x, torch.tensor([0.5]), lm)
        x2 = x.clone()
        x2[0, -1] += 1.0  # change only the last patch
        logits2, pred2 = model(b.ids, b.valid, b.image_start, x2, torch.tensor([0.5]), lm)
    assert float((pred2[0, 0] - pred[0, 0]).abs().max()) > 1e-4  # the first patch saw it
    assert torch.equal(logits, logits2)  # the caption before the image did not


def test_padding_in_the_caption_changes_nothing() -> None:
    torch.manual_seed(0)
    model = Transfusion(SMALL).eval()
    x, t = torch.randn(1, N, 48), torch.tensor([0.3])
    outs = []
    for slots in (2, 6):
        ids, start, _ = row([7, 8], slots, N, image_first=False, dropped=False)
        b = _batch(ids, start, False)
        none = torch.zeros(1, len(ids), dtype=torch.bool)
        with torch.no_grad():
            outs.append(model(b.ids, b.valid, b.image_start, x, t, none)[1])
    assert float((outs[0] - outs[1]).abs().max()) < 1e-5


def test_the_cosine_schedule_falls_from_one_to_near_zero() -> None:
    a = cosine_alphas_bar(1000)
    assert a.shape == (1000,) and np.all(np.diff(a) < 0)
    assert 0.999 < a[0] < 1 and 0 < a[-1] < 1e-4
    assert ddim_steps(1000, 4) == [999, 749, 500, 250]
    assert flow_times(4) == [1.0, 0.75, 0.5, 0.25, 0.0]
    with pytest.raises(ValueError, match="steps"):
        ddim_steps(1000, 0)


def test_both_samplers_recover_the_image_from_an_exact_prediction() -> None:
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-1, 1, (N, 48))
    eps = rng.standard_normal((N, 48))
    a = cosine_alphas_bar(1000)
    ks = ddim_steps(1000, 5)
    x = math.sqrt(a[ks[0]]) * x0 + math.sqrt(1 - a[ks[0]]) * eps
    for i, k in enumerate(ks):
        a_next = a[ks[i + 1]] if i + 1 < len(ks) else 1.0
        x = ddim_step(x, eps, a[k], a_next)  # the true ε at every step
    assert np.abs(x - x0).max() < 1e-9
    ts = flow_times(3)
    x = eps.copy()
    for t, t_next in itertools.pairwise(ts):
        x = euler_step(x, eps - x0, t, t_next)  # the true velocity is constant on the path
    assert np.abs(x - x0).max() < 1e-12
    assert np.array_equal(renoise_known(x0, eps, "flow", 0.0), x0)
    assert np.abs(renoise_known(x0, eps, "ddpm", 1.0) - x0).max() == 0


@pytest.mark.parametrize(
    ("sampler", "order", "calls"), [("euler", 1, 8), ("heun", 2, 15), ("midpoint", 2, 16)]
)
def test_the_flow_solvers_converge_at_their_order_with_their_network_calls(
    sampler: str, order: int, calls: int
) -> None:
    # dx/dt = x from t = 1 to 0 has x(0) = x(1)/e: halving the step divides each solver's error
    # by 2^order. Heun takes no corrector into t = 0, so its last step is Euler's (order 1 there,
    # but that step's error is O(h²) alone).
    made = 0

    def field(x: np.ndarray, t: float) -> np.ndarray:
        nonlocal made
        made += 1
        return x.copy()

    def solve(steps: int) -> float:
        x = np.ones(3)
        ts = flow_times(steps)
        for t, t_next in itertools.pairwise(ts):
            x = flow_step(field, x, field(x, t), t, t_next, sampler)
        return float(np.abs(x[0] - math.exp(-1)))

    coarse = solve(8)
    assert made == calls
    fine = solve(16)
    assert 0.8 * 2**order < coarse / fine < 1.25 * 2**order


@pytest.mark.parametrize("objective", ["ddpm", "flow"])
def test_captioning_rows_are_noised_at_most_half_way(objective: str) -> None:
    dc = DiffusionConfig(objective=objective, sampler="ddim" if objective == "ddpm" else "euler")
    x0 = torch.zeros(400, N, 48)
    first = torch.arange(400) % 2 == 0
    gen = torch.Generator().manual_seed(0)
    a = torch.from_numpy(cosine_alphas_bar(1000)).float()
    noised = noise_batch(x0, first, dc, 0.5, a, gen)
    assert float(noised.t[first].max()) <= 0.5 and float(noised.t[~first].max()) > 0.9
    # From a zero image, x_t is the noise scaled by the level: √(1 − ᾱ)·ε or t·ε.
    t = noised.t[:, None, None]
    if objective == "flow":
        assert torch.allclose(noised.x_t, t * noised.target)
    else:
        k = (noised.t * 1000).round().long()
        assert torch.allclose(noised.x_t, (1 - a[k]).sqrt()[:, None, None] * noised.target)


def test_the_loss_is_lm_plus_five_times_diffusion_and_logs_both() -> None:
    torch.manual_seed(0)
    model = Transfusion(SMALL)
    ids, start, targets = row([7, 8], 4, N, image_first=False, dropped=False)
    b = _batch(ids, start, False)
    b.targets = torch.tensor([targets])
    b.images = torch.randint(0, 256, (1, 32, 32, 3), dtype=torch.uint8)
    dc = DiffusionConfig()
    a = torch.from_numpy(cosine_alphas_bar(1000)).float()
    loss, parts = transfusion_loss(
        model, b, dc, 0.5, 5.0, a, generator=torch.Generator().manual_seed(1)
    )
    assert parts["lm_loss"] > 0 and parts["diffusion_loss"] > 0
    assert float(loss.detach()) == pytest.approx(
        parts["lm_loss"] + 5 * parts["diffusion_loss"], rel=1e-5
    )


def test_a_sampler_that_does_not_fit_the_objective_is_refused() -> None:
    with pytest.raises(ValueError, match="samples with"):
        ExperimentConfig(name="x", diffusion=DiffusionConfig(objective="flow", sampler="ddim"))
    with pytest.raises(ValueError, match="objective"):
        ExperimentConfig(name="x", diffusion=DiffusionConfig(objective="edm"))
    assert Training().diffusion_weight == 5.0


@pytest.mark.parametrize(
    ("objective", "cleaner", "noisier"), [("ddpm", 0.8, 0.3), ("flow", 0.2, 0.7)]
)
def test_resampling_goes_back_to_the_noisier_level_of_the_forward_process(
    objective: str, cleaner: float, noisier: float
) -> None:
    """From x at the cleaner level, renoise_back gives x at the noisier level: the clean
    image's weight and the total noise variance are the forward process's."""
    rng = np.random.default_rng(0)
    x0 = np.full(200_000, 0.5)
    eps1, eps2 = rng.standard_normal((2, x0.size))
    x = renoise_known(x0, eps1, objective, cleaner)
    back = renoise_back(x, eps2, objective, cleaner, noisier)
    if objective == "ddpm":
        weight, std = math.sqrt(noisier), math.sqrt(1 - noisier)
    else:
        weight, std = 1 - noisier, noisier
    assert back.mean() == pytest.approx(weight * 0.5, abs=0.01)
    assert back.std() == pytest.approx(std, rel=0.01)


def test_the_default_step_count_is_the_fewest_within_noise_of_the_best() -> None:
    from tessera_models.transfusion.reference_loop import DiffusionSettings
    from tessera_models.transfusion.sweep_defaults import GridResult, choose

    def point(steps: int, cfg: float, hits: int, items: int = 200) -> GridResult:
        h = np.zeros(items, bool)
        h[:hits] = True
        return GridResult(DiffusionSettings(steps, cfg, "ddim"), h, fd=1.0)

    results = [
        point(4, 3.0, 40),  # far below the best
        point(8, 3.0, 70),  # inside the best's interval (0.38 ± about 0.07)
        point(16, 3.0, 74),
        point(32, 3.0, 76),  # the best
        point(8, 1.0, 75),  # close, but another guidance: not a candidate for the step count
    ]
    assert choose(results) == DiffusionSettings(8, 3.0, "ddim")
    # Where more steps clearly help, the default keeps them.
    results[1] = point(8, 3.0, 30)
    results[2] = point(16, 3.0, 40)
    assert choose(results) == DiffusionSettings(32, 3.0, "ddim")


def test_without_measurable_adherence_the_defaults_follow_fd() -> None:
    from tessera_models.transfusion.reference_loop import DiffusionSettings
    from tessera_models.transfusion.sweep_defaults import GridResult, choose

    def point(steps: int, cfg: float, fd: float, hits: int = 0) -> GridResult:
        h = np.zeros(200, bool)
        h[:hits] = True
        return GridResult(DiffusionSettings(steps, cfg, "ddim"), h, fd=fd, fd_high=fd * 1.15)

    results = [
        point(4, 1.0, 10.4),
        point(8, 1.0, 9.3, hits=1),  # one hit in 200: its interval reaches 0
        point(16, 1.0, 8.7),  # inside the best's interval (up to 9.0)
        point(32, 1.0, 7.8),  # the lowest FD
        point(32, 3.0, 8.8),
    ]
    assert choose(results) == DiffusionSettings(16, 1.0, "ddim")
    # By adherence alone the default would have been the fewest steps, 4, with the worst FD.
    results[2] = point(16, 1.0, 9.1)
    assert choose(results) == DiffusionSettings(32, 1.0, "ddim")
