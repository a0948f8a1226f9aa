/**
 * Quantization (DQT) and Huffman (DHT) tables, and the tables-only stream that carries them
 * (SOI, DQT, DHT..., EOI: Pillow's streamtype=1). Quantization tables come out in natural
 * row-major order, 64 entries; Huffman tables as DHT stores them (see huffman.ts).
 */
import { JpegFormatError, UnsupportedJpegError } from './errors.ts';
import { huffmanCodes, type HuffmanTable } from './huffman.ts';
import {
  DAC,
  DHT,
  DQT,
  SOS,
  isStartOfFrame,
  markerName,
  walkMarkerSegments,
  type MarkerSegment,
} from './markers.ts';
import { ZIGZAG_TO_NATURAL } from './zigzag.ts';

/** Table slots 0..3 as JPEG numbers them; null where the stream defines no table. */
export interface JpegTables {
  /** 64 quantizer steps in natural (row-major) order. */
  quantization: (Uint16Array | null)[];
  dcHuffman: (HuffmanTable | null)[];
  acHuffman: (HuffmanTable | null)[];
}

export interface ParsedJpegTables extends JpegTables {
  /** The stream's DQT and DHT segments, byte for byte, ready to insert after a header's SOI. */
  segmentBytes: Uint8Array;
}

export function emptyJpegTables(): JpegTables {
  return {
    quantization: [null, null, null, null],
    dcHuffman: [null, null, null, null],
    acHuffman: [null, null, null, null],
  };
}

/** Reads every table of a DQT payload into `tables`. Only 8-bit tables (baseline) are handled. */
export function readQuantizationTables(payload: Uint8Array, tables: JpegTables): void {
  let at = 0;
  while (at < payload.length) {
    const precision = payload[at]! >> 4;
    const slot = payload[at]! & 15;
    if (precision !== 0)
      throw new UnsupportedJpegError(
        `DQT defines table ${slot} with 16-bit entries; only 8-bit quantization tables (baseline) are supported`,
      );
    if (slot > 3) throw new JpegFormatError(`DQT defines table ${slot}; slots are 0 to 3`);
    if (at + 65 > payload.length)
      throw new JpegFormatError(`DQT table ${slot} is cut short: 64 entries need 64 bytes`);
    const natural = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      const step = payload[at + 1 + k]!;
      if (step === 0) throw new JpegFormatError(`DQT table ${slot} has a zero step at entry ${k}`);
      natural[ZIGZAG_TO_NATURAL[k]!] = step;
    }
    tables.quantization[slot] = natural;
    at += 65;
  }
}

/** Reads every table of a DHT payload into `tables`, checking that each is a valid code. */
export function readHuffmanTables(payload: Uint8Array, tables: JpegTables): void {
  let at = 0;
  while (at < payload.length) {
    const tableClass = payload[at]! >> 4;
    const slot = payload[at]! & 15;
    if (tableClass > 1)
      throw new JpegFormatError(`DHT table class ${tableClass}; only 0 (DC) and 1 (AC) exist`);
    const kind = tableClass === 0 ? 'DC' : 'AC';
    if (slot > 3) throw new JpegFormatError(`DHT defines ${kind} table ${slot}; slots are 0 to 3`);
    if (at + 17 > payload.length)
      throw new JpegFormatError(`DHT ${kind} table ${slot} is cut short in its code counts`);
    const counts = Array.from(payload.subarray(at + 1, at + 17));
    const total = counts.reduce((a, b) => a + b, 0);
    if (total > 256)
      throw new JpegFormatError(`DHT ${kind} table ${slot} declares ${total} codes; at most 256`);
    if (at + 17 + total > payload.length)
      throw new JpegFormatError(`DHT ${kind} table ${slot} is cut short in its symbols`);
    const symbols = payload.slice(at + 17, at + 17 + total);
    if (tableClass === 0 && symbols.some((s) => s > 15))
      throw new JpegFormatError(`DHT DC table ${slot} has a symbol above 15`);
    const table = { counts, symbols };
    huffmanCodes(table, `${kind} ${slot}`); // throws on an invalid code or a repeated symbol
    (tableClass === 0 ? tables.dcHuffman : tables.acHuffman)[slot] = table;
    at += 17 + total;
  }
}

/** Rejects the markers of coding processes this codec does not implement. */
export function rejectUnsupportedMarker(segment: MarkerSegment, what: string): void {
  if (segment.code === DAC)
    throw new UnsupportedJpegError(
      `The ${what} sets arithmetic-coding conditioning (DAC); arithmetic-coded JPEG is not supported`,
    );
}

/** Parses a tables-only stream: SOI, then DQT/DHT segments (APPn and COM are skipped), EOI. */
export function parseJpegTables(bytes: Uint8Array): ParsedJpegTables {
  const walk = walkMarkerSegments(bytes, 'JPEG tables stream');
  const tables = emptyJpegTables();
  const kept: Uint8Array[] = [];
  for (const segment of walk.segments) {
    rejectUnsupportedMarker(segment, 'JPEG tables stream');
    if (segment.code === DQT) readQuantizationTables(segment.payload, tables);
    else if (segment.code === DHT) readHuffmanTables(segment.payload, tables);
    else if (isStartOfFrame(segment.code) || segment.code === SOS)
      throw new JpegFormatError(
        `The JPEG tables stream has a ${markerName(segment.code)} segment; it should hold tables only`,
      );
    else continue;
    kept.push(bytes.subarray(segment.offset, segment.end));
  }
  if (kept.length === 0)
    throw new JpegFormatError('The JPEG tables stream defines no DQT or DHT tables');
  const segmentBytes = new Uint8Array(kept.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const segment of kept) {
    segmentBytes.set(segment, at);
    at += segment.length;
  }
  return { ...tables, segmentBytes };
}
