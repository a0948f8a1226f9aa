/**
 * Marker codes and a walker over the marker segments of a JPEG stream (ITU T.81 §B.1.1.2).
 * Input: bytes that start with SOI (FF D8). Output: each segment's marker code, offset and
 * payload (the bytes after the 2-byte length), up to and including SOS or up to EOI.
 */
import { JpegFormatError } from './errors.ts';

export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const DQT = 0xdb;
export const DHT = 0xc4;
export const DRI = 0xdd;
export const SOF0 = 0xc0;
export const DAC = 0xcc;
export const RST0 = 0xd0;
export const RST7 = 0xd7;

export function isRestartMarker(code: number): boolean {
  return code >= RST0 && code <= RST7;
}

/** Start-of-frame codes other than DHT (C4), JPG (C8) and DAC (CC). */
export function isStartOfFrame(code: number): boolean {
  return code >= 0xc0 && code <= 0xcf && code !== DHT && code !== 0xc8 && code !== DAC;
}

const NAMES: Record<number, string> = {
  [SOI]: 'SOI',
  [EOI]: 'EOI',
  [SOS]: 'SOS',
  [DQT]: 'DQT',
  [DHT]: 'DHT',
  [DRI]: 'DRI',
  [DAC]: 'DAC',
  0xdc: 'DNL',
  0xfe: 'COM',
};

/** The usual name of a marker code, e.g. SOF2, APP0, RST3, DQT; hex for the rest. */
export function markerName(code: number): string {
  if (isStartOfFrame(code)) return `SOF${code - 0xc0}`;
  if (code >= 0xe0 && code <= 0xef) return `APP${code - 0xe0}`;
  if (isRestartMarker(code)) return `RST${code - RST0}`;
  return NAMES[code] ?? `marker FF ${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

export interface MarkerSegment {
  code: number;
  /** Offset of the segment's FF byte in the stream. */
  offset: number;
  /** Offset just past the segment. */
  end: number;
  /** The bytes after the length field. */
  payload: Uint8Array;
}

export interface MarkerWalk {
  segments: MarkerSegment[];
  /** Where the walk stopped: after the SOS segment, or at EOI. */
  stoppedAt: 'SOS' | 'EOI';
  /** Offset just past the SOS segment or the EOI marker. */
  end: number;
}

/**
 * The marker segments of `bytes` from SOI until the SOS segment (included) or EOI. `what`
 * names the stream in error messages ("JPEG header", "JPEG tables").
 */
export function walkMarkerSegments(bytes: Uint8Array, what: string): MarkerWalk {
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== SOI)
    throw new JpegFormatError(`The ${what} does not start with the SOI marker (FF D8)`);
  const segments: MarkerSegment[] = [];
  let at = 2;
  for (;;) {
    if (at >= bytes.length)
      throw new JpegFormatError(`The ${what} ends after ${bytes.length} bytes without SOS or EOI`);
    if (bytes[at] !== 0xff)
      throw new JpegFormatError(
        `The ${what} has byte ${bytes[at]!.toString(16).padStart(2, '0')} at offset ${at} where a marker (FF xx) should start`,
      );
    const offset = at;
    // Any number of FF fill bytes may precede a marker code.
    while (at < bytes.length && bytes[at] === 0xff) at++;
    if (at >= bytes.length)
      throw new JpegFormatError(`The ${what} ends inside a marker at offset ${offset}`);
    const code = bytes[at++]!;
    if (code === EOI) return { segments, stoppedAt: 'EOI', end: at };
    if (code === SOI || isRestartMarker(code) || code === 0x01 || code === 0x00)
      throw new JpegFormatError(
        `The ${what} has a stray ${markerName(code)} marker at offset ${offset}`,
      );
    if (at + 2 > bytes.length)
      throw new JpegFormatError(
        `The ${what} ends inside the length of its ${markerName(code)} segment at offset ${offset}`,
      );
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (length < 2 || at + length > bytes.length)
      throw new JpegFormatError(
        `The ${what}'s ${markerName(code)} segment at offset ${offset} declares ${length} bytes but ${bytes.length - at} remain`,
      );
    const segment = {
      code,
      offset,
      end: at + length,
      payload: bytes.subarray(at + 2, at + length),
    };
    segments.push(segment);
    at = segment.end;
    if (code === SOS) return { segments, stoppedAt: 'SOS', end: at };
  }
}
