/**
 * Bit output for entropy-coded data: bits are packed most significant first, every 0xFF byte
 * is followed by a stuffed 0x00, and before a marker the last byte is padded with 1-bits (as
 * libjpeg's flush_bits, whose padding byte is stuffed too if it comes out as 0xFF).
 */
export class EntropyBitWriter {
  private buffer = new Uint8Array(1024);
  private length = 0;
  /** Pending bits, fewer than 8, in the low bits of `bits`. */
  private bits = 0;
  private bitCount = 0;

  private pushByte(byte: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = byte;
  }

  /** Writes the low `count` bits of `value` (count 0..16). */
  writeBits(value: number, count: number): void {
    this.bits = (this.bits << count) | (value & ((1 << count) - 1));
    this.bitCount += count;
    while (this.bitCount >= 8) {
      this.bitCount -= 8;
      const byte = (this.bits >> this.bitCount) & 0xff;
      this.pushByte(byte);
      if (byte === 0xff) this.pushByte(0x00);
    }
    this.bits &= (1 << this.bitCount) - 1;
  }

  /** Completes a partial last byte with 1-bits. */
  padToByte(): void {
    if (this.bitCount > 0) this.writeBits(0x7f, 8 - this.bitCount);
  }

  /** Pads to a byte boundary, then writes the marker FF `code`. */
  writeMarker(code: number): void {
    this.padToByte();
    this.pushByte(0xff);
    this.pushByte(code);
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
