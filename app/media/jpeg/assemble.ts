/**
 * Whole files from their parts, and bodies into their parts. A file is the header (SOI..SOS)
 * with the tables' DQT/DHT segments inserted right after SOI, then the body, then EOI. A body
 * is entropy-coded data cut by restart markers: FF 00 is a stuffed data byte, FF D0..D7 are
 * RST0..7 and end a segment (one restart interval, one MCU in the JPEG-LM recipe), FF D9 is
 * EOI and ends the body; FF fill bytes may precede a marker.
 */
import type { JpegCodec } from './codec.ts';
import { EOI, isRestartMarker, RST0 } from './markers.ts';

export interface McuSegmentBase {
  /** Offset of `bytes` in the body. */
  offset: number;
  /** The segment's entropy-coded bytes, stuffing in place, without the marker that ends it. */
  bytes: Uint8Array;
}

/**
 * What ends a segment: a restart marker (its number 0..7), EOI, or nothing yet: the body stops
 * inside this segment ('truncated'), as a body still being generated does.
 */
export type McuSegment =
  | (McuSegmentBase & { end: 'restart'; restartNumber: number })
  | (McuSegmentBase & { end: 'end-of-image' | 'truncated' });

/**
 * The body's segments in order. The last one ends with EOI, or is 'truncated' (possibly
 * empty) when the body stops before EOI; anything after EOI is ignored. Never throws.
 */
export function splitMcuSegments(body: Uint8Array): McuSegment[] {
  const segments: McuSegment[] = [];
  let start = 0;
  let at = 0;
  while (at < body.length) {
    if (body[at] !== 0xff) {
      at++;
      continue;
    }
    const markerStart = at;
    let code = at + 1;
    while (code < body.length && body[code] === 0xff) code++;
    // A body that stops on FF: the byte after it decides, so it stays in the open segment.
    if (code >= body.length) break;
    const value = body[code]!;
    at = code + 1;
    if (value === 0x00) continue;
    const bytes = body.subarray(start, markerStart);
    if (isRestartMarker(value)) {
      segments.push({ offset: start, bytes, end: 'restart', restartNumber: value - RST0 });
      start = at;
    } else if (value === EOI) {
      segments.push({ offset: start, bytes, end: 'end-of-image' });
      return segments;
    }
    // Any other marker stays inside the segment (the decoder, like libjpeg, stops at it).
  }
  segments.push({ offset: start, bytes: body.subarray(start), end: 'truncated' });
  return segments;
}

function endsWithEoi(body: Uint8Array): boolean {
  return body.length >= 2 && body[body.length - 2] === 0xff && body[body.length - 1] === EOI;
}

/** The JPEG file for `body`; EOI is appended unless the body already ends with it. */
export function assembleJpeg(codec: JpegCodec, body: Uint8Array): Uint8Array {
  const header = codec.headerBytes;
  const tables = codec.tableSegments;
  const tail = endsWithEoi(body) ? 0 : 2;
  const file = new Uint8Array(header.length + tables.length + body.length + tail);
  file.set(header.subarray(0, 2), 0);
  file.set(tables, 2);
  file.set(header.subarray(2), 2 + tables.length);
  file.set(body, header.length + tables.length);
  if (tail) file.set([0xff, EOI], file.length - 2);
  return file;
}
