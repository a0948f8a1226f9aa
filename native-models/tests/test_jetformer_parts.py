"""The `jetformer` building blocks: the Jet flow (identity at start, invertible, exact
log-determinant, fp32 under autocast), the GMM head and its guided density, the bits-per-
dimension loss, the stop-gradient into the flow, and padding that changes nothing."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from tessera_models.jetformer.config import DecoderConfig, FlowConfig
from tessera_models.jetformer.gmm import (
    GmmHead,
    gmm_nll,
    guided_gaussian,
    square_plus,
    standard_normal_nll,
)
from tessera_models.jetformer.jet import Jet
from tessera_models.jetformer.model import JetFormer
from tessera_models.jetformer.patches import patchify, rgb_noise_sigma, u8_to_unit, unpatchify
from tessera_models.jetformer.sequences import Batch, text_slots
from tessera_models.jetformer.vocab import EOS, NOLABEL, PAD, TEXT_OFFSET, Vocab
from tessera_models.text.word_tokenizer import WordTokenizer

FLOW = FlowConfig(couplings=16, width=16, heads=2, mlp_ratio=2)
DECODER = DecoderConfig(
    layers=2, width=32, heads=2, head_dim=16, hidden=64, mixtures=4, vocab_size=40
)


def randomise_couplings(jet: Jet, std: float = 0.1) -> None:
    """Trained-looking couplings: non-zero output projections."""
    gen = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for net in jet.nets:
            net.final_proj.weight.copy_(
                torch.randn(net.final_proj.weight.shape, generator=gen) * std
            )
            net.final_proj.bias.copy_(torch.randn(net.final_proj.bias.shape, generator=gen) * std)


def test_patches_are_4x4_tiles_in_raster_order() -> None:
    images = torch.arange(2 * 32 * 32 * 3, dtype=torch.float32).reshape(2, 32, 32, 3)
    tokens = patchify(images, 4)
    assert tokens.shape == (2, 64, 48)
    # Token 1 is rows 0-3, columns 4-7; its dims run (row, column, channel).
    assert torch.equal(tokens[0, 1].reshape(4, 4, 3), images[0, 0:4, 4:8])
    assert torch.equal(tokens[1, 8].reshape(4, 4, 3), images[1, 4:8, 0:4])
    assert torch.equal(unpatchify(tokens, 4, 32), images)


def test_every_coupling_starts_as_the_identity() -> None:
    torch.manual_seed(0)
    jet = Jet(FLOW)
    x = torch.rand(3, 64, 48) * 2 - 1
    z, logdet = jet(x)
    assert torch.equal(z, x)
    assert torch.equal(logdet, torch.zeros(3))


def test_flow_inverts_and_its_logdet_is_the_jacobians() -> None:
    torch.manual_seed(0)
    small = replace(FLOW, image_size=8)  # 4 tokens: a 192×192 Jacobian
    jet = Jet(small).double()
    randomise_couplings(jet)
    x = torch.rand(1, 4, 48, dtype=torch.float64) * 2 - 1
    with torch.no_grad():
        z, logdet = jet(x)
        assert float((jet.inverse(z) - x).abs().max()) < 1e-12
    jac = torch.autograd.functional.jacobian(
        lambda t: jet(t.view(1, 4, 48))[0].flatten(), x.flatten()
    )
    assert float(logdet[0]) == pytest.approx(float(torch.linalg.slogdet(jac)[1]), abs=1e-9)


def test_coupling_math_stays_fp32_under_bf16_autocast() -> None:
    torch.manual_seed(0)
    jet = Jet(FLOW)
    randomise_couplings(jet)
    x = torch.rand(2, 64, 48) * 2 - 1
    with torch.autocast("cpu", dtype=torch.bfloat16):
        z, logdet = jet(x)
        back = jet.inverse(z)
    assert z.dtype == torch.float32 and logdet.dtype == torch.float32
    assert float((back - x).abs().max()) < 1e-4


def test_coupling_permutations_are_fixed_and_distinct() -> None:
    a, b = Jet(FLOW), Jet(FLOW)
    assert torch.equal(a.perm, b.perm)
    assert len({tuple(p.tolist()) for p in a.perm}) == FLOW.couplings
    assert all(sorted(p.tolist()) == list(range(48)) for p in a.perm)


def test_gmm_head_starts_with_unit_scales_and_distinct_means() -> None:
    torch.manual_seed(0)
    head = GmmHead(DECODER)
    logits, means, scales = head(torch.randn(2, 5, DECODER.width))
    assert logits.shape == (2, 5, 4) and means.shape == scales.shape == (2, 5, 4, 8)
    assert torch.equal(logits, torch.zeros_like(logits))
    assert torch.allclose(scales, torch.ones_like(scales))  # square_plus(0) = 1
    assert float(means[0, 0].std(dim=0).min()) > 0  # the perturbed biases tell components apart
    assert float(square_plus(torch.tensor(-1e4))) < 1e-3


def test_gmm_nll_matches_torch_distributions() -> None:
    torch.manual_seed(1)
    logits, means = torch.randn(3, 4), torch.randn(3, 4, 8)
    scales = torch.rand(3, 4, 8) + 0.1
    z = torch.randn(3, 8)
    mix = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=logits),
        torch.distributions.Independent(torch.distributions.Normal(means, scales), 1),
    )
    assert torch.allclose(gmm_nll(logits, means, scales, z), -mix.log_prob(z), atol=1e-5)


@pytest.mark.parametrize(
    ("mu_c", "sd_c", "mu_u", "sd_u", "w"),
    [(0.3, 0.8, -0.2, 1.0, 2.0), (1.0, 0.5, 1.5, 0.9, 0.5), (0.0, 1.0, 0.0, 1.0, 5.0)],
)
def test_guided_gaussian_is_the_normalised_product_of_powers(
    mu_c: float, sd_c: float, mu_u: float, sd_u: float, w: float
) -> None:
    grid = np.linspace(-8, 8, 200_001)
    step = grid[1] - grid[0]

    def logpdf(x: np.ndarray, m: float, s: float) -> np.ndarray:
        return -0.5 * ((x - m) / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi)

    log_target = (1 + w) * logpdf(grid, mu_c, sd_c) - w * logpdf(grid, mu_u, sd_u)
    target = np.exp(log_target - log_target.max())
    target /= target.sum() * step
    g = guided_gaussian(np.array([mu_c]), np.array([sd_c]), np.array([mu_u]), np.array([sd_u]), w)
    assert not g.fallback[0]
    closed = np.exp(logpdf(grid, float(g.mean[0]), float(g.std[0])))
    assert float(np.abs(closed - target).max()) < 1e-6


def test_guided_gaussian_agrees_in_distribution_with_rejection_sampling() -> None:
    """The reference samples p_c^(1+w)·p_u^(−w) by rejection; the closed form draws the same."""
    rng = np.random.default_rng(0)
    mu_c, sd_c, mu_u, sd_u, w = 0.4, 0.7, -0.3, 1.1, 1.5
    # Proposal N(μ_c, σ_c²): the acceptance ratio (p_c/p_u)^w is bounded when σ_u > σ_c.
    x = rng.normal(mu_c, sd_c, 400_000)

    def logpdf(v: np.ndarray, m: float, s: float) -> np.ndarray:
        return -0.5 * ((v - m) / s) ** 2 - math.log(s)

    log_ratio = w * (logpdf(x, mu_c, sd_c) - logpdf(x, mu_u, sd_u))
    accepted = x[np.log(rng.random(len(x))) < log_ratio - log_ratio.max()]
    g = guided_gaussian(np.array([mu_c]), np.array([sd_c]), np.array([mu_u]), np.array([sd_u]), w)
    closed = g.mean[0] + g.std[0] * rng.standard_normal(len(accepted))
    assert len(accepted) > 20_000
    assert abs(accepted.mean() - closed.mean()) < 0.01
    assert abs(accepted.std() - closed.std()) < 0.01
    qs = [0.05, 0.25, 0.5, 0.75, 0.95]
    assert np.allclose(np.quantile(accepted, qs), np.quantile(closed, qs), atol=0.02)


def test_guided_gaussian_falls_back_to_the_conditional_when_not_normalisable() -> None:
    # λ = (1+w)/σ_c² − w/σ_u² ≤ 0 when the unconditional is much sharper.
    g = guided_gaussian(np.array([0.5]), np.array([2.0]), np.array([0.0]), np.array([0.5]), 1.0)
    assert g.fallback[0] and g.mean[0] == 0.5 and g.std[0] == 2.0


def test_rgb_noise_curriculum_runs_from_high_to_low() -> None:
    sigmas = [rgb_noise_sigma(p, 32.0, 3.0) for p in np.linspace(0, 1, 11)]
    assert sigmas[0] == 32.0 and sigmas[-1] == pytest.approx(3.0)
    assert all(a > b for a, b in itertools.pairwise(sigmas))


def _model() -> JetFormer:
    torch.manual_seed(0)
    return JetFormer(FLOW, DECODER)


def _batch(text_first: list[bool]) -> Batch:
    b = len(text_first)
    gen = torch.Generator().manual_seed(5)
    images = torch.randint(0, 256, (b, 32, 32, 3), dtype=torch.uint8, generator=gen)
    ids = torch.randint(TEXT_OFFSET, DECODER.vocab_size, (b, 17), generator=gen)
    ids[:, 5] = EOS
    ids[:, 6:] = PAD
    return Batch(images, ids, ids != PAD, torch.tensor(text_first))


def test_loss_at_start_is_the_standard_normal_bits_of_the_pixels() -> None:
    """Identity flow, identical unit components: bits = NLL of x under N(0, 1) per sub-pixel in
    bits, plus log2(127.5) for the [-1, 1] scaling of 256 levels."""
    model = _model()
    with torch.no_grad():
        model.gmm.proj.bias.zero_()
    batch = _batch([True, True])
    gen = torch.Generator().manual_seed(9)
    _, rows = model(batch, 0.0, 0.0, 0.0025, generator=gen)
    gen = torch.Generator().manual_seed(9)
    x = u8_to_unit(batch.images) + torch.rand(batch.images.shape, generator=gen) / 127.5
    expected = standard_normal_nll(x) / 3072 / math.log(2) + math.log2(127.5)
    assert torch.allclose(rows["bits"], expected, atol=1e-4)


def test_loss_weights_text_suffixes_and_scores_images_of_text_first_rows() -> None:
    model = _model()
    batch = _batch([True, False, True, False])
    loss, rows = model(batch, 0.0, 0.0, 0.0025, generator=torch.Generator().manual_seed(1))
    tf = batch.text_first
    expected = torch.where(tf, rows["bits"], 0.0025 * rows["text_nll"]).mean()
    assert float(loss) == pytest.approx(float(expected), rel=1e-6)


def test_captioning_rows_send_no_gradient_into_the_flow() -> None:
    for text_first, flows in (([False, False], False), ([True, False], True)):
        model = _model()
        randomise_couplings(model.flow)
        loss, _ = model(
            _batch(text_first), 0.0, 0.3, 1.0, generator=torch.Generator().manual_seed(2)
        )
        loss.backward()
        grads = [p.grad for p in model.flow.parameters() if p.grad is not None]
        total = sum(float(g.abs().sum()) for g in grads)
        assert (total > 0) == flows


def test_text_padding_changes_nothing_the_image_sees() -> None:
    model = _model().eval()
    words = WordTokenizer(vocab=["<unk>", *[f"w{i}" for i in range(35)]], max_tokens=16)
    vocab = Vocab(words)
    caption = [TEXT_OFFSET + 3, TEXT_OFFSET + 7, NOLABEL]
    ids, valid = text_slots(vocab, [caption])
    tight = torch.tensor([[*caption, EOS]])
    z_ar = torch.randn(1, 64, 8)
    tf = torch.tensor([True])
    with torch.no_grad():
        _, _, padded = model.sequence(torch.from_numpy(ids), torch.from_numpy(valid), z_ar, tf)
        _, _, unpadded = model.sequence(tight, torch.ones_like(tight, dtype=torch.bool), z_ar, tf)
    assert ids.shape[1] == 17
    assert torch.allclose(padded, unpadded, atol=1e-5)


def test_score_graph_bits_equal_the_training_bits() -> None:
    model = _model().eval()
    randomise_couplings(model.flow)
    batch = _batch([True])
    batch.text_ids[0, 1:5] = batch.text_ids[0, 0]
    prompt = torch.tensor([[1, *batch.text_ids[0, :5].tolist(), 3]])  # <bos> caption <eos> <boi>
    images = u8_to_unit(batch.images) + 0.5 / 127.5
    with torch.no_grad():
        z, logdet = model.encode(images)
        z_ar, z_fact = model.split(z)
        _, _, img_h = model.sequence(batch.text_ids, batch.text_valid, z_ar, batch.text_first)
        token_nll = gmm_nll(*model.gmm(img_h), z_ar).sum(1)
        bits = model.image_bits(token_nll, standard_normal_nll(z_fact), logdet)
        assert torch.allclose(model.score_bits(images, prompt), bits, atol=1e-5)
