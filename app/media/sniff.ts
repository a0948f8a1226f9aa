/**
 * Recognises image files by their first bytes, never by their extension: a folder of photos
 * holds renamed files, truncated downloads and stray documents (taggui #60 crashed on them).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export interface ImageType {
  mime: string;
  /** The usual extension, without the dot. */
  ext: string;
}

/** Enough bytes for every signature below, including an ISO-BMFF brand list. */
export const SNIFF_LENGTH = 64;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** ftyp brands of AVIF and HEIF stills and sequences; a plain MP4 has none of them. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2']);

/** BITMAPINFOHEADER and its relatives have these sizes; "BM" alone is too weak a signature. */
const BMP_DIB_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

function startsWith(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

function ascii(head: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...head.subarray(start, end));
}

function sniffIsoBmff(head: Uint8Array): ImageType | null {
  if (head.length < 16 || ascii(head, 4, 8) !== 'ftyp') return null;
  const boxSize = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  const end = Math.min(head.length, boxSize >= 16 ? boxSize : 16);
  const brands = [ascii(head, 8, 12)];
  // Bytes 12..16 are the minor version; the compatible brands follow.
  for (let p = 16; p + 4 <= end; p += 4) brands.push(ascii(head, p, p + 4));
  if (brands.some((b) => AVIF_BRANDS.has(b))) return { mime: 'image/avif', ext: 'avif' };
  if (brands.some((b) => HEIC_BRANDS.has(b))) return { mime: 'image/heic', ext: 'heic' };
  if (brands.some((b) => HEIF_BRANDS.has(b))) return { mime: 'image/heif', ext: 'heif' };
  return null;
}

/** The image type that `head` (the first bytes of a file) announces, or null for anything else. */
export function sniffImageType(head: Uint8Array): ImageType | null {
  if (startsWith(head, PNG_SIGNATURE)) return { mime: 'image/png', ext: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg' };
  if (head.length >= 6 && /^GIF8[79]a$/.test(ascii(head, 0, 6)))
    return { mime: 'image/gif', ext: 'gif' };
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP')
    return { mime: 'image/webp', ext: 'webp' };
  // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
  if (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])
  )
    return { mime: 'image/tiff', ext: 'tif' };
  const isoBmff = sniffIsoBmff(head);
  if (isoBmff) return isoBmff;
  if (head.length >= 18 && head[0] === 0x42 && head[1] === 0x4d) {
    const dibSize = (head[14]! | (head[15]! << 8) | (head[16]! << 16) | (head[17]! << 24)) >>> 0;
    if (BMP_DIB_HEADER_SIZES.has(dibSize)) return { mime: 'image/bmp', ext: 'bmp' };
  }
  return null;
}

export class NotARegularFileError extends Error {}

/**
 * The first `length` bytes of a file (fewer if it is shorter). Opens without blocking and checks
 * that what was opened is a regular file, so a FIFO or a device named like a photo never hangs
 * the caller.
 */
export async function readHead(path: string, length = SNIFF_LENGTH): Promise<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile())
      throw new NotARegularFileError(`${path} is not a regular file`);
    const buffer = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
