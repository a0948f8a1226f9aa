"""The `transfusion` text vocabulary: specials, then the shared caption words and style tokens.

[0, 6)       specials: <pad> <bos> <eos> <boi> <eoi> <null>
[6, 6 + T)   caption words and style tokens (WordTokenizer ids + TEXT_OFFSET)

<null> is the null of classifier-free guidance: the unconditional row is the conditional row
with every caption token replaced by it (same length, same positions).
"""

from __future__ import annotations

from dataclasses import dataclass

from tessera_models.text.word_tokenizer import WordTokenizer

SPECIALS = ["<pad>", "<bos>", "<eos>", "<boi>", "<eoi>", "<null>"]
PAD, BOS, EOS, BOI, EOI, NULL = range(len(SPECIALS))
TEXT_OFFSET = len(SPECIALS)


@dataclass
class Vocab:
    words: WordTokenizer

    @property
    def size(self) -> int:
        return TEXT_OFFSET + len(self.words)

    @property
    def max_caption(self) -> int:
        return self.words.max_tokens

    def caption_ids(self, caption: str, style: str | None) -> list[int]:
        return [TEXT_OFFSET + i for i in self.words.encode(caption, style)]

    def decode_caption(self, ids: list[int]) -> str:
        return self.words.decode([i - TEXT_OFFSET for i in ids if i >= TEXT_OFFSET])

    def prefix(self, caption_ids: list[int]) -> list[int]:
        """The text-first prefix the image block follows: [<bos>, caption, <boi>]."""
        return [BOS, *caption_ids, BOI]

    def null_prefix(self, caption_ids: list[int]) -> list[int]:
        return self.prefix([NULL] * len(caption_ids))
