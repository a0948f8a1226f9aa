"""The built emoji-v1 matches the committed data card, and loads consistently."""

from __future__ import annotations

import json

import numpy as np

from tessera_models.data.emoji import NATIVE_MODELS, EmojiDataset

COMMITTED = json.loads((NATIVE_MODELS / "dataset" / "datacard.json").read_text(encoding="utf-8"))


def test_build_matches_the_committed_data_card(emoji32: EmojiDataset) -> None:
    built = json.loads((emoji32.root / "datacard.json").read_text(encoding="utf-8"))
    # Sets, versions, captions and splits are exact; a change here changes every model.
    assert built["sets"] == COMMITTED["sets"]
    assert built["counts"] == COMMITTED["counts"]
    assert built["uniqueCaptions"] == COMMITTED["uniqueCaptions"]
    assert [(s["set"], s["name"]) for s in built["skipped"]] == [
        (s["set"], s["name"]) for s in COMMITTED["skipped"]
    ]


def test_splits_keep_their_promises(emoji32: EmojiDataset) -> None:
    by_split: dict[str, list] = {}
    for r in emoji32.records:
        by_split.setdefault(r.split, []).append(r)
    train_concepts = {r.concept for r in by_split["train"]}
    train_sets = {}
    for r in by_split["train"]:
        train_sets.setdefault(r.caption, set()).add(r.set)
    assert not any(r.concept in train_concepts for r in by_split["test-unseen"])
    for r in by_split["val"] + by_split["test"]:
        assert train_sets.get(r.caption, set()) - {r.set}, r


def test_pixels_are_rgb_on_white(emoji32: EmojiDataset) -> None:
    images = emoji32.images
    assert images.dtype == np.uint8 and images.shape[1:] == (32, 32, 3)
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners == 255).all(axis=-1).mean() > 0.9  # icons sit on a white background
