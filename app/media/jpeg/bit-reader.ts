/**
 * Bit input over a whole body (entropy data after SOS, with its markers), as libjpeg-turbo's
 * jpeg_fill_bit_buffer (jdhuff.c) and next_marker (jdmarker.c) read it. FF 00 reads as a data
 * byte 0xFF (so does FF FF … 00: fill bytes may repeat); any other FF xx is a marker, which
 * the data cannot pass: it is kept as `unreadMarker` and zero bits are made up from there on
 * (libjpeg warns "premature end of data segment" and sets insufficient_data). Nothing past the
 * first marker the data reaches is read until the restart logic moves on.
 *
 * A body being generated may stop anywhere: a bit or marker that needs bytes beyond the end
 * is PENDING (the caller stops there and tries again when more has arrived), so every result
 * depends only on bytes already read and never changes as the body grows.
 */

/** What readBit and friends return when the body stops before the answer is known. */
export const PENDING = -1;

export class EntropyBitReader {
  /** Offset of the next byte to read. */
  private at = 0;
  private byte = 0;
  /** Bits of `byte` not yet read. */
  private left = 0;
  /** The marker code the data ran into, libjpeg's unread_marker; 0 when none. */
  unreadMarker = 0;
  /** libjpeg's insufficient_data: zero bits were made up since the last reset. */
  insufficientData = false;
  /** Zero bits made up since clearFlags(): the data ran into a marker. */
  madeUpBits = false;
  /** Data bytes loaded since clearFlags() (made-up zero bytes not counted). */
  dataBytes = 0;

  constructor(private readonly data: Uint8Array) {}

  clearFlags(): void {
    this.madeUpBits = false;
    this.dataBytes = 0;
  }

  /** Loads the next byte into `byte`; false if the body stops first. */
  private load(): boolean {
    if (this.unreadMarker === 0) {
      const { data } = this;
      if (this.at >= data.length) return false;
      const byte = data[this.at]!;
      if (byte !== 0xff) {
        this.at++;
        this.byte = byte;
        this.left = 8;
        this.dataBytes++;
        return true;
      }
      let next = this.at + 1;
      while (next < data.length && data[next] === 0xff) next++;
      if (next >= data.length) return false;
      this.at = next + 1;
      if (data[next] === 0x00) {
        this.byte = 0xff;
        this.left = 8;
        this.dataBytes++;
        return true;
      }
      this.unreadMarker = data[next]!;
    }
    this.insufficientData = true;
    this.madeUpBits = true;
    this.byte = 0;
    this.left = 8;
    return true;
  }

  /** The next bit, or PENDING. */
  readBit(): number {
    if (this.left === 0 && !this.load()) return PENDING;
    this.left--;
    return (this.byte >> this.left) & 1;
  }

  /** The next `count` bits (0..16) as an unsigned number, or PENDING. */
  readBits(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const bit = this.readBit();
      if (bit < 0) return PENDING;
      value = (value << 1) | bit;
    }
    return value;
  }

  /** Drops the bits left in the current byte, as libjpeg does at a restart. */
  discardBits(): void {
    this.left = 0;
  }

  /**
   * libjpeg's next_marker: skips data bytes, FF 00 pairs and FF fill bytes up to the next
   * marker and makes it the unread marker. False if the body stops first.
   */
  nextMarker(): boolean {
    const { data } = this;
    let at = this.at;
    for (;;) {
      while (at < data.length && data[at] !== 0xff) at++;
      let next = at + 1;
      while (next < data.length && data[next] === 0xff) next++;
      if (next >= data.length) return false;
      if (data[next] !== 0x00) {
        this.unreadMarker = data[next]!;
        this.at = next + 1;
        return true;
      }
      at = next + 1;
    }
  }
}
