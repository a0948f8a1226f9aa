"""Self views: augmented views of a training image given to it as its retrieved document."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tessera_models.data.emoji import EmojiDataset
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar import self_views
from tessera_models.vq_ar.retrieved_docs import DocPicker
from tessera_models.vq_ar.sequences import Example, document
from tessera_models.vq_ar.vocab import Vocab


def _shape(n: int = 6) -> np.ndarray:
    """White images with a coloured square off centre: what moves and recolours is visible."""
    images = np.full((n, 32, 32, 3), 255, np.uint8)
    images[:, 6:18, 10:24] = (200, 40, 30)
    return images


def test_hue_rotation_keeps_greys_and_turns_colours() -> None:
    matrix = self_views._hue_matrix(torch.tensor([0.0, 2.0944]))  # 0° and 120°
    grey = torch.tensor([0.4, 0.4, 0.4])
    assert torch.allclose(matrix[0], torch.eye(3), atol=1e-6)
    assert torch.allclose(matrix[1] @ grey, grey, atol=1e-6)
    # A third of a turn about the grey axis moves red to green.
    assert torch.allclose(
        matrix[1] @ torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]), atol=1e-5
    )


def test_views_keep_white_and_shape_but_change_pixels() -> None:
    images = _shape(64)
    views = self_views.augment(images, np.random.default_rng(0))
    assert views.shape == images.shape and views.dtype == np.uint8
    # The corners stay white background whatever the view.
    assert (views[:, :2, :2] == 255).all() and (views[:, -2:, -2:] == 255).all()
    changed = (views != images).any(axis=(1, 2, 3))
    assert changed.mean() > 0.9
    # The square stays roughly where it was: most of its centre is still not white.
    assert (views[:, 10:14, 14:20].min(axis=-1) < 200).mean() > 0.9


def test_zero_strength_views_are_the_image(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCALE", "TURN_DEGREES", "SHIFT_PIXELS", "HUE_DEGREES", "SATURATION"):
        monkeypatch.setattr(self_views, name, 0.0)
    images = _shape(4)
    np.testing.assert_array_equal(self_views.augment(images, np.random.default_rng(1)), images)


def test_self_documents_are_own_views_under_another_style(emoji32: EmojiDataset) -> None:
    train = emoji32.indices("train")
    words = WordTokenizer.build([emoji32.records[i].caption for i in train], emoji32.sets())
    vocab = Vocab(words, codebook_size=1000, caption_slot=16)
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 1000, (len(emoji32.images), 8, 8))
    views = rng.integers(0, 1000, (len(emoji32.images), 2, 8, 8))
    examples = [Example(r.caption, r.set, c) for r, c in zip(emoji32.records, codes, strict=True)]
    picker = DocPicker.build(emoji32, train, examples, vocab, 1.0, 0.0, 1, views)
    picks = train[:60]
    tasks = ["text_to_image", "caption_infill", "image_infill"] * 20
    docs = picker.pick(picks, tasks, np.random.default_rng(1), p_self=1.0)
    for index, task, doc in zip(picks, tasks, docs, strict=True):
        own = examples[int(index)]
        styled = [
            document(vocab, vocab.caption_ids(own.caption, s), v)
            for s in emoji32.sets()
            for v in views[index]
            if s != own.style
        ]
        # Image tasks copy from a view of their own target; a caption-infill document would
        # give the answer away, so it is always retrieved.
        assert (doc in styled) == (task != "caption_infill")
    # With p_self = 0 nothing is a self view.
    plain = picker.pick(picks, tasks, np.random.default_rng(1), p_self=0.0)
    for index, doc in zip(picks, plain, strict=True):
        assert not any(
            np.array_equal(doc[-65:-1], v.reshape(-1) + vocab.image_offset) for v in views[index]
        )


def test_views_without_colour_keep_every_colour() -> None:
    # A red square on white: moving, scaling and turning only blend red with white, so every
    # pixel stays (255, x, x)-like: green equals blue. A hue turn would split them.
    images = np.full((32, 32, 32, 3), 255, np.uint8)
    images[:, 6:18, 10:24] = (255, 0, 0)
    rng = np.random.default_rng(0)
    kept = self_views.augment(images, rng, colour=False).astype(int)
    assert (np.abs(kept[..., 1] - kept[..., 2]) <= 1).all() and (kept[..., 0] >= 254).all()
    assert (kept != images).any()  # the views did move
    turned = self_views.augment(images, np.random.default_rng(0)).astype(int)
    assert (np.abs(turned[..., 1] - turned[..., 2]) > 8).any()
