"""The `jetformer` text vocabulary: specials, then the shared caption words and style tokens.

[0, 5)       specials: <pad> <bos> <eos> <boi> <nolabel>
[5, 5 + T)   caption words and style tokens (WordTokenizer ids + TEXT_OFFSET)

<nolabel> is the null of classifier-free guidance: the unconditional row is the conditional
row with every caption token replaced by it (same length, same positions).
"""

from __future__ import annotations

from dataclasses import dataclass

from tessera_models.text.word_tokenizer import WordTokenizer

SPECIALS = ["<pad>", "<bos>", "<eos>", "<boi>", "<nolabel>"]
PAD, BOS, EOS, BOI, NOLABEL = range(len(SPECIALS))
TEXT_OFFSET = len(SPECIALS)


@dataclass
class Vocab:
    words: WordTokenizer

    @property
    def size(self) -> int:
        return TEXT_OFFSET + len(self.words)

    @property
    def text_len(self) -> int:
        """Caption tokens plus the closing <eos>: the text segment's fixed (padded) length."""
        return self.words.max_tokens + 1

    def caption_ids(self, caption: str, style: str | None) -> list[int]:
        return [TEXT_OFFSET + i for i in self.words.encode(caption, style)]

    def decode_caption(self, ids: list[int]) -> str:
        return self.words.decode([i - TEXT_OFFSET for i in ids if i >= TEXT_OFFSET])

    def prompt(self, caption_ids: list[int]) -> list[int]:
        """The text-first prefix the image follows: [<bos>, caption, <eos>, <boi>]."""
        return [BOS, *caption_ids, EOS, BOI]

    def null_prompt(self, caption_ids: list[int]) -> list[int]:
        return self.prompt([NOLABEL] * len(caption_ids))
