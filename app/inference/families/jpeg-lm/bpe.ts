/**
 * The byte BPE of `jpeg-lm` (docs/models.md §jpeg-lm tokens), the twin of
 * native-models/…/jpeg_lm/bpe.py; golden-bpe.json holds the two to identical ids.
 *
 * Base symbols (265): ids 0..254 are the bytes 00..FE, 255 is the stuffed pair FF 00, 256..263
 * are RST0..RST7 and 264 is EOI. A lone FF has no symbol, so every token string is a valid
 * piece of entropy-coded data. Merges apply in rank order, each to every non-overlapping
 * occurrence left to right, and never across a marker: each MCU segment is encoded on its own
 * and a marker is always exactly one token.
 */

export const STUFFED = 255;
export const RST0 = 256;
export const EOI_ID = 264;
export const BASE = 265;
export const BPE_VERSION = 1;

export const isMarker = (symbol: number): boolean => symbol >= RST0 && symbol <= EOI_ID;

/** Bytes that are not entropy-coded data: a lone FF or a marker other than RSTn and EOI. */
export class JpegBodyError extends RangeError {}

/** Body bytes -> base symbols. */
export function baseSymbols(body: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b !== 0xff) {
      out.push(b);
      continue;
    }
    if (i + 1 >= body.length) throw new JpegBodyError(`lone FF at the end of the body (byte ${i})`);
    const next = body[++i]!;
    if (next === 0x00) out.push(STUFFED);
    else if (next >= 0xd0 && next <= 0xd7) out.push(RST0 + next - 0xd0);
    else if (next === 0xd9) out.push(EOI_ID);
    else {
      const hex = next.toString(16).toUpperCase().padStart(2, '0');
      throw new JpegBodyError(`unexpected marker FF ${hex} at byte ${i - 1} of the body`);
    }
  }
  return out;
}

/** Every non-overlapping (left, right) pair, left to right, becomes `merged`. */
function mergePairs(seq: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < seq.length; i++) {
    if (i + 1 < seq.length && seq[i] === left && seq[i + 1] === right) {
      out.push(merged);
      i++;
    } else out.push(seq[i]!);
  }
  return out;
}

/** The tokenizer file `jpeg-bpe.json`. */
export interface JpegBpeFile {
  kind: 'jpeg-bpe';
  version: number;
  merges: [number, number][];
}

export class JpegBpe {
  /** Bytes of each token id. */
  private readonly pieces: Uint8Array[];

  constructor(readonly merges: readonly (readonly [number, number])[]) {
    this.pieces = Array.from({ length: 255 }, (_, b) => Uint8Array.of(b));
    this.pieces.push(Uint8Array.of(0xff, 0x00));
    for (let k = 0; k < 8; k++) this.pieces.push(Uint8Array.of(0xff, 0xd0 + k));
    this.pieces.push(Uint8Array.of(0xff, 0xd9));
    merges.forEach(([left, right], rank) => {
      // A merge may only join tokens that exist before it: base symbols or earlier merges.
      for (const side of [left, right]) {
        if (!Number.isInteger(side) || side < 0 || side >= BASE + rank)
          throw new RangeError(`merge ${rank} joins token ${side}, which does not exist yet`);
        if (isMarker(side)) throw new RangeError(`merge ${rank} includes a marker (${side})`);
      }
      const a = this.pieces[left]!;
      const b = this.pieces[right]!;
      const piece = new Uint8Array(a.length + b.length);
      piece.set(a);
      piece.set(b, a.length);
      this.pieces.push(piece);
    });
  }

  /** Validates a parsed `jpeg-bpe.json`; the message names what is wrong. */
  static fromJson(data: unknown): JpegBpe {
    const doc = data as Partial<JpegBpeFile> | null;
    if (doc?.kind !== 'jpeg-bpe' || doc.version !== BPE_VERSION)
      throw new RangeError(`not a jpeg-bpe v${BPE_VERSION} tokenizer`);
    const merges = doc.merges;
    if (!Array.isArray(merges) || merges.some((m) => !Array.isArray(m) || m.length !== 2))
      throw new RangeError('its merges are not a list of [left, right] pairs');
    return new JpegBpe(merges);
  }

  get size(): number {
    return BASE + this.merges.length;
  }

  /** Base symbols of one MCU segment (no markers) -> token ids. */
  encodeSegment(symbols: readonly number[]): number[] {
    let seq = [...symbols];
    for (let rank = 0; rank < this.merges.length && seq.length >= 2; rank++) {
      const [left, right] = this.merges[rank]!;
      if (seq.includes(left)) seq = mergePairs(seq, left, right, BASE + rank);
    }
    return seq;
  }

  /** Body bytes (markers included) -> token ids; throws JpegBodyError on a lone FF. */
  encode(body: Uint8Array): number[] {
    const out: number[] = [];
    let segment: number[] = [];
    for (const s of baseSymbols(body)) {
      if (isMarker(s)) {
        out.push(...this.encodeSegment(segment), s);
        segment = [];
      } else segment.push(s);
    }
    out.push(...this.encodeSegment(segment));
    return out;
  }

  /** Token ids -> body bytes. */
  decode(ids: readonly number[]): Uint8Array {
    let length = 0;
    for (const id of ids) {
      const piece = this.pieces[id];
      if (piece === undefined)
        throw new RangeError(`token ${id} is not a JPEG token of this model (0..${this.size - 1})`);
      length += piece.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const id of ids) {
      out.set(this.pieces[id]!, at);
      at += this.pieces[id]!.length;
    }
    return out;
  }
}
