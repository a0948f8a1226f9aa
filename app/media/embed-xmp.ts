/**
 * Puts an XMP packet inside a PNG or JPEG file, and takes it out of PNG, JPEG and WebP files,
 * by splicing the container: the compressed pixel data is copied untouched, never re-encoded.
 * Other formats are refused with an error that tells the caller to write a sidecar instead.
 */
import { InflateBudget, PNG_SIGNATURE, pngITextChunk, pngTextOf } from './png.ts';

export class EmbedXmpError extends Error {}
/** The packet does not fit the format's one XMP segment: write it to a sidecar instead. */
export class XmpTooLargeError extends EmbedXmpError {}

/** The formats embedXmp can write into. */
export const EMBEDDABLE_MIMES: readonly string[] = ['image/png', 'image/jpeg'];

const PNG_XMP_KEYWORD = 'XML:com.adobe.xmp';
const JPEG_XMP_HEADER = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const JPEG_EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
/** A JPEG segment's length field counts itself (2 bytes) and tops out at 65535. */
const JPEG_MAX_XMP_BYTES = 65535 - 2 - JPEG_XMP_HEADER.length;

const view = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

// ---------------------------------------------------------------------------------------------
// Containers

interface PngChunk {
  type: string;
  /** Offset of the chunk's length field. */
  start: number;
  /** Offset just past its CRC. */
  end: number;
  data: Buffer;
}

/**
 * The chunks of a PNG up to and including IEND. Throws EmbedXmpError if it is malformed, or,
 * when `partial` is set, returns the chunks before the damage of a truncated file.
 */
function pngChunks(buf: Buffer, partial = false): PngChunk[] {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE))
    throw new EmbedXmpError('not a PNG file: its signature is missing');
  const chunks: PngChunk[] = [];
  for (let pos = 8; ;) {
    const length = pos + 12 <= buf.length ? buf.readUInt32BE(pos) : -1;
    const type = buf.toString('latin1', pos + 4, Math.min(pos + 8, buf.length));
    const end = pos + 12 + length;
    if (length < 0 || end > buf.length) {
      if (partial) return chunks;
      throw new EmbedXmpError(
        `the PNG file is truncated${length < 0 ? '' : ` inside a ${type} chunk`}`,
      );
    }
    chunks.push({ type, start: pos, end, data: buf.subarray(pos + 8, pos + 8 + length) });
    if (type === 'IEND') return chunks;
    pos = end;
  }
}

function pngKeyword(chunk: PngChunk): string | null {
  const nul = chunk.data.indexOf(0);
  return nul > 0 && nul < 80 ? chunk.data.toString('latin1', 0, nul) : null;
}

const isPngXmp = (c: PngChunk) =>
  (c.type === 'iTXt' || c.type === 'zTXt' || c.type === 'tEXt') &&
  pngKeyword(c) === PNG_XMP_KEYWORD;

interface JpegSegment {
  marker: number;
  start: number;
  end: number;
  payload: Buffer;
}

/**
 * The marker segments before the image data (SOS). Throws EmbedXmpError if malformed, or, when
 * `partial` is set, returns the segments before the damage of a file cut short.
 */
function jpegHeaderSegments(buf: Buffer, partial = false): JpegSegment[] {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8)
    throw new EmbedXmpError('not a JPEG file: its start-of-image marker is missing');
  const segments: JpegSegment[] = [];
  const damaged = (why: string) => {
    if (partial) return segments;
    throw new EmbedXmpError(why);
  };
  let pos = 2;
  for (;;) {
    if (pos >= buf.length || buf[pos] !== 0xff)
      return damaged('the JPEG file is truncated or corrupt before its image data');
    while (buf[pos] === 0xff) pos++; // fill bytes
    if (pos >= buf.length) return damaged('the JPEG file is truncated');
    const marker = buf[pos]!;
    const start = pos - 1;
    if (marker === 0xda) return segments;
    if (marker === 0xd9) return damaged('the JPEG file has no image data');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos++;
      continue; // standalone markers carry no length
    }
    const length = pos + 3 <= buf.length ? buf.readUInt16BE(pos + 1) : 0;
    const end = pos + 1 + length;
    if (length < 2 || end > buf.length)
      return damaged('the JPEG file is truncated inside a marker segment');
    segments.push({ marker, start, end, payload: buf.subarray(pos + 3, end) });
    pos = end;
  }
}

const startsWith = (payload: Buffer, header: Buffer) =>
  payload.length >= header.length && payload.subarray(0, header.length).equals(header);

/** The standard XMP segment. Extended XMP segments are not: the packet refers to them by GUID. */
const isJpegXmp = (s: JpegSegment) => s.marker === 0xe1 && startsWith(s.payload, JPEG_XMP_HEADER);

/**
 * A chunk of a WebP file (RIFF container) by its four-character code, e.g. 'EXIF' or 'XMP '.
 * Null if absent or if the container is malformed.
 */
