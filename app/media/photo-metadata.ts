/**
 * What a photo's own metadata says: camera, time, place, orientation, size, and any caption
 * already embedded in it (XMP dc:description, EXIF ImageDescription, IPTC Caption-Abstract or a
 * PNG `Description` text chunk).
 *
 * Folder captioning reads this for every file, so it reads only the metadata: from a path it
 * copies the metadata chunks of PNG, WebP and JPEG files (never their pixel data) and lets exifr
 * read TIFF and HEIF files in small chunks. Corrupt or truncated metadata gives nulls, never an
 * exception: a broken EXIF block must not stop a folder scan.
 */
import exifr from 'exifr';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { extractXmp, findWebpChunk } from './embed-xmp.ts';
import { SNIFF_LENGTH, sniffImageType } from './sniff.ts';
import { captionSha256, parseXmp } from './xmp.ts';

// A type, not an interface, so that it can be stored as a plain JSON record.
export type PhotoExif = {
  make?: string;
  model?: string;
  /** ISO 8601; with the camera's UTC offset only when the file records one. */
  takenAt?: string;
  /** EXIF orientation, 1 (upright) to 8. */
  orientation?: number;
  gps?: { lat: number; lon: number };
  width?: number;
  height?: number;
};

export interface EmbeddedCaption {
  text: string;
  /** png: a PNG `Description` text chunk (the PNG specification's caption keyword). */
  from: 'xmp' | 'exif' | 'iptc' | 'png';
  writtenByTessera: boolean;
}

export interface PhotoMetadata {
  exif: PhotoExif | null;
  embeddedCaption: EmbeddedCaption | null;
}

/**
 * Descriptions that cameras and phones write by default. They describe nothing, so a photo
 * that carries one counts as uncaptioned. Compared case-insensitively, spaces collapsed.
 */
export const CAMERA_DEFAULT_DESCRIPTIONS: readonly string[] = [
  'OLYMPUS DIGITAL CAMERA',
  'SONY DSC',
  'DCIM',
  'DIGITAL CAMERA',
  'KODAK DIGITAL STILL CAMERA',
  'MINOLTA DIGITAL CAMERA',
  'SAMSUNG DIGITAL CAMERA',
  'EXIF_JPEG_PICTURE',
  'DEFAULT',
  'UNTITLED',
];

/** Camera file names used as descriptions (IMG_1234, DSC01234, DSCF0042.JPG, PICT0001). */
const CAMERA_FILE_NAME = /^(IMG|DSC|DSCN|DSCF|PICT|PXL|P\d{3})[_-]?\d+[\w-]*(\.[a-z0-9]{3,4})?$/i;

/** True unless the text is empty, whitespace or a camera's default description. */
export function isMeaningfulCaption(text: string): boolean {
  const normalised = text.replace(/\0/g, '').replace(/\s+/g, ' ').trim().toUpperCase();
  if (normalised === '') return false;
  if (CAMERA_DEFAULT_DESCRIPTIONS.includes(normalised)) return false;
  return !CAMERA_FILE_NAME.test(normalised);
}

// ---------------------------------------------------------------------------------------------
// Reading only the metadata of a file

/** No single metadata chunk or segment we care about is larger; bigger ones are skipped. */
const MAX_METADATA_CHUNK = 8 * 1024 * 1024;
/** Stop collecting metadata past this much, whatever the file claims. */
const MAX_METADATA_TOTAL = 32 * 1024 * 1024;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * PNG chunks exifr is never handed: the image data, and the ICC profile, which exifr inflates
 * without an output limit even when asked not to read it (a 1 MB iCCP chunk can inflate to
 * gigabytes).
 */
const PNG_CHUNKS_NOT_READ = new Set(['IDAT', 'fdAT', 'iCCP']);

/** A PNG made of the signature and every chunk exifr is handed. */
async function pngMetadataCopy(handle: FileHandle, size: number): Promise<Buffer> {
  const parts = [await readAt(handle, 0, 8)];
  let total = 8;
  for (let pos = 8; pos + 12 <= size && total < MAX_METADATA_TOTAL;) {
    const header = await readAt(handle, pos, 8);
    if (header.length < 8) break;
    const length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    const end = pos + 12 + length;
    if (!PNG_CHUNKS_NOT_READ.has(type) && length <= MAX_METADATA_CHUNK) {
      const chunk = await readAt(handle, pos, Math.min(12 + length, size - pos));
      parts.push(chunk);
      total += chunk.length;
    }
    if (type === 'IEND' || end > size) break;
    pos = end;
  }
  return Buffer.concat(parts);
}

/**
 * A PNG already in memory with only the chunks exifr may be handed (any other file as it is):
 * what every exifr call on image bytes must be given.
 */
export function exifrSafeCopy(bytes: Uint8Array, mime: string | null): Uint8Array {
  return mime === 'image/png' ? pngMetadataOnly(bytes) : bytes;
}

