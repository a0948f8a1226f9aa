/**
 * Entropy decoding of one MCU: six 8×8 blocks (four Y, Cb, Cr) of quantized coefficients in
 * natural order, written to `out` [6*64] as Int16 like libjpeg's JCOEF. DC values are
 * predicted from `predictions` (one per component, updated here). Reports whether the MCU
 * decoded, ran out of data, or hit invalid data (a bit pattern that is no Huffman code, or a
 * zero run or coefficient beyond index 63).
 */
import { BAD_CODE, decodeHuffmanSymbol, OUT_OF_DATA, type HuffmanDecoder } from './huffman.ts';
import type { EntropyBitReader } from './bit-reader.ts';
import type { JpegCodec } from './codec.ts';
import { ZIGZAG_TO_NATURAL } from './zigzag.ts';

export type McuDecodeResult = 'decoded' | 'out-of-data' | 'invalid';

/** Component of each of the six blocks of a 4:2:0 MCU. */
const BLOCK_COMPONENTS = [0, 0, 0, 0, 1, 2] as const;

function symbolResult(symbol: number): McuDecodeResult | null {
  if (symbol === OUT_OF_DATA) return 'out-of-data';
  if (symbol === BAD_CODE) return 'invalid';
  return null;
}

/** The `size`-bit value that follows a symbol, sign-extended (T.81 F.2.2.1); null if cut off. */
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
): McuDecodeResult {
  const dcSize = decodeHuffmanSymbol(dc, bits);
  const dcProblem = symbolResult(dcSize);
  if (dcProblem) return dcProblem;
  const diff = receiveExtend(bits, dcSize);
  if (diff === null) return 'out-of-data';
  predictions[component] = predictions[component]! + diff;
  out[base] = predictions[component]!;

  for (let k = 1; k < 64; k++) {
    const symbol = decodeHuffmanSymbol(ac, bits);
    const acProblem = symbolResult(symbol);
    if (acProblem) return acProblem;
    const run = symbol >> 4;
    const size = symbol & 15;
    if (size === 0) {
      if (run !== 15) return 'decoded'; // end of block
      if (k + 15 > 63) return 'invalid'; // sixteen zeros would pass coefficient 63
      k += 15;
      continue;
    }
    k += run;
    if (k > 63) return 'invalid';
    const value = receiveExtend(bits, size);
    if (value === null) return 'out-of-data';
    out[base + ZIGZAG_TO_NATURAL[k]!] = value;
  }
  return 'decoded';
}

/** Decodes one MCU into `out` (cleared first). */
export function decodeMcu(
  bits: EntropyBitReader,
  codec: JpegCodec,
  predictions: number[],
  out: Int16Array,
): McuDecodeResult {
  out.fill(0);
  for (let block = 0; block < 6; block++) {
    const component = BLOCK_COMPONENTS[block]!;
    const { dcDecoder, acDecoder } = codec.components[component];
    const result = decodeBlock(bits, dcDecoder, acDecoder, predictions, component, out, block * 64);
    if (result !== 'decoded') return result;
  }
  return 'decoded';
}