export function findWebpChunk(bytes: Uint8Array, fourcc: string): Uint8Array | null {
  const buf = view(bytes);
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF') return null;
  if (buf.toString('latin1', 8, 12) !== 'WEBP') return null;
  const end = Math.min(buf.length, 8 + buf.readUInt32LE(4));
  for (let pos = 12; pos + 8 <= end;) {
    const size = buf.readUInt32LE(pos + 4);
    if (pos + 8 + size > end) return null;
    if (buf.toString('latin1', pos, pos + 4) === fourcc)
      return buf.subarray(pos + 8, pos + 8 + size);
    pos += 8 + size + (size % 2); // chunks are padded to an even size
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Embedding and extracting

/**
 * Old XMP chunks are dropped and the new one goes right after IHDR, before every other chunk:
 * exifr reading a file looks only at the chunks that start in its first 512 bytes, and ExifTool
 * warns about text after the image data.
 */
function embedPng(buf: Buffer, xmp: string): Buffer {
  const chunks = pngChunks(buf);
  const iend = chunks[chunks.length - 1]!;
  const ihdr = chunks[0]!;
  if (ihdr.type !== 'IHDR') throw new EmbedXmpError('the PNG file does not start with IHDR');
  const parts: Buffer[] = [buf.subarray(0, 8)];
  for (const chunk of chunks) {
    if (!isPngXmp(chunk)) parts.push(buf.subarray(chunk.start, chunk.end));
    if (chunk === ihdr) parts.push(pngITextChunk(PNG_XMP_KEYWORD, xmp));
  }
  parts.push(buf.subarray(iend.end)); // whatever trails IEND stays as it was
  return Buffer.concat(parts);
}

/**
 * The packet in at most `limit` bytes, if the padding writers leave before `<?xpacket end` for
 * in-place edits makes room: the padding is whitespace, so only it shrinks.
 */
function withinLimit(xmp: string, limit: number): Buffer {
  const packet = Buffer.from(xmp, 'utf8');
  const excess = packet.length - limit;
  const padding = /([ \t\r\n]+)(<\?xpacket end=[^>]*\?>\s*)$/.exec(xmp);
  if (excess <= 0 || padding === null || padding[1]!.length <= excess) return packet;
  const kept = padding[1]!.slice(0, padding[1]!.length - excess).replace(/[^\n]*$/, '');
  return Buffer.from(xmp.slice(0, padding.index) + (kept || '\n') + padding[2], 'utf8');
}

function embedJpeg(buf: Buffer, xmp: string): Buffer {
  const packet = withinLimit(xmp, JPEG_MAX_XMP_BYTES);
  if (packet.length > JPEG_MAX_XMP_BYTES)
    throw new XmpTooLargeError(
      `the XMP packet is ${packet.length} bytes but a JPEG segment holds at most ${JPEG_MAX_XMP_BYTES}: write a sidecar instead`,
    );
  const segments = jpegHeaderSegments(buf);
  // Readers expect JFIF and then Exif first; the XMP goes right after them.
  let insertAt = 2;
  for (const s of segments) {
    const leading =
      s.marker === 0xe0 || (s.marker === 0xe1 && startsWith(s.payload, JPEG_EXIF_HEADER));
    if (!leading) break;
    insertAt = s.end;
  }
  const segmentHeader = Buffer.alloc(4);
  segmentHeader.writeUInt16BE(0xffe1, 0);
  segmentHeader.writeUInt16BE(2 + JPEG_XMP_HEADER.length + packet.length, 2);
  const xmpSegment = Buffer.concat([segmentHeader, JPEG_XMP_HEADER, packet]);
  // Leading segments are never XMP, so every old XMP segment lies after the insertion point.
  const parts: Buffer[] = [buf.subarray(0, insertAt), xmpSegment];
  let copied = insertAt;
  for (const s of segments.filter(isJpegXmp)) {
    parts.push(buf.subarray(copied, s.start));
    copied = s.end;
  }
  parts.push(buf.subarray(copied)); // the scan data and everything after it, untouched
  return Buffer.concat(parts);
}

/**
 * The same image file with `xmpPacket` as its XMP packet: an existing packet is replaced, so a
 * caller that must keep what the packet held merges into it first (see
 * app/library/export-xmp.ts). A JPEG's Extended XMP segments stay, for the packet to refer to.
 * PNG gets an iTXt `XML:com.adobe.xmp` chunk right after IHDR, JPEG an APP1 XMP segment
 * after JFIF/Exif. Throws EmbedXmpError for other formats and for files too damaged to splice.
 */
export function embedXmp(bytes: Uint8Array, mime: string, xmpPacket: string): Uint8Array {
  const buf = view(bytes);
  if (mime === 'image/png') return embedPng(buf, xmpPacket);
  if (mime === 'image/jpeg') return embedJpeg(buf, xmpPacket);
  throw new EmbedXmpError(
    `Tessera embeds XMP in PNG and JPEG files only, not ${mime}: write a sidecar instead`,
  );
}

/**
 * The XMP packet embedded in a PNG, JPEG or WebP file, or null if there is none, the format is
 * another, or the container is too damaged to read. Never throws.
 */
export function extractXmp(bytes: Uint8Array, mime: string): string | null {
  const buf = view(bytes);
  try {
    if (mime === 'image/png') {
      const chunk = pngChunks(buf, true).find(isPngXmp);
      return chunk ? (pngTextOf(chunk.type, chunk.data, new InflateBudget())?.text ?? null) : null;
    }
    if (mime === 'image/jpeg') {
      const segments = jpegHeaderSegments(buf, true);
      const segment = segments.find(
        (s) => s.marker === 0xe1 && startsWith(s.payload, JPEG_XMP_HEADER),
      );
      return segment ? segment.payload.toString('utf8', JPEG_XMP_HEADER.length) : null;
    }
    if (mime === 'image/webp') {
      const chunk = findWebpChunk(buf, 'XMP ');
      return chunk ? view(chunk).toString('utf8') : null;
    }
  } catch {
    return null;
  }
  return null;
}
