/**
 * Entropy decoding of one MCU as libjpeg-turbo's decode_mcu_slow (jdhuff.c) does it: six 8×8
 * blocks (four Y, Cb, Cr) of quantized coefficients in natural order, written to `out`
 * [6*64] as Int16 like libjpeg's JCOEF (values wrap to 16 bits). DC values are predicted from
 * `predictions` (one per component, updated here, 32-bit like libjpeg's int).
 *
 * Data libjpeg does not reject is decoded the way it decodes it:
 * - a bit pattern that is no Huffman code (16 bits matched nothing) costs 17 bits and reads
 *   as symbol 0 (libjpeg warns "bad Huffman code" and fakes a zero); the MCU is 'bad-code';
 * - a run or a value past coefficient 63 is stored at 63 (jpeg_natural_order has 16 extra
 *   entries of 63) and a zero run past 63 ends the block: no warning, the MCU is valid;
 * - bits past a marker are zeros (see bit-reader.ts); the reader's madeUpBits says so.
 */
import { PENDING, type EntropyBitReader } from './bit-reader.ts';
import type { JpegCodec } from './codec.ts';
import { BAD_CODE, decodeHuffmanSymbol, OUT_OF_DATA, type HuffmanDecoder } from './huffman.ts';
import { ZIGZAG_TO_NATURAL } from './zigzag.ts';

/** 'pending': the body stops before the MCU is complete. */
export type McuDecodeResult = 'decoded' | 'bad-code' | 'pending';

/** Component of each of the six blocks of a 4:2:0 MCU. */
const BLOCK_COMPONENTS = [0, 0, 0, 0, 1, 2] as const;

/** Zigzag index → natural index, with libjpeg's 16 extra entries for indices 64..79. */
const NATURAL_ORDER: readonly number[] = [...ZIGZAG_TO_NATURAL, ...new Array<number>(16).fill(63)];

/** Outcome of a symbol read: the symbol, PENDING, or a bad code read as symbol 0. */
interface SymbolState {
  badCode: boolean;
}

function readSymbol(decoder: HuffmanDecoder, bits: EntropyBitReader, state: SymbolState): number {
  const symbol = decodeHuffmanSymbol(decoder, bits);
  if (symbol === OUT_OF_DATA) return PENDING;
  if (symbol !== BAD_CODE) return symbol;
  // libjpeg's jpeg_huff_decode reads one more bit, reaching its sentinel length 17.
  if (bits.readBit() < 0) return PENDING;
  state.badCode = true;
  return 0;
}

/** The `size`-bit value that follows a symbol, sign-extended (HUFF_EXTEND); null if pending. */
function receiveExtend(bits: EntropyBitReader, size: number): number | null {
  if (size === 0) return 0;
  const raw = bits.readBits(size);
  if (raw < 0) return null;
  return raw < 1 << (size - 1) ? raw - (1 << size) + 1 : raw;
}

function decodeBlock(
  bits: EntropyBitReader,
  dc: HuffmanDecoder,
  ac: HuffmanDecoder,
  predictions: number[],
  component: number,
  out: Int16Array,
  base: number,
  state: SymbolState,
): boolean {
  const dcSize = readSymbol(dc, bits, state);
  if (dcSize === PENDING) return false;
  const diff = receiveExtend(bits, dcSize);
  if (diff === null) return false;
  predictions[component] = (predictions[component]! + diff) | 0;
  out[base] = predictions[component]!;

  for (let k = 1; k < 64; k++) {
    const symbol = readSymbol(ac, bits, state);
    if (symbol === PENDING) return false;
    const run = symbol >> 4;
    const size = symbol & 15;
    if (size === 0) {
      if (run !== 15) break; // end of block
      k += 15; // sixteen zeros
      continue;
    }
    k += run;
    const value = receiveExtend(bits, size);
    if (value === null) return false;
    out[base + NATURAL_ORDER[k]!] = value;
  }
  return true;
}

/** Decodes one MCU into `out` (cleared first). */
export function decodeMcu(
  bits: EntropyBitReader,
  codec: JpegCodec,
  predictions: number[],
  out: Int16Array,
): McuDecodeResult {
  out.fill(0);
  const state: SymbolState = { badCode: false };
  for (let block = 0; block < 6; block++) {
    const component = BLOCK_COMPONENTS[block]!;
    const { dcDecoder, acDecoder } = codec.components[component];
    const base = block * 64;
    if (!decodeBlock(bits, dcDecoder, acDecoder, predictions, component, out, base, state))
      return 'pending';
  }
  return state.badCode ? 'bad-code' : 'decoded';
}
