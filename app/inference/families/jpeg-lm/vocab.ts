/**
 * The single `jpeg-lm` vocabulary (native-models/…/jpeg_lm/vocab.py):
 *
 *   [0, 6)              specials <pad> <bos> <eos> <img> </img> <null> (ids from the manifest)
 *   [6, 6 + T)          caption words and style tokens: word-tokenizer ids + the text offset
 *   [6 + T, 6 + T + J)  JPEG tokens: byte-BPE ids + the JPEG offset
 */
import type { WordTokenizer } from '../../engine/tokenizers/word.ts';
import { EOI_ID, RST0, type JpegBpe } from './bpe.ts';

export class JpegLmVocab {
  constructor(
    readonly words: WordTokenizer,
    readonly bpe: JpegBpe,
    /** Model id of word id 0. */
    readonly textOffset: number,
  ) {}

  /** Model id of BPE id 0: the JPEG tokens follow the caption words. */
  get jpegOffset(): number {
    return this.textOffset + this.words.vocab.length;
  }

  get size(): number {
    return this.jpegOffset + this.bpe.size;
  }

  /** The marker that closes MCU `m` of `mcus`: RST(m mod 8), or EOI after the last. */
  markerAfter(m: number, mcus: number): number {
    return this.jpegOffset + (m === mcus - 1 ? EOI_ID : RST0 + (m % 8));
  }

  captionIds(caption: string, style: string | null): number[] {
    return this.words.encode(caption, style).map((i) => i + this.textOffset);
  }

  /** Caption text of model ids; ids outside the word range are dropped. */
  decodeCaption(ids: readonly number[]): string {
    return this.words.decode(
      ids
        .filter((i) => i >= this.textOffset && i < this.jpegOffset)
        .map((i) => i - this.textOffset),
    );
  }

  jpegIds(body: Uint8Array): number[] {
    return this.bpe.encode(body).map((t) => t + this.jpegOffset);
  }

  /** Body bytes of model ids; ids below the JPEG range are dropped. */
  jpegBytes(ids: readonly number[]): Uint8Array {
    return this.bpe.decode(ids.filter((i) => i >= this.jpegOffset).map((i) => i - this.jpegOffset));
  }
}
