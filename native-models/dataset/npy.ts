/** Writes NumPy `.npy` (format 1.0) files for uint8 arrays, so Python loads pixels in one read. */

export function npyHeader(shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '|u1', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + header length (2) + dict + newline must be a multiple of 64.
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const header = Buffer.alloc(10 + dict.length);
  header.write('\x93NUMPY', 0, 'latin1');
  header.writeUInt8(1, 6);
  header.writeUInt8(0, 7);
  header.writeUInt16LE(dict.length, 8);
  header.write(dict, 10, 'latin1');
  return header;
}

export function encodeNpyUint8(data: Uint8Array, shape: readonly number[]): Buffer {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`npy: ${data.length} bytes do not fill shape [${shape.join(', ')}]`);
  }
  return Buffer.concat([npyHeader(shape), Buffer.from(data.buffer, data.byteOffset, data.length)]);
}
