"""The single `jpeg-lm` vocabulary: specials, caption words and style tokens, then JPEG BPE.

[0, 6)              specials (SPECIALS)
[6, 6 + T)          caption words and style tokens (WordTokenizer ids + TEXT_OFFSET)
[6 + T, 6 + T + J)  JPEG tokens (JpegBpe ids + jpeg_offset)
"""

from __future__ import annotations

from dataclasses import dataclass

from tessera_models.jpeg_lm.bpe import EOI_ID, RST0, JpegBpe
from tessera_models.text.word_tokenizer import WordTokenizer

SPECIALS = ["<pad>", "<bos>", "<eos>", "<img>", "</img>", "<null>"]
PAD, BOS, EOS, IMG, END_IMG, NULL = range(6)
TEXT_OFFSET = len(SPECIALS)


@dataclass
class Vocab:
    words: WordTokenizer
    bpe: JpegBpe

    @property
    def jpeg_offset(self) -> int:
        return TEXT_OFFSET + len(self.words)

    @property
    def size(self) -> int:
        return self.jpeg_offset + self.bpe.size

    def rst(self, k: int) -> int:
        return self.jpeg_offset + RST0 + k % 8

    @property
    def eoi(self) -> int:
        return self.jpeg_offset + EOI_ID

    def caption_ids(self, caption: str, style: str | None) -> list[int]:
        return [TEXT_OFFSET + i for i in self.words.encode(caption, style)]

    def decode_caption(self, ids: list[int]) -> str:
        return self.words.decode(
            [i - TEXT_OFFSET for i in ids if TEXT_OFFSET <= i < self.jpeg_offset]
        )

    def jpeg_ids(self, body: bytes) -> list[int]:
        return [self.jpeg_offset + t for t in self.bpe.encode(body)]

    def jpeg_bytes(self, ids: list[int]) -> bytes:
        return self.bpe.decode([i - self.jpeg_offset for i in ids if i >= self.jpeg_offset])
