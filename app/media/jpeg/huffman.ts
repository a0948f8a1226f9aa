/**
 * Canonical Huffman codes of JPEG (ITU T.81 Annex C): a table as DHT stores it (how many codes
 * of each length 1..16, then the symbols in code order) becomes an encoder map (code and length
 * per symbol 0..255) and a decoder (per length: the largest code and where its symbols start).
 */
import { JpegFormatError } from './errors.ts';

export interface HuffmanTable {
  /** counts[i] is the number of codes of length i + 1; 16 entries. */
  readonly counts: readonly number[];
  /** The symbols, shortest codes first (DHT's HUFFVAL). */
  readonly symbols: Uint8Array;
}

/** Per symbol 0..255: its code, and its length in bits (0 where the table has no code). */
export interface HuffmanCodes {
  readonly code: Uint16Array;
  readonly length: Uint8Array;
}

export interface HuffmanDecoder {
  /** Per length 1..16 (index = length): the largest code of that length, -1 if none. */
  readonly maxCode: Int32Array;
  /** Per length: code value of the first code of that length minus its index in `symbols`. */
  readonly offset: Int32Array;
  readonly symbols: Uint8Array;
}

/** Codes in symbol order (Figures C.1 and C.2), checked to form a valid prefix code. */
function canonicalCodes(table: HuffmanTable, name: string): { codes: number[]; sizes: number[] } {
  const codes: number[] = [];
  const sizes: number[] = [];
  let code = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < table.counts[length - 1]!; i++) {
      codes.push(code++);
      sizes.push(length);
    }
    // One past the last code of this length must still fit: the all-ones code stays unused.
    if (code >= 1 << length)
      throw new JpegFormatError(
        `Huffman table ${name} has more codes of length ${length} than fit (the all-ones code stays unused)`,
      );
    code <<= 1;
  }
  return { codes, sizes };
}

export function huffmanCodes(table: HuffmanTable, name: string): HuffmanCodes {
  const { codes, sizes } = canonicalCodes(table, name);
  const result = { code: new Uint16Array(256), length: new Uint8Array(256) };
  codes.forEach((code, i) => {
    const symbol = table.symbols[i]!;
    if (result.length[symbol] !== 0)
      throw new JpegFormatError(`Huffman table ${name} lists symbol ${symbol} twice`);
    result.code[symbol] = code;
    result.length[symbol] = sizes[i]!;
  });
  return result;
}

export function huffmanDecoder(table: HuffmanTable, name: string): HuffmanDecoder {
  const { codes } = canonicalCodes(table, name);
  const maxCode = new Int32Array(17).fill(-1);
  const offset = new Int32Array(17);
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const count = table.counts[length - 1]!;
    if (count === 0) continue;
    offset[length] = codes[index]! - index;
    index += count;
    maxCode[length] = codes[index - 1]!;
  }
  return { maxCode, offset, symbols: table.symbols };
}

/** What decodeHuffmanSymbol returns when the bits run out before a code is complete. */
export const OUT_OF_DATA = -1;
/** What decodeHuffmanSymbol returns when 16 bits match no code. */
export const BAD_CODE = -2;

export interface BitSource {
  /** The next bit, or -1 when there are no more. */
  readBit(): number;
}

/** The next symbol from `bits`, or OUT_OF_DATA / BAD_CODE. */
export function decodeHuffmanSymbol(decoder: HuffmanDecoder, bits: BitSource): number {
  let code = 0;
  for (let length = 1; length <= 16; length++) {
    const bit = bits.readBit();
    if (bit < 0) return OUT_OF_DATA;
    code = (code << 1) | bit;
    if (code <= decoder.maxCode[length]!) return decoder.symbols[code - decoder.offset[length]!]!;
  }
  return BAD_CODE;
}
