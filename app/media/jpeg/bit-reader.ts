/**
 * Bit input from one segment of entropy-coded data (the bytes between two markers, stuffing
 * still in place). FF 00 reads as a data byte 0xFF; any other FF xx, or a lone FF at the end
 * of the bytes, ends the data, as a marker would. readBit returns -1 once the data has ended.
 */
export class EntropyBitReader {
  private at = 0;
  private byte = 0;
  /** Bits of `byte` not yet read. */
  private left = 0;
  private ended = false;

  constructor(private readonly data: Uint8Array) {}

  private nextByte(): boolean {
    if (this.ended || this.at >= this.data.length) return false;
    const byte = this.data[this.at]!;
    if (byte !== 0xff) {
      this.at++;
      this.byte = byte;
      this.left = 8;
      return true;
    }
    // libjpeg reads FF FF ... 00 as one stuffed 0xFF: fill bytes may repeat.
    let next = this.at + 1;
    while (next < this.data.length && this.data[next] === 0xff) next++;
    if (next >= this.data.length || this.data[next] !== 0x00) {
      this.ended = true;
      return false;
    }
    this.at = next + 1;
    this.byte = 0xff;
    this.left = 8;
    return true;
  }

  readBit(): number {
    if (this.left === 0 && !this.nextByte()) return -1;
    this.left--;
    return (this.byte >> this.left) & 1;
  }

  /** The next `count` bits (0..16) as an unsigned number, or -1 if the data ends first. */
  readBits(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const bit = this.readBit();
      if (bit < 0) return -1;
      value = (value << 1) | bit;
    }
    return value;
  }
}
