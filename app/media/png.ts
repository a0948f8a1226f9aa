/**
 * PNG encoding with text metadata, and reading that metadata back. Output bytes are a pure
 * function of the pixels and the chunks (fixed zlib level and no timestamps), which is what
 * lets a replayed generation be compared byte for byte. Text chunks always precede the image
 * data: readers that stop at the first IDAT (exifr reading a file, browsers) still see them.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Compressed text (zTXt, compressed iTXt) inflates to at most this much per chunk. */
export const MAX_INFLATED_TEXT_PER_CHUNK = 8 * 1024 * 1024;
/** ...and to at most this much over the whole file. */
export const MAX_INFLATED_TEXT_PER_FILE = 32 * 1024 * 1024;

/** One complete chunk: length, type, data and CRC (the only CRC code in Tessera is zlib's). */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An uncompressed iTXt chunk with no language tag: the form exifr, ExifTool and Adobe read. */
export function pngITextChunk(keyword: string, text: string): Buffer {
  const header = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0])]);
  return pngChunk('iTXt', Buffer.concat([header, Buffer.from(text, 'utf8')]));
}

const chunk = pngChunk;

export interface PngText {
  /** tEXt chunks: Latin-1 keyword and text (A1111's `parameters` lives here). */
  text?: Record<string, string>;
  /** iTXt chunks: UTF-8 text, uncompressed. */
  itext?: Record<string, string>;
}

export function encodePng(
  rgb: Uint8Array,
  width: number,
  height: number,
  meta: PngText = {},
): Buffer {
  if (rgb.length !== width * height * 3)
    throw new RangeError('RGB data does not match the image size');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const chunks = [chunk('IHDR', ihdr)];
  for (const [key, value] of Object.entries(meta.text ?? {})) {
    chunks.push(
      chunk(
        'tEXt',
        Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')]),
      ),
    );
  }
  for (const [key, value] of Object.entries(meta.itext ?? {}))
    chunks.push(pngITextChunk(key, value));
  chunks.push(chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([PNG_SIGNATURE, ...chunks]);
}

export class PngFormatError extends Error {}

const MIB = 1024 * 1024;

/**
 * A text budget for one file: compressed text is inflated with zlib's output limit, so a small
 * chunk that would inflate to gigabytes (a decompression bomb) costs no more than the limit.
 */
export class InflateBudget {
  #left: number;
  constructor(perFile = MAX_INFLATED_TEXT_PER_FILE) {
    this.#left = perFile;
  }

  inflate(keyword: string, compressed: Uint8Array): Buffer {
    const limit = Math.min(MAX_INFLATED_TEXT_PER_CHUNK, this.#left);
    let text: Buffer;
    try {
      text = inflateSync(compressed, { maxOutputLength: limit });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE')
        throw new PngFormatError(`the PNG's "${keyword}" text chunk is not valid zlib data`);
      throw new PngFormatError(
        limit < MAX_INFLATED_TEXT_PER_CHUNK
          ? `the PNG's compressed text chunks inflate to more than ${MAX_INFLATED_TEXT_PER_FILE / MIB} MiB together, more than any image metadata needs: strip them (e.g. exiftool -PNG:all= file.png) or re-save the image`
          : `the PNG's "${keyword}" text chunk inflates to more than ${MAX_INFLATED_TEXT_PER_CHUNK / MIB} MiB, more than any image metadata needs: strip it (e.g. exiftool -PNG:all= file.png) or re-save the image`,
      );
    }
    this.#left -= text.length;
    return text;
  }
}

/**
 * The keyword and text of a tEXt, zTXt or iTXt chunk's data, or null if it has no keyword.
 * Compressed text is inflated within `budget`.
 */
export function pngTextOf(
  type: string,
  data: Buffer,
  budget: InflateBudget,
): { keyword: string; text: string } | null {
  const nul = data.indexOf(0);
  if (nul <= 0 || nul >= 80) return null;
  const keyword = data.toString('latin1', 0, nul);
  if (type === 'tEXt') return { keyword, text: data.toString('latin1', nul + 1) };
  if (type === 'zTXt')
    return { keyword, text: budget.inflate(keyword, data.subarray(nul + 2)).toString('latin1') };
  if (type !== 'iTXt') return null;
  // iTXt: keyword \0 compressed-flag method language \0 translated-keyword \0 text
  const compressed = data[nul + 1] === 1;
  const language = data.indexOf(0, nul + 3);
  const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
  if (translated < 0) throw new PngFormatError(`the PNG's "${keyword}" iTXt chunk is malformed`);
  const body = data.subarray(translated + 1);
  return { keyword, text: (compressed ? budget.inflate(keyword, body) : body).toString('utf8') };
}

/**
 * Text chunks of a PNG (tEXt, zTXt and uncompressed or compressed iTXt), keyed by keyword.
 * Throws PngFormatError for a damaged file or for compressed text over the inflate limits.
 */
export function readPngText(bytes: Uint8Array): Record<string, string> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE))
    throw new PngFormatError('not a PNG file');
  const out: Record<string, string> = {};
  const budget = new InflateBudget();
  let pos = 8;
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + length > buf.length) throw new PngFormatError('the PNG file is truncated');
    const found = pngTextOf(type, buf.subarray(pos + 8, pos + 8 + length), budget);
    if (found) out[found.keyword] = found.text;
    if (type === 'IEND') break;
    pos += 12 + length;
  }
  return out;
}
