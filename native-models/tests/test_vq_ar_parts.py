"""Unit tests of the `vq-ar` parts: FSQ, the transformer's cache and masks, the CM3 layouts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from tessera_models.common.kv_decoder import causal_mask_np
from tessera_models.common.rotary import apply_rope, rope_tables
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar.image_tokenizer import FSQ, ImageTokenizer, ImageTokenizerConfig
from tessera_models.vq_ar.sequences import (
    Example,
    MixWeights,
    caption_infill,
    collate,
    image_infill,
    sample_sequence,
    text_to_image,
)
from tessera_models.vq_ar.train_transformer import augmented
from tessera_models.vq_ar.transformer import Transformer, TransformerConfig, causal_mask
from tessera_models.vq_ar.vocab import BOS, BREAK, EOS, INFILL, MASK, PAD, Vocab


def _vocab() -> Vocab:
    return Vocab(WordTokenizer.build(["red apple", "grinning face"], ["noto"]), codebook_size=64)


def test_fsq_codes_and_lattice_agree() -> None:
    fsq = FSQ([8, 5, 5, 5])
    z = torch.randn(3, 4, 8, 8) * 3
    latent, codes = fsq(z)
    assert codes.min() >= 0 and codes.max() < 1000
    torch.testing.assert_close(fsq.lookup(codes), latent)
    # Every code is reachable and decodes to a distinct lattice point.
    assert torch.unique(fsq.lattice, dim=0).shape[0] == 1000


def test_tokenizer_shapes() -> None:
    cfg = ImageTokenizerConfig(levels=[4, 4, 4], channels=[8, 16, 32])
    tok = ImageTokenizer(cfg)
    rec, codes = tok(torch.rand(2, 3, 32, 32) * 2 - 1)
    assert rec.shape == (2, 3, 32, 32)
    assert codes.shape == (2, cfg.grid, cfg.grid) and cfg.grid == 8
    assert tok.decode_codes(codes).abs().max() <= 1.0


def _tiny_model(rotary: bool = False) -> Transformer:
    torch.manual_seed(0)
    config = TransformerConfig(layers=2, width=32, heads=4, context=96, vocab_size=50)
    m = Transformer(replace(config, rotary=rotary))
    for p in m.parameters():
        torch.nn.init.normal_(p, std=0.1)
    return m.eval()


@torch.no_grad()
@pytest.mark.parametrize("rotary", [False, True])
def test_cached_steps_equal_the_full_forward(rotary: bool) -> None:
    m = _tiny_model(rotary)
    ids = torch.randint(0, 50, (2, 12))
    pos = torch.arange(12).expand(2, 12)
    full, _ = m(ids, pos, causal_mask(torch.ones(2, 12, dtype=torch.bool)))
    logits, cache = m(ids[:, :7], pos[:, :7], causal_mask(torch.ones(2, 7, dtype=torch.bool)))
    steps = [logits[:, -1]]
    for k in range(7, 11):
        valid = torch.ones(2, 1, dtype=torch.bool)
        mask = causal_mask(valid, past_len=k, past_valid=torch.ones(2, k, dtype=torch.bool))
        logits, cache = m(ids[:, k : k + 1], pos[:, k : k + 1], mask, cache)
        steps.append(logits[:, -1])
    torch.testing.assert_close(torch.stack(steps, 1), full[:, 6:11], atol=1e-5, rtol=1e-5)


def test_rotary_scores_depend_only_on_the_offset() -> None:
    q, k = torch.randn(1, 2, 1, 8), torch.randn(1, 2, 1, 8)

    def score(qp: int, kp: int) -> torch.Tensor:
        rq = rope_tables(torch.tensor([[qp]]), 8, 10000.0)
        rk = rope_tables(torch.tensor([[kp]]), 8, 10000.0)
        return (apply_rope(q, *rq) * apply_rope(k, *rk)).sum(-1)

    torch.testing.assert_close(score(100, 18), score(82, 0), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(score(150, 68), score(82, 0), atol=1e-4, rtol=1e-4)
    assert not torch.allclose(score(100, 18), score(100, 19), atol=1e-3)
    # Position 0 is no rotation at all, so scores at offset 0 are the plain dot product.
    torch.testing.assert_close(score(0, 0), (q * k).sum(-1))


def test_rotary_has_no_weights_of_its_own() -> None:
    assert _tiny_model(False).state_dict().keys() == _tiny_model(True).state_dict().keys()


@torch.no_grad()
def test_right_padding_does_not_change_valid_logits() -> None:
    m = _tiny_model()
    ids = torch.randint(1, 50, (1, 9))
    alone, _ = m(ids, torch.arange(9)[None], causal_mask(torch.ones(1, 9, dtype=torch.bool)))
    padded = torch.cat([ids, torch.zeros(1, 4, dtype=torch.long)], 1)
    valid = torch.arange(13)[None] < 9
    out, _ = m(padded, torch.arange(13)[None], causal_mask(valid))
    torch.testing.assert_close(out[:, :9], alone, atol=1e-5, rtol=1e-5)
    assert torch.isfinite(out).all()


def test_numpy_mask_mirrors_torch_mask() -> None:
    valid = np.array([[True, True, False], [True, True, True]])
    past = np.array([[True, False], [True, True]])
    expected = causal_mask(torch.from_numpy(valid), 2, torch.from_numpy(past)).numpy()
    np.testing.assert_array_equal(causal_mask_np(valid, past), expected)


def test_layouts() -> None:
    v = _vocab()
    codes = np.arange(64).reshape(8, 8) % 64
    cap = v.caption_ids("red apple", "noto")
    t2i = text_to_image(v, cap, codes)
    assert t2i[0] == BOS and t2i[len(cap) + 1] == BREAK and t2i[-2:] == [BREAK, EOS]
    assert t2i[len(cap) + 2 : len(cap) + 66] == (codes.reshape(-1) + v.image_offset).tolist()
    ci = caption_infill(v, cap, codes)
    assert ci[1] == v.sentinel(0) and ci[-len(cap) - 3 :] == [INFILL, v.sentinel(0), *cap, EOS]


def test_image_infill_segments_restore_the_grid() -> None:
    v = _vocab()
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 64, (8, 8))
    seq = image_infill(v, [], codes, top=2, left=3, h=3, w=4)
    body = seq[2 : seq.index(INFILL) - 1]
    tail = seq[seq.index(INFILL) + 1 : -1]
    # Rebuild the grid: each sentinel in the body is replaced by the segment after it in the tail.
    segments: dict[int, list[int]] = {}
    for tok in tail:
        if v.sentinel(0) <= tok < v.sentinel(0) + 8:
            current = tok
            segments[current] = []
        else:
            segments[current].append(tok)
    rebuilt = [t for tok in body for t in (segments.get(tok, [tok]))]
    assert rebuilt == (codes.reshape(-1) + v.image_offset).tolist()
    assert len(segments) == 3 and all(len(s) == 4 for s in segments.values())


def test_training_mix_fits_the_context_and_drops_captions() -> None:
    v = _vocab()
    rng = np.random.default_rng(1)
    ex = Example(
        "red apple grinning face red apple grinning face", "noto", rng.integers(0, 64, (8, 8))
    )
    mix = MixWeights(0.5, 0.2, 0.3, caption_dropout=0.5, style_token=0.8)
    seqs = [sample_sequence(v, ex, mix, rng) for _ in range(400)]
    ids, valid = collate(seqs, context=96)
    assert ids.shape[1] <= 96
    dropped = [s for s in seqs if s[1] == MASK]
    assert dropped and all(set(s[1 : s.index(BREAK)]) == {MASK} for s in dropped)
    assert any(s[1] == v.sentinel(0) for s in seqs)
    assert valid.sum() == sum(len(s) for s in seqs)


def test_length_buckets_give_the_one_batch_gradient() -> None:
    from tessera_models.common.training import Runtime
    from tessera_models.vq_ar.train_transformer import length_buckets, sequence_loss

    # fp32, no autocast: the comparison is exact up to summation order.
    runtime = Runtime(device=torch.device("cpu"), rank=0, world_size=1, autocast_dtype=None)
    rng = np.random.default_rng(0)
    seqs = [rng.integers(1, 50, int(n)).tolist() for n in rng.integers(5, 40, 9)]
    seqs[2][3:9] = [PAD] * 6  # a caption slot's padding inside a row is not a target
    grads = []
    for buckets in (1, 3):
        m = _tiny_model().train()
        parts = length_buckets(seqs, 96, buckets, runtime)
        assert len(parts) == buckets and sum(w for _, w in parts) == pytest.approx(1.0)
        # As the shared loop does: each part's mean loss, weighted by its share of targets.
        loss = torch.zeros(())
        tokens = 0
        for (ids, valid, pos), weight in parts:
            part_loss, _ = sequence_loss(m, ids, valid, runtime, pos)
            (part_loss * weight).backward()
            loss = loss + part_loss.detach() * weight
            tokens += int(valid.sum())
        grads.append((loss, tokens, [p.grad.clone() for p in m.parameters()]))
    (l1, t1, g1), (l3, t3, g3) = grads
    assert t1 == t3 == sum(len(s) for s in seqs)
    # The loss is the mean over the targets that are not padding.
    m = _tiny_model().train()
    ids, valid = collate(seqs, 96)
    ids_t = torch.from_numpy(ids)
    logits, _ = m(
        ids_t, torch.arange(ids.shape[1]).expand_as(ids_t), causal_mask(torch.from_numpy(valid))
    )
    picked = [
        -torch.log_softmax(logits[r, k].float(), -1)[s[k + 1]]
        for r, s in enumerate(seqs)
        for k in range(len(s) - 1)
        if s[k + 1] != PAD
    ]
    torch.testing.assert_close(l1, torch.stack(picked).mean().detach(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(l1, l3)
    for a, b in zip(g1, g3, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    # One bucket is exactly the plain batch loss.
    m = _tiny_model().train()
    ids, valid = collate(seqs, 96)
    plain, _ = sequence_loss(m, torch.from_numpy(ids), torch.from_numpy(valid), runtime)
    torch.testing.assert_close(l1, plain.detach())


@torch.no_grad()
def test_dropout_acts_only_while_training() -> None:
    m = _tiny_model(False)
    dropped = Transformer(replace(m.config, dropout=0.5))
    dropped.load_state_dict(m.state_dict())  # dropout adds no weights
    ids = torch.randint(0, 50, (2, 12))
    pos = torch.arange(12).expand(2, 12)
    mask = causal_mask(torch.ones(2, 12, dtype=torch.bool))
    plain, _ = m(ids, pos, mask)
    evaluated, _ = dropped.eval()(ids, pos, mask)
    torch.testing.assert_close(evaluated, plain)  # what export and the app see
    dropped.train()
    a, _ = dropped(ids, pos, mask)
    b, _ = dropped(ids, pos, mask)
    assert not torch.allclose(a, b) and not torch.allclose(a, plain)


def test_augmented_targets_keep_the_caption_and_draw_from_the_views() -> None:
    views = np.stack([np.full((8, 8), k, np.int64) for k in (1, 2, 3)])
    example = Example("red heart", "noto", np.zeros((8, 8), np.int64))
    rng = np.random.default_rng(0)
    assert augmented(example, views, 0.0, rng) is example
    drawn = [augmented(example, views, 1.0, rng) for _ in range(60)]
    assert {(e.caption, e.style) for e in drawn} == {("red heart", "noto")}
    assert {int(e.codes[0, 0]) for e in drawn} == {1, 2, 3}
    share = np.mean([augmented(example, views, 0.5, rng) is not example for _ in range(2000)])
    assert 0.45 < share < 0.55
