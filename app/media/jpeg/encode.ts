/**
 * Baseline encoder: RGB u8 [height*width*3], row-major → the entropy-coded body that follows
 * the header's SOS: MCUs in raster order, a restart marker after every restart interval except
 * the last, then EOI. Every step follows libjpeg-turbo's integer path so that, given the same
 * tables, the bytes equal Pillow's: fixed-point RGB→YCbCr, 2×2 chroma averaging with
 * alternating bias, level shift, islow forward DCT, rounding division by 8× the quantizer step,
 * DC prediction reset at each restart, Huffman codes with byte stuffing, 1-bit padding.
 */
import { EntropyBitWriter } from './bit-writer.ts';
import { MCU_SIZE, type ComponentCoding, type JpegCodec } from './codec.ts';
import { rgbToYCbCr } from './color.ts';
import { forwardDctIslow } from './dct.ts';
import { JpegFormatError } from './errors.ts';
import type { HuffmanCodes } from './huffman.ts';
import { EOI, RST0 } from './markers.ts';
import { downsampleH2V2 } from './resample.ts';
import { ZIGZAG_TO_NATURAL } from './zigzag.ts';

/** AC symbol for a run of 16 zeros, and for "the rest of the block is zero". */
const ZERO_RUN_16 = 0xf0;
const END_OF_BLOCK = 0x00;

function bitLength(magnitude: number): number {
  return magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
}

function writeSymbol(writer: EntropyBitWriter, codes: HuffmanCodes, symbol: number, kind: string) {
  const length = codes.length[symbol]!;
  if (length === 0)
    throw new JpegFormatError(
      `The ${kind} Huffman table has no code for symbol 0x${symbol.toString(16).padStart(2, '0')}`,
    );
  writer.writeBits(codes.code[symbol]!, length);
}

/** A coefficient's extra bits: the value if positive, else its ones' complement. */
function writeMagnitude(writer: EntropyBitWriter, value: number, size: number): void {
  if (size > 0) writer.writeBits(value < 0 ? value - 1 : value, size);
}

/** Quantizes a DCT block (×8 scaled, natural order) with libjpeg's rounding: |x| + d/2, floor. */
function quantize(dct: Int32Array, steps: Uint16Array, out: Int32Array): void {
  for (let i = 0; i < 64; i++) {
    const divisor = steps[i]! * 8;
    const x = dct[i]!;
    const q = Math.floor((Math.abs(x) + (divisor >> 1)) / divisor);
    out[i] = x < 0 ? -q : q;
  }
}

class BlockEncoder {
  private readonly samples = new Int32Array(64);
  private readonly quantized = new Int32Array(64);
  /** Last DC value per component, reset to 0 at each restart. */
  readonly predictions = [0, 0, 0];

  constructor(private readonly writer: EntropyBitWriter) {}

  /** Codes the 8×8 block whose top-left sample is plane[origin]. */
  encode(plane: Uint8Array, stride: number, origin: number, index: number, c: ComponentCoding) {
    const { samples, quantized, writer } = this;
    for (let row = 0; row < 8; row++)
      for (let col = 0; col < 8; col++)
        samples[row * 8 + col] = plane[origin + row * stride + col]! - 128;
    forwardDctIslow(samples);
    quantize(samples, c.quantization, quantized);

    const diff = quantized[0]! - this.predictions[index]!;
    this.predictions[index] = quantized[0]!;
    const dcSize = bitLength(Math.abs(diff));
    writeSymbol(writer, c.dcCodes, dcSize, 'DC');
    writeMagnitude(writer, diff, dcSize);

    let run = 0;
    for (let k = 1; k < 64; k++) {
      const value = quantized[ZIGZAG_TO_NATURAL[k]!]!;
      if (value === 0) {
        run++;
        continue;
      }
      for (; run > 15; run -= 16) writeSymbol(writer, c.acCodes, ZERO_RUN_16, 'AC');
      const size = bitLength(Math.abs(value));
      writeSymbol(writer, c.acCodes, (run << 4) | size, 'AC');
      writeMagnitude(writer, value, size);
      run = 0;
    }
    if (run > 0) writeSymbol(writer, c.acCodes, END_OF_BLOCK, 'AC');
  }
}

/** Encodes an RGB image of the codec's size into a body: entropy data, restart markers, EOI. */
export function encodeJpegBody(rgb: Uint8Array, codec: JpegCodec): Uint8Array {
  const { width, height, mcuColumns, restartInterval, components } = codec;
  if (rgb.length !== width * height * 3)
    throw new RangeError(
      `RGB data has ${rgb.length} bytes; a ${width}×${height} image needs ${width * height * 3}`,
    );
  const planes = rgbToYCbCr(rgb, width * height);
  const chromaWidth = width / 2;
  const cb = downsampleH2V2(planes.cb, width, height);
  const cr = downsampleH2V2(planes.cr, width, height);

  const writer = new EntropyBitWriter();
  const blocks = new BlockEncoder(writer);
  let restartNumber = 0;
  for (let mcu = 0; mcu < codec.mcuCount; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      writer.writeMarker(RST0 + restartNumber);
      restartNumber = (restartNumber + 1) & 7;
      blocks.predictions.fill(0);
    }
    const x = (mcu % mcuColumns) * MCU_SIZE;
    const y = Math.floor(mcu / mcuColumns) * MCU_SIZE;
    for (let by = 0; by < 2; by++)
      for (let bx = 0; bx < 2; bx++)
        blocks.encode(planes.y, width, (y + 8 * by) * width + x + 8 * bx, 0, components[0]);
    const chromaOrigin = (y / 2) * chromaWidth + x / 2;
    blocks.encode(cb, chromaWidth, chromaOrigin, 1, components[1]);
    blocks.encode(cr, chromaWidth, chromaOrigin, 2, components[2]);
  }
  writer.writeMarker(EOI);
  return writer.bytes();
}
