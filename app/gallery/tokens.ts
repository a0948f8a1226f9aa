/** The token record of a generation as stored: Int32 little-endian, 4 bytes per code. */
import { invalid } from './errors.ts';

export function encodeCodes(codes: readonly number[]): Buffer {
  const out = Buffer.alloc(codes.length * 4);
  codes.forEach((code, i) => {
    if (!Number.isInteger(code) || code < -0x80000000 || code > 0x7fffffff)
      throw invalid(
        `token ${i} (${code}) is not a 32-bit integer: pass the codes the model sampled`,
      );
    out.writeInt32LE(code, i * 4);
  });
  return out;
}

export function decodeCodes(blob: Uint8Array): number[] {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Array<number>(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt32LE(i * 4);
  return out;
}
