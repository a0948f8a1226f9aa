"""The `jpeg-lm` building blocks on real emoji-v1 images: JPEG recipe, byte BPE, vocabulary,
sequences and the Llama decoder's cache."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from tessera_models.common.kv_decoder import slot_mask
from tessera_models.data.emoji import EmojiDataset
from tessera_models.eval.metrics import psnr
from tessera_models.jpeg_lm import jpeg_bytes
from tessera_models.jpeg_lm.bpe import BASE, EOI_ID, RST0, STUFFED, JpegBpe, base_symbols, train_bpe
from tessera_models.jpeg_lm.entropy_grammar import START, EntropyGrammar
from tessera_models.jpeg_lm.llama import Llama, LlamaConfig, causal_mask, hf_additive_mask
from tessera_models.jpeg_lm.sequences import image_to_text, text_to_image
from tessera_models.jpeg_lm.vocab import BOS, END_IMG, EOS, IMG, Vocab
from tessera_models.text.word_tokenizer import WordTokenizer


@pytest.fixture(scope="module")
def bodies(emoji32: EmojiDataset) -> list[bytes]:
    return [jpeg_bytes.encode(img)[1] for img in emoji32.images[:300]]


def test_recipe_header_is_fixed_and_bodies_split_per_mcu(emoji32: EmojiDataset) -> None:
    header, body = jpeg_bytes.encode(emoji32.images[3])
    assert header == jpeg_bytes.header_for(32)
    assert jpeg_bytes.header_size(header) == (32, 32)
    segments = jpeg_bytes.split_mcus(body)
    assert len(segments) == 4  # 32×32 at 4:2:0 is 2×2 MCUs of 16×16
    assert jpeg_bytes.join_mcus(segments) == body
    assert body.endswith(jpeg_bytes.EOI)


def test_assembled_file_is_an_ordinary_jpeg_close_to_the_image(emoji32: EmojiDataset) -> None:
    tables = jpeg_bytes.tables_blob()
    for i in range(0, 200, 20):
        header, body = jpeg_bytes.encode(emoji32.images[i])
        decoded = jpeg_bytes.decode(header, tables, body)
        assert psnr(decoded[None], emoji32.images[i][None]) > 18.0


def test_a_truncated_body_still_decodes_with_grey_after_the_cut(emoji32: EmojiDataset) -> None:
    header, body = jpeg_bytes.encode(emoji32.images[7])
    cut = jpeg_bytes.join_mcus(jpeg_bytes.split_mcus(body)[:2])[:-2]  # first MCU row only
    image = jpeg_bytes.decode(header, jpeg_bytes.tables_blob(), cut)
    assert image.shape == (32, 32, 3)
    assert np.abs(image[24:, :].astype(int) - 128).max() <= 2


def test_base_symbols_keep_markers_and_stuffing_atomic() -> None:
    body = bytes([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9])
    assert base_symbols(body) == [0x12, STUFFED, 0x34, RST0, 0x56, EOI_ID]
    with pytest.raises(ValueError, match="lone FF"):
        base_symbols(bytes([0x12, 0xFF]))
    with pytest.raises(ValueError, match="unexpected marker"):
        base_symbols(bytes([0xFF, 0xC4]))


def test_bpe_round_trips_compresses_and_never_merges_a_marker(bodies: list[bytes]) -> None:
    bpe = train_bpe(bodies[:200], 40)
    assert train_bpe(bodies[:200], 40).merges == bpe.merges, "training is deterministic"
    assert bpe.size == BASE + 40
    total_bytes = total_tokens = 0
    for body in bodies:
        ids = bpe.encode(body)
        assert bpe.decode(ids) == body
        total_bytes += len(body)
        total_tokens += len(ids)
        # Each MCU tokenizes on its own: the body's ids are the per-segment ids joined by markers.
        joined: list[int] = []
        segments = jpeg_bytes.split_mcus(body)
        for m, seg in enumerate(segments):
            joined += bpe.encode_segment(base_symbols(seg))
            joined.append(EOI_ID if m == len(segments) - 1 else RST0 + m % 8)
        assert ids == joined
    assert total_tokens < total_bytes
    for token in bpe.token_bytes[BASE:]:
        assert not any(token[k] == 0xFF and token[k + 1] != 0 for k in range(len(token) - 1))


def test_bpe_file_round_trip(tmp_path, bodies: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    bpe = train_bpe(bodies[:50], 10)
    bpe.save(tmp_path / "jpeg-bpe.json")
    assert JpegBpe.load(tmp_path / "jpeg-bpe.json").merges == bpe.merges
    (tmp_path / "bad.json").write_text('{"kind": "other"}')
    with pytest.raises(ValueError, match="not a jpeg-bpe"):
        JpegBpe.load(tmp_path / "bad.json")


def test_vocabulary_and_layouts(bodies: list[bytes]) -> None:
    words = WordTokenizer.build(["red apple", "grinning face"], ["noto"])
    vocab = Vocab(words=words, bpe=train_bpe(bodies[:20], 8))
    body = vocab.jpeg_ids(bodies[0])
    assert min(body) >= vocab.jpeg_offset and max(body) < vocab.size
    assert vocab.jpeg_bytes(body) == bodies[0]
    assert body[-1] == vocab.eoi
    caption = vocab.caption_ids("red apple", "noto")
    assert vocab.decode_caption(caption) == "red apple"
    assert text_to_image(caption, body) == [BOS, *caption, IMG, *body, EOS]
    assert image_to_text(caption, body) == [BOS, IMG, *body, END_IMG, *caption, EOS]


@dataclass
class TinyRun:
    """A tiny Llama, 2 rows of 12 tokens, its full-pass logits and the cache of the first 8."""

    model: Llama
    ids: torch.Tensor
    positions: torch.Tensor
    full: torch.Tensor
    first: torch.Tensor
    cache: list[tuple[torch.Tensor, torch.Tensor]]


@pytest.fixture
def tiny() -> TinyRun:
    torch.manual_seed(0)
    model = Llama(LlamaConfig(layers=2, width=32, heads=2, hidden=64, context=64, vocab_size=50))
    model.eval()
    ids = torch.randint(0, 50, (2, 12))
    positions = torch.arange(12).expand(2, 12)
    with torch.no_grad():
        full, _ = model(ids, positions, causal_mask(torch.ones(2, 12, dtype=torch.bool)))
        first, cache = model(
            ids[:, :8], positions[:, :8], causal_mask(torch.ones(2, 8, dtype=torch.bool))
        )
    return TinyRun(model, ids, positions, full, first, cache)


def test_llama_cache_and_both_mask_layouts_agree(tiny: TinyRun) -> None:
    model, ids, positions = tiny.model, tiny.ids, tiny.positions
    with torch.no_grad():
        rest, _ = model(
            ids[:, 8:],
            positions[:, 8:],
            hf_additive_mask(torch.ones(2, 12, dtype=torch.long), 4),
            tiny.cache,
        )
    assert torch.allclose(torch.cat([tiny.first, rest], 1), tiny.full, atol=1e-5)
    # A padded key is never attended: changing its token leaves the other rows' logits alone.
    valid = torch.ones(2, 12, dtype=torch.bool)
    valid[0, 5] = False
    other = ids.clone()
    other[0, 5] = (ids[0, 5] + 1) % 50
    with torch.no_grad():
        a, _ = model(ids, positions, causal_mask(valid))
        b, _ = model(other, positions, causal_mask(valid))
    keep = [i for i in range(12) if i != 5]
    assert torch.allclose(a[0, keep], b[0, keep], atol=1e-5)


def test_a_slot_cache_reads_only_its_valid_slots(tiny: TinyRun) -> None:
    """The exported layout: the cache is a buffer with free slots full of garbage that the
    mask blocks, and only the new tokens' keys and values come back."""
    garbage = torch.full((2, 2, 5, 16), 1e3)
    slots = [(torch.cat([k, garbage], 2), torch.cat([v, garbage], 2)) for k, v in tiny.cache]
    mask = torch.from_numpy(slot_mask(2, 4, 8, 13))
    with torch.no_grad():
        rest, new = tiny.model(tiny.ids[:, 8:], tiny.positions[:, 8:], mask, slots, slots=True)
    assert torch.allclose(rest, tiny.full[:, 8:], atol=1e-5)
    assert all(k.shape == (2, 2, 4, 16) and v.shape == (2, 2, 4, 16) for k, v in new)


