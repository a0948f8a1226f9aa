"""The single `vq-ar` vocabulary: specials, CM3 sentinels, caption words, then image codes.

[0, 14)                  specials and sentinels (SPECIALS)
[14, 14 + T)             caption words and style tokens (WordTokenizer ids + TEXT_OFFSET)
[14 + T, 14 + T + C)     image codes (FSQ code + image_offset)

A caption slot (when set) left-pads every prompt caption with <pad> to a fixed length, so each
segment of a layout starts at a fixed position: a retrieved document's cell (r, c) is then
always the same distance before the target's cell (r, c), whatever the captions' lengths.
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
    caption_slot: int = 0  # 0: captions keep their own length

    def __post_init__(self) -> None:
        if self.caption_slot and self.caption_slot < self.words.max_tokens:
            raise ValueError(
                f"a caption slot of {self.caption_slot} cannot hold the tokenizer's "
                f"{self.words.max_tokens}-token captions"
            )

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

    def slotted(self, ids: list[int]) -> list[int]:
        """A prompt caption (or its null row) as it stands in a layout: left-padded to the slot."""
        if not self.caption_slot:
            return list(ids)
        if len(ids) > self.caption_slot:
            raise ValueError(f"{len(ids)} caption tokens do not fit a slot of {self.caption_slot}")
        return [PAD] * (self.caption_slot - len(ids)) + list(ids)

    def decode_caption(self, ids: list[int]) -> str:
        text = [i - TEXT_OFFSET for i in ids if TEXT_OFFSET <= i < self.image_offset]
        return self.words.decode(text)

    def token_name(self, i: int) -> str:
        if i < TEXT_OFFSET:
            return SPECIALS[i]
        if i < self.image_offset:
            return self.words.vocab[i - TEXT_OFFSET]
        return f"<img:{i - self.image_offset}>"
