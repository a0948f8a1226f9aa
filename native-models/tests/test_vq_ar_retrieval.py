"""The fixed retriever and the retrieval layouts of `vq-ar` (docs/models.md §vq-ar retrieval)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tessera_models.data.emoji import EmojiDataset
from tessera_models.text.word_tokenizer import WordTokenizer
from tessera_models.vq_ar.retrieval import Retriever, duplicate_groups, thumbnails
from tessera_models.vq_ar.retrieved_docs import DocPicker
from tessera_models.vq_ar.sequences import (
    Example,
    MixWeights,
    caption_infill,
    collate_positions,
    document,
    position_ids,
    sample_sequence,
    text_to_image,
)
from tessera_models.vq_ar.vocab import BOS, BREAK, EOS, MASK, PAD, Vocab

CAPTIONS = ["red apple", "green apple", "red heart", "grinning face", "red apple"]


def _images(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)


def _retriever(images: np.ndarray | None = None) -> Retriever:
    words = WordTokenizer.build(CAPTIONS, ["noto"])
    return Retriever.build(words, CAPTIONS, _images(5) if images is None else images)


def test_thumbnails_are_centred_so_white_is_nothing() -> None:
    white = np.full((1, 32, 32, 3), 255, np.uint8)
    assert not thumbnails(white).any()
    dots = _images(2)
    t = thumbnails(dots)
    assert t.shape == (2, 192)
    np.testing.assert_allclose(np.linalg.norm(t, axis=1), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="multiple of 8"):
        thumbnails(np.zeros((1, 12, 12, 3), np.uint8))


def test_caption_search_ranks_by_tf_idf_and_breaks_ties_by_index() -> None:
    r = _retriever()
    best, score = r.search(r.text_query("red apple")[None], None, k=5)
    # Both exact captions first (equal scores: lower index first), then the documents that
    # share the rarer word "apple" (in 3 of 5 captions) before the one sharing "red" ... both
    # share one word; "green apple" shares "apple", "red heart" shares "red".
    assert best[0, :2].tolist() == [0, 4]
    assert score[0, 0] == pytest.approx(1.0) and score[0, 1] == pytest.approx(1.0)
    assert best[0, -1] == 3 and score[0, -1] == 0.0  # nothing in common with "grinning face"
    # Unknown words and style tokens carry nothing.
    assert not r.text_query("purple zeppelin").any()
    np.testing.assert_array_equal(r.text_query("<set:noto> red apple"), r.text_query("red apple"))


def test_query_dropout_and_exclusion() -> None:
    r = _retriever()
    only_apple = r.text_query("red apple", keep=np.array([False, True]))
    np.testing.assert_allclose(only_apple, r.text_query("apple"))
    best, _ = r.search(r.text_query("red apple")[None], None, k=2, exclude=[np.array([0, 4])])
    assert 0 not in best[0] and 4 not in best[0]


def test_relevance_is_the_mean_of_the_halves_given() -> None:
    images = _images(5)
    r = _retriever(images)
    text = r.text_query("red heart")[None]
    thumbs = thumbnails(images[3:4])
    both = r.relevance(text, thumbs)
    np.testing.assert_allclose(
        both, (r.relevance(text, None) + r.relevance(None, thumbs)) / 2, rtol=1e-6
    )
    assert r.relevance(None, thumbs)[0, 3] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="caption, a thumbnail or both"):
        r.relevance(None, None)


def test_duplicate_groups_find_identical_pixels() -> None:
    images = _images(3)
    images = np.concatenate([images, images[1:2]])
    groups = duplicate_groups(images)
    assert groups[1].tolist() == [1, 3] and groups[3].tolist() == [1, 3]
    assert groups[0].tolist() == [0]


def test_a_document_precedes_every_layout_and_survives_caption_dropout() -> None:
    vocab = Vocab(WordTokenizer.build(CAPTIONS, ["noto"]), codebook_size=64)
    codes = np.arange(64).reshape(8, 8) % 64
    doc = document(vocab, vocab.caption_ids("red heart", "noto"), codes)
    image = (codes.reshape(-1) + vocab.image_offset).tolist()
    assert doc == [*vocab.caption_ids("red heart", "noto"), BREAK, *image, BREAK]
    cap = vocab.caption_ids("red apple", None)
    assert text_to_image(vocab, cap, codes, doc) == [BOS, *doc, *cap, BREAK, *image, BREAK, EOS]
    # The unconditional row (caption dropped) keeps the document: guidance amplifies only the
    # caption, as at inference.
    always_drop = MixWeights(1.0, 0.0, 0.0, caption_dropout=1.0, style_token=0.0)
    seq = sample_sequence(
        vocab,
        Example("red apple", "noto", codes),
        always_drop,
        np.random.default_rng(0),
        "text_to_image",
        doc,
    )
    assert seq[1 : 1 + len(doc)] == doc
    assert seq[1 + len(doc) : 1 + len(doc) + len(cap)] == [MASK] * len(cap)


def test_a_caption_slot_fixes_where_every_segment_starts() -> None:
    words = WordTokenizer.build([*CAPTIONS, "grinning face with big eyes"], ["noto"])
    vocab = Vocab(words, codebook_size=64, caption_slot=16)
    codes = np.arange(64).reshape(8, 8) % 64
    first_code = vocab.image_offset + int(codes[0, 0])
    starts = set()
    for doc_caption, caption in [("red heart", "sun"), ("apple", "grinning face with big eyes")]:
        doc = document(vocab, vocab.caption_ids(doc_caption, "noto"), codes)
        seq = text_to_image(vocab, vocab.caption_ids(caption, None), codes, doc)
        assert len(doc) == 16 + 1 + 64 + 1 and len(seq) == 1 + len(doc) + 16 + 1 + 64 + 2
        # The padding comes first, so the caption still ends right before its <break>.
        assert seq[1 : 1 + 16 - len(vocab.caption_ids(doc_caption, "noto"))] == [PAD] * (
            16 - len(vocab.caption_ids(doc_caption, "noto"))
        )
        doc_cell = seq.index(first_code)
        target_cell = seq.index(first_code, doc_cell + 64)
        starts.add((doc_cell, target_cell))
    # Whatever the captions' lengths, a document's cell is the same distance before the target's.
    assert starts == {(18, 18 + 82)}
    # The caption a model writes (caption infill) keeps its own length: no padding to produce.
    infill = caption_infill(vocab, vocab.caption_ids("sun", None), codes)
    assert PAD not in infill
    with pytest.raises(ValueError, match="cannot hold"):
        Vocab(words, codebook_size=64, caption_slot=8)


def test_aligned_documents_share_a_position_with_the_cell_before() -> None:
    words = WordTokenizer.build(CAPTIONS, ["noto"])
    vocab = Vocab(words, codebook_size=64, caption_slot=16)
    codes = np.arange(64).reshape(8, 8)
    doc = document(vocab, vocab.caption_ids("red heart", "noto"), (codes + 1) % 64)
    plain = text_to_image(vocab, vocab.caption_ids("red apple", None), codes)
    seq = text_to_image(vocab, vocab.caption_ids("red apple", None), codes, doc)
    pos = position_ids(len(seq), len(doc), aligned=True)
    # The row after the document keeps the positions it has without one.
    assert pos[1 + len(doc) :] == position_ids(len(plain), 0, aligned=True)[1:]
    assert pos[0] == 0 and pos[1 : 1 + len(doc)] == list(range(len(doc)))
    # The token that predicts cell k+1 (cell k, at index 18 + 82 + k) shares its position with
    # the document's cell k+1 (at index 18 + k + 1).
    for k in range(63):
        assert pos[18 + 82 + k] == pos[18 + k + 1]
        assert seq[18 + k + 1] == doc[17 + k + 1]
    # Unaligned, or without a document, positions are token indices.
    assert position_ids(len(seq), len(doc), aligned=False) == list(range(len(seq)))
    assert position_ids(len(plain), 0, aligned=True) == list(range(len(plain)))
    rows = collate_positions([seq, plain], [len(doc), 0], aligned=True)
    assert rows.shape == (2, len(seq)) and rows[0].tolist() == pos
    assert rows[1, len(plain) :].tolist() == [0] * (len(seq) - len(plain))


def test_aligned_documents_need_caption_slots() -> None:
    from tessera_models.vq_ar.configs.cpu_round7 import get_config
    from tessera_models.vq_ar.train_transformer import train

    with pytest.raises(ValueError, match="without caption slots"):
        train(replace(get_config(), caption_slot=0))


def test_aligned_documents_are_not_exported_where_the_app_would_misnumber_them(
    tmp_path: Path,
) -> None:
    from tessera_models.vq_ar.configs.cpu_round7 import get_config
    from tessera_models.vq_ar.export import export

    with pytest.raises(ValueError, match=r"memory is not exported.*--without-memory"):
        export(get_config(), tmp_path / "out", tmp_path / "w.pt")
    assert not (tmp_path / "out").exists()


def test_training_documents_on_real_data(emoji32: EmojiDataset) -> None:
    train = emoji32.indices("train")
    words = WordTokenizer.build([emoji32.records[i].caption for i in train], emoji32.sets())
    vocab = Vocab(words, codebook_size=1000)
    codes = np.zeros((len(emoji32.images), 8, 8), np.int64)
    examples = [Example(r.caption, r.set, c) for r, c in zip(emoji32.records, codes, strict=True)]
    picker = DocPicker.build(emoji32, train, examples, vocab, 1.0, 0.0, 1)
    # An item whose caption another training item shares retrieves that item for its caption,
    # never itself (nor a pixel-identical copy).
    captions = [emoji32.records[i].caption for i in train]
    shared = next(q for q, c in enumerate(captions) if captions.count(c) > 1)
    index = int(train[shared])
    best, score = picker.retriever.search(
        picker._text_query(index, None)[None], None, 3, [picker.exclude[index]]
    )
    assert shared not in best[0]
    assert captions[best[0, 0]] == captions[shared] and score[0, 0] == pytest.approx(1.0)
    for row in best[0]:
        assert not np.array_equal(emoji32.images[train[row]], emoji32.images[index])
    # Every task gets a document when p = 1; the caption-infill one is found by the image alone.
    rng = np.random.default_rng(0)
    picks = train[:6]
    tasks = ["text_to_image", "caption_infill", "image_infill"] * 2
    docs = picker.pick(picks, tasks, rng)
    assert all(d and d[-1] == BREAK for d in docs)
