"""The single `vq-ar` vocabulary: specials, CM3 sentinels, caption words, then image codes.

[0, 14)                  specials and sentinels (SPECIALS)
[14, 14 + T)             caption words and style tokens (WordTokenizer ids + TEXT_OFFSET)
[14 + T, 14 + T + C)     image codes (FSQ code + image_offset)
"""

from __future__ import annotations

from dataclasses import dataclass

from tessera_models.text.word_tokenizer import WordTokenizer

SENTINELS = 8
SPECIALS = [
    "<pad>",
    "<bos>",
    "<eos>",
    "<break>",
    "<mask>",
    "<infill>",
    *[f"<mask:{j}>" for j in range(SENTINELS)],
]
PAD, BOS, EOS, BREAK, MASK, INFILL = range(6)
SENTINEL0 = 6
TEXT_OFFSET = len(SPECIALS)


@dataclass
class Vocab:
    words: WordTokenizer
    codebook_size: int

    @property
    def image_offset(self) -> int:
        return TEXT_OFFSET + len(self.words)

    @property
    def size(self) -> int:
        return self.image_offset + self.codebook_size

    def sentinel(self, j: int) -> int:
        if not 0 <= j < SENTINELS:
            raise ValueError(f"sentinel index {j} out of range")
        return SENTINEL0 + j

    def caption_ids(self, caption: str, style: str | None) -> list[int]:
        return [TEXT_OFFSET + i for i in self.words.encode(caption, style)]

    def decode_caption(self, ids: list[int]) -> str:
        text = [i - TEXT_OFFSET for i in ids if TEXT_OFFSET <= i < self.image_offset]
        return self.words.decode(text)

    def token_name(self, i: int) -> str:
        if i < TEXT_OFFSET:
            return SPECIALS[i]
        if i < self.image_offset:
            return self.words.vocab[i - TEXT_OFFSET]
        return f"<img:{i - self.image_offset}>"
