/**
 * PNG encoding with text metadata, and reading that metadata back. Output bytes are a pure
 * function of the pixels and the chunks (fixed zlib level and no timestamps), which is what
 * lets a replayed generation be compared byte for byte.
 */
import { deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

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
  for (const [key, value] of Object.entries(meta.itext ?? {})) {
    const header = Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0, 0, 0, 0, 0])]);
    chunks.push(chunk('iTXt', Buffer.concat([header, Buffer.from(value, 'utf8')])));
  }
  chunks.push(chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([SIGNATURE, ...chunks]);
}

export class PngFormatError extends Error {}

/** Text chunks of a PNG (tEXt, zTXt and uncompressed or compressed iTXt), keyed by keyword. */
export function readPngText(bytes: Uint8Array): Record<string, string> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE))
    throw new PngFormatError('not a PNG file');
  const out: Record<string, string> = {};
  let pos = 8;
  while (pos + 12 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + length > buf.length) throw new PngFormatError('the PNG file is truncated');
    const data = buf.subarray(pos + 8, pos + 8 + length);
    const nul = data.indexOf(0);
    if (type === 'tEXt' && nul > 0)
      out[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    if (type === 'zTXt' && nul > 0)
      out[data.toString('latin1', 0, nul)] = inflateSync(data.subarray(nul + 2)).toString('latin1');
    if (type === 'iTXt' && nul > 0) {
      const compressed = data[nul + 1] === 1;
      let p = nul + 3;
      p = data.indexOf(0, p) + 1; // language tag
      p = data.indexOf(0, p) + 1; // translated keyword
      const body = data.subarray(p);
      out[data.toString('latin1', 0, nul)] = (compressed ? inflateSync(body) : body).toString(
        'utf8',
      );
    }
    if (type === 'IEND') break;
    pos += 12 + length;
  }
  return out;
}