function pngMetadataOnly(bytes: Uint8Array): Buffer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts = [buf.subarray(0, 8)];
  for (let pos = 8; pos + 12 <= buf.length;) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const end = Math.min(pos + 12 + length, buf.length);
    if (!PNG_CHUNKS_NOT_READ.has(type)) parts.push(buf.subarray(pos, end));
    if (type === 'IEND') break;
    pos = end;
  }
  return Buffer.concat(parts);
}

const WEBP_IMAGE_CHUNKS = new Set(['VP8 ', 'VP8L', 'ALPH', 'ANMF']);

/** A WebP made of the RIFF header and every chunk except the image data. */
async function webpMetadataCopy(handle: FileHandle, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for (let pos = 12; pos + 8 <= size && total < MAX_METADATA_TOTAL;) {
    const header = await readAt(handle, pos, 8);
    if (header.length < 8) break;
    const length = header.readUInt32LE(4);
    const padded = 8 + length + (length % 2);
    if (!WEBP_IMAGE_CHUNKS.has(header.toString('latin1', 0, 4)) && length <= MAX_METADATA_CHUNK) {
      const chunk = await readAt(handle, pos, Math.min(padded, size - pos));
      parts.push(chunk);
      total += chunk.length;
    }
    pos += padded;
  }
  const riff = Buffer.alloc(12);
  riff.write('RIFFxxxxWEBP', 0, 'latin1');
  riff.writeUInt32LE(4 + total, 4);
  return Buffer.concat([riff, ...parts]);
}

/** A JPEG cut just before its image data: all marker segments, so all metadata. */
async function jpegMetadataCopy(handle: FileHandle, size: number): Promise<Buffer> {
  let pos = 2;
  while (pos + 4 <= size && pos < MAX_METADATA_TOTAL) {
    const header = await readAt(handle, pos, 4);
    if (header[0] !== 0xff) break;
    const marker = header[1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    pos += 2 + header.readUInt16BE(2);
  }
  return readAt(handle, 0, Math.min(pos, size, MAX_METADATA_TOTAL));
}

const METADATA_COPIERS: Record<string, (handle: FileHandle, size: number) => Promise<Buffer>> = {
  'image/png': pngMetadataCopy,
  'image/webp': webpMetadataCopy,
  'image/jpeg': jpegMetadataCopy,
};

/** The type of a file and what exifr should read: a small metadata copy, or the path itself. */
async function openSource(path: string): Promise<{ mime: string | null; input: string | Buffer }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path} does not exist: check the path`);
    if (code === 'EACCES') throw new Error(`${path} cannot be read (permission denied)`);
    throw new Error(`${path} cannot be read (${code ?? String(err)})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { mime: null, input: Buffer.alloc(0) };
    const mime = sniffImageType(await readAt(handle, 0, SNIFF_LENGTH))?.mime ?? null;
    const copier = mime ? METADATA_COPIERS[mime] : undefined;
    return { mime, input: copier ? await copier(handle, info.size) : path };
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Interpreting what exifr and the XMP packet say

const EXIFR_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  iptc: true,
  ihdr: true,
  xmp: { parse: false },
  icc: false,
  jfif: false,
  interop: false,
  makerNote: false,
  userComment: false,
  mergeOutput: false,
  translateValues: false,
  // Dates stay as written: exifr would read them in this machine's time zone.
  reviveValues: false,
  silentErrors: true,
};

type Segment = Record<string, unknown>;
interface ExifrOutput {
  ifd0?: Segment;
  exif?: Segment;
  gps?: Segment;
  iptc?: Segment;
  ihdr?: Segment;
  xmp?: unknown;
}

async function runExifr(input: string | Uint8Array): Promise<ExifrOutput> {
  try {
    const output: unknown = await exifr.parse(input, EXIFR_OPTIONS);
    return output && typeof output === 'object' ? (output as ExifrOutput) : {};
  } catch {
    return {}; // unknown format, or metadata too broken for exifr: nothing to report
  }
}

/**
 * exifr decodes EXIF and IPTC strings as Latin-1, but most tools write UTF-8 there: bytes that
 * form valid multi-byte UTF-8 are read as UTF-8 (Latin-1 prose is almost never valid UTF-8).
 */
function repairUtf8(value: string): string {
  let nonAscii = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) return value; // already decoded as something other than Latin-1
    if (code >= 0x80) nonAscii = true;
  }
  if (!nonAscii) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = repairUtf8(value).replace(/\0/g, '').trim();
  return cleaned === '' ? undefined : cleaned;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** "2023:06:01 12:34:56" (+ "+02:00") → "2023-06-01T12:34:56+02:00"; junk dates are dropped. */
