from __future__ import annotations

from pathlib import Path

import pytest

from tessera_models.text.word_tokenizer import UNK, WordTokenizer, style_token, words


def test_split_rules() -> None:
    assert words("Woman Golfing: dark,skin  tone") == [
        "woman",
        "golfing",
        ":",
        "dark",
        ",",
        "skin",
        "tone",
    ]


def test_encode_with_style_unknown_and_limit(tmp_path: Path) -> None:
    tok = WordTokenizer.build(["red apple", "green apple"], styles=["noto", "twemoji"])
    ids = tok.encode("red banana", style="noto")
    assert ids[0] == tok.id(style_token("noto"))
    assert ids[1] == tok.id("red")
    assert ids[2] == tok.id(UNK)
    assert tok.unknown_words("red banana") == ["banana"]
    assert len(tok.encode(" ".join(["apple"] * 40))) == tok.max_tokens
    assert tok.decode(ids) == "red <unk>"
    tok.save(tmp_path / "words.json")
    again = WordTokenizer.load(tmp_path / "words.json")
    assert again.vocab == tok.vocab
    assert again.encode("green apple", "twemoji") == tok.encode("green apple", "twemoji")


def test_rejects_a_non_word_file(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"kind": "bpe", "vocab": []}')
    with pytest.raises(ValueError, match="not a word tokenizer"):
        WordTokenizer.load(tmp_path / "x.json")
