from __future__ import annotations

import numpy as np

from tessera_models.common.prng import Prng
from tessera_models.common.sampling import SamplingSettings, draw_index, guided_logits, sample_token


def test_greedy_takes_the_first_maximum() -> None:
    logits = np.array([0.0, 3.0, 3.0, 1.0], np.float32)
    s = SamplingSettings(cfg_scale=1.0, temperature=0.0)
    assert sample_token(logits, None, s, Prng(1, 0)) == 1


def test_top_k_one_and_tiny_top_p_are_greedy() -> None:
    rng = np.random.default_rng(0)
    for seed in range(20):
        logits = rng.normal(size=50).astype(np.float32)
        best = int(np.argmax(logits))
        assert (
            sample_token(
                logits, None, SamplingSettings(cfg_scale=1.0, top_k=1, top_p=1.0), Prng(seed, 0)
            )
            == best
        )
        assert (
            sample_token(logits, None, SamplingSettings(cfg_scale=1.0, top_p=1e-6), Prng(seed, 0))
            == best
        )


def test_cfg_combines_rows() -> None:
    c = np.array([1.0, 2.0])
    u = np.array([0.5, 3.0])
    np.testing.assert_allclose(guided_logits(c, u, 3.0), u + 3.0 * (c - u))
    np.testing.assert_allclose(guided_logits(c, u, 1.0), c)


def test_draw_index_walks_ids_in_order() -> None:
    probs = np.array([0.2, 0.0, 0.5, 0.3])
    keep = np.array([True, True, True, True])
    assert draw_index(probs, keep, 0.0) == 0
    assert draw_index(probs, keep, 0.1999) == 0
    assert draw_index(probs, keep, 0.2001) == 2
    assert draw_index(probs, keep, 0.9999) == 3


def test_sampled_frequencies_follow_softmax() -> None:
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    s = SamplingSettings(cfg_scale=1.0, top_p=1.0)
    prng = Prng(5, 0)
    counts = np.bincount([sample_token(logits, None, s, prng) for _ in range(8000)], minlength=4)
    np.testing.assert_allclose(counts / counts.sum(), [0.1, 0.2, 0.3, 0.4], atol=0.02)


def test_top_p_keeps_the_smallest_nucleus() -> None:
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    s = SamplingSettings(cfg_scale=1.0, top_p=0.75)
    prng = Prng(9, 0)
    seen = {sample_token(logits, None, s, prng) for _ in range(2000)}
    assert seen == {0, 1}


def test_cdk_prefers_tokens_the_condition_explains() -> None:
    # Token 1 is likely under both rows; token 2 only under the condition: CD-K picks 2.
    cond = np.log(np.array([0.05, 0.5, 0.45]))
    uncond = np.log(np.array([0.05, 0.9, 0.05]))
    s = SamplingSettings(cdk=True, cdk_tau=0.0, cdk_k=2, cdk_alpha=0.5)
    assert sample_token(cond, uncond, s, Prng(1, 0)) == 2
    # Token 0 falls outside the plausibility set V and is never drawn.
    s = SamplingSettings(cdk=True, cdk_tau=1.0, cdk_k=2, cdk_alpha=0.5)
    prng = Prng(3, 0)
    assert 0 not in {sample_token(cond, uncond, s, prng) for _ in range(500)}


def test_every_step_consumes_one_draw() -> None:
    prng = Prng(1, 0)
    sample_token(np.zeros(4), None, SamplingSettings(temperature=0.0, cfg_scale=1.0), prng)
    assert prng.counter == 1