function isoDate(value: unknown, offset: unknown): string | undefined {
  const m =
    typeof value === 'string'
      ? /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value)
      : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return undefined;
  const zone =
    typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`;
}

function gpsOf(gps: Segment | undefined): PhotoExif['gps'] {
  const lat = gps?.latitude;
  const lon = gps?.longitude;
  if (typeof lat !== 'number' || typeof lon !== 'number') return undefined;
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180)
    return undefined;
  // 0,0 is what devices without a fix write; nobody photographs that spot of ocean.
  if (lat === 0 && lon === 0) return undefined;
  return { lat, lon };
}

function exifOf(raw: ExifrOutput): PhotoExif | null {
  const { ifd0 = {}, exif = {}, ihdr = {} } = raw;
  const orientation = positiveInteger(ifd0.Orientation);
  const found: PhotoExif = {
    make: text(ifd0.Make),
    model: text(ifd0.Model),
    takenAt:
      isoDate(exif.DateTimeOriginal, exif.OffsetTimeOriginal) ??
      isoDate(exif.CreateDate, exif.OffsetTimeDigitized),
    orientation: orientation !== undefined && orientation <= 8 ? orientation : undefined,
    gps: gpsOf(raw.gps),
    width: positiveInteger(exif.ExifImageWidth ?? ifd0.ImageWidth ?? ihdr.ImageWidth),
    height: positiveInteger(exif.ExifImageHeight ?? ifd0.ImageHeight ?? ihdr.ImageHeight),
  };
  const present = Object.entries(found).filter(([, v]) => v !== undefined);
  return present.length > 0 ? (Object.fromEntries(present) as PhotoExif) : null;
}

function captionOf(raw: ExifrOutput, xmpText: string | null): EmbeddedCaption | null {
  const xmp = xmpText ? parseXmp(xmpText) : null;
  const tesseraText = xmp?.writtenByTessera ? xmp.description : null;
  // Legacy fields that merely mirror Tessera's XMP caption are Tessera's too.
  const mirrorsTessera = (t: string) =>
    tesseraText !== null && captionSha256(t.trim()) === captionSha256(tesseraText.trim());
  const candidates: EmbeddedCaption[] = [];
  if (xmp?.description && isMeaningfulCaption(xmp.description))
    candidates.push({ text: xmp.description, from: 'xmp', writtenByTessera: xmp.writtenByTessera });
  const exifText = text(raw.ifd0?.ImageDescription);
  if (exifText && isMeaningfulCaption(exifText))
    candidates.push({ text: exifText, from: 'exif', writtenByTessera: mirrorsTessera(exifText) });
  const iptcText = text(raw.iptc?.Caption);
  if (iptcText && isMeaningfulCaption(iptcText))
    candidates.push({ text: iptcText, from: 'iptc', writtenByTessera: mirrorsTessera(iptcText) });
  // exifr reports a PNG's text chunks beside its header fields.
  const pngText = text(raw.ihdr?.Description);
  if (pngText && isMeaningfulCaption(pngText))
    candidates.push({ text: pngText, from: 'png', writtenByTessera: mirrorsTessera(pngText) });
  // Precedence follows the MWG (XMP, then EXIF, then IPTC, then the PNG text), but a person's
  // caption anywhere outranks Tessera's own.
  return candidates.find((c) => !c.writtenByTessera) ?? candidates[0] ?? null;
}

/**
 * The metadata of an image file (by path) or of image bytes in memory. Throws only when a path
 * cannot be opened; anything wrong inside the file gives nulls.
 */
export async function readPhotoMetadata(input: string | Uint8Array): Promise<PhotoMetadata> {
  const { mime, input: exifrInput } =
    typeof input === 'string'
      ? await openSource(input)
      : { mime: sniffImageType(input.subarray(0, SNIFF_LENGTH))?.mime ?? null, input };
  if (mime === null) return { exif: null, embeddedCaption: null };
  let exifSource: string | Uint8Array | null =
    typeof exifrInput === 'string' ? exifrInput : exifrSafeCopy(exifrInput, mime);
  if (mime === 'image/webp') {
    // exifr does not read WebP: hand it the EXIF chunk, a TIFF structure after "Exif\0\0".
    const chunk = typeof exifrInput === 'string' ? null : findWebpChunk(exifrInput, 'EXIF');
    const tiff =
      chunk && Buffer.from(chunk).toString('latin1', 0, 6) === 'Exif\0\0'
        ? chunk.subarray(6)
        : chunk;
    exifSource = tiff && tiff.length > 0 ? tiff : null;
  }
  const raw = exifSource === null ? {} : await runExifr(exifSource);
  const xmpText =
    typeof exifrInput !== 'string' && mime in METADATA_COPIERS
      ? extractXmp(exifrInput, mime)
      : typeof raw.xmp === 'string'
        ? raw.xmp
        : null;
  return { exif: exifOf(raw), embeddedCaption: captionOf(raw, xmpText) };
}
