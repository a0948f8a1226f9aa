/**
 * Recognises image files by their first bytes (never by name:
 * docs/studio.md §Folder captioning).
 */
export interface ImageFormat {
  ext: string;
  mime: string;
}

const startsWith = (bytes: Uint8Array, sig: readonly number[], at = 0) =>
  bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const FORMATS: { format: ImageFormat; matches: (b: Uint8Array) => boolean }[] = [
  {
    format: { ext: 'png', mime: 'image/png' },
    matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  { format: { ext: 'jpg', mime: 'image/jpeg' }, matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  {
    format: { ext: 'webp', mime: 'image/webp' },
    matches: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8),
  },
  {
    format: { ext: 'gif', mime: 'image/gif' },
    matches: (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')),
  },
  {
    format: { ext: 'tif', mime: 'image/tiff' },
    matches: (b) =>
      startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]),
  },
  {
    format: { ext: 'avif', mime: 'image/avif' },
    matches: (b) =>
      startsWith(b, ascii('ftyp'), 4) &&
      (startsWith(b, ascii('avif'), 8) || startsWith(b, ascii('avis'), 8)),
  },
  { format: { ext: 'bmp', mime: 'image/bmp' }, matches: (b) => startsWith(b, ascii('BM')) },
];

export const UNKNOWN_FORMAT: ImageFormat = { ext: 'bin', mime: 'application/octet-stream' };

export function sniffImageFormat(bytes: Uint8Array): ImageFormat {
  return FORMATS.find((f) => f.matches(bytes))?.format ?? UNKNOWN_FORMAT;
}

/** The stored file extension for a MIME type; objects are named by it. */
export function extensionForMime(mime: string): string {
  return FORMATS.find((f) => f.format.mime === mime)?.format.ext ?? UNKNOWN_FORMAT.ext;
}

export const KNOWN_EXTENSIONS = [...FORMATS.map((f) => f.format.ext), UNKNOWN_FORMAT.ext];
