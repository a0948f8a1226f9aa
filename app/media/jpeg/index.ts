/**
 * Baseline JPEG for the JPEG-LM model family, in plain TypeScript: the model writes only the
 * entropy-coded body of 4:2:0 files with a restart marker after every MCU; the quantization
 * and Huffman tables come once as a tables-only stream and the per-size header as an
 * abbreviated stream (both as Pillow writes them).
 *
 *   const codec = createJpegCodec(tablesBin, headerBin);
 *   const body = encodeJpegBody(rgb, codec);            // same bytes as Pillow at the recipe
 *   const { rgb, mcusDecoded } = decodeJpegBody(partialBody, codec);  // never throws
 *   const file = assembleJpeg(codec, body);             // a complete .jpg
 */
export { assembleJpeg, splitMcuSegments, type McuSegment } from './assemble.ts';
export { createJpegCodec, MCU_SIZE, type ComponentCoding, type JpegCodec } from './codec.ts';
export { decodeJpegBody, type DecodedJpegBody } from './decode.ts';
export { encodeJpegBody } from './encode.ts';
export { JpegFormatError, UnsupportedJpegError } from './errors.ts';
export {
  parseJpegHeader,
  type FrameComponent,
  type ParsedJpegHeader,
  type ScanComponent,
} from './header.ts';
export type { HuffmanTable } from './huffman.ts';
export { parseJpegTables, type JpegTables, type ParsedJpegTables } from './tables.ts';