def _grammar_for(bpe: JpegBpe, size: int) -> EntropyGrammar:
    tokens = [None if RST0 <= t <= EOI_ID else bpe.token_bytes[t] for t in range(bpe.size)]
    return EntropyGrammar(jpeg_bytes.tables_blob(), jpeg_bytes.header_for(size), tokens)


def _walk(grammar: EntropyGrammar, ids: list[int]) -> object:
    state: object = START
    for t in ids:
        state = grammar.after(state, t)  # type: ignore[arg-type]
        if state is None:
            return None
    return state


def test_the_entropy_grammar_accepts_every_real_mcu_and_nothing_broken(
    bodies: list[bytes],
) -> None:
    bpe = train_bpe(bodies[:100], 30)
    grammar = _grammar_for(bpe, 32)
    for body in bodies[:120]:
        for seg in jpeg_bytes.split_mcus(body):
            ids = bpe.encode_segment(base_symbols(seg))
            state = _walk(grammar, ids)
            assert state is not None and grammar.complete(state)  # type: ignore[arg-type]
            # Cut short, the MCU is still open: its marker may not come yet.
            if len(seg) > 2:
                cut = _walk(grammar, bpe.encode_segment(base_symbols(seg[:-2])))
                assert cut is None or not grammar.complete(cut)  # type: ignore[arg-type]
            # Data after a complete MCU is refused.
            assert _walk(grammar, [*ids, 0x00]) is None
    allowed = grammar.allowed_data(START)
    assert len(allowed) > 0 and list(allowed) == sorted(allowed)
    assert all(not RST0 <= t <= EOI_ID for t in allowed)
    # A 16-bit run of ones is no code in the standard DC tables.
    assert grammar.feed(START, b"\xff\xff") is None


def test_a_partial_code_with_only_illegal_completions_is_a_dead_end(bodies: list[bytes]) -> None:
    grammar = _grammar_for(train_bpe(bodies[:20], 4), 32)
    _, ac = grammar.live_prefixes[0]
    # A prefix whose every code is a run (no EOB or ZRL under it) cannot end the block at k = 63.
    prefix = next(key for key, last in ac.items() if 0 < last < 63)
    length, code = prefix >> 16, prefix & 0xFFFF
    assert grammar.live((0, 1, code, length, 0))
    assert not grammar.live((0, 63, code, length, 0))
    # Code boundaries always are live: a DC code of size 0, or EOB.
    assert grammar.live((3, 0, 0, 0, 0)) and grammar.live((2, 63, 0, 0, 0))
