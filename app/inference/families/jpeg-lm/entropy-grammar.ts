/**
 * The entropy-coded grammar of one MCU (docs/models.md §jpeg-lm MCU grammar), the twin of
 * native-models/…/jpeg_lm/entropy_grammar.py; golden.json holds the two to identical tokens.
 *
 * Constrained decoding goes down to the Huffman codes, so every sampled MCU is a valid baseline
 * MCU and the assembled file decodes without a corrupt block: a data token is allowed only if
 * its bytes continue a valid MCU, and the MCU's marker only once its six blocks (Y Y Y Y Cb Cr
 * at 4:2:0) are complete.
 *
 * State, read bit by bit, most significant bit first (a stuffed FF 00 is the data byte FF):
 *   block   0..5 the block being read, 6 = the MCU is complete
 *   k       0 = the next code is the block's DC code; 1..63 the next AC coefficient
 *           (64 while the magnitude bits of coefficient 63 are read)
 *   code    the Huffman code read so far, `length` bits (0..15)
 *   extra   magnitude bits still to skip after a code
 * packed into one number: k << 23 | code << 8 | length << 4 | extra, plus block · 2^30.
 * Strict where decoders are lenient: a run past coefficient 63, a code not in the table, a
 * 16-bit prefix without a code, or data after the MCU completes (past the padding bits of the
 * byte it completes in) make a token illegal. A token must also leave the MCU completable: a
 * partial code whose every completion is illegal at this coefficient (only runs past 63 left,
 * say) is a dead end, and a token ending in one is refused.
 *
 * The code tables and the block → table mapping come from the codec (its DHT tables and the
 * header's SOF0/SOS selectors); the codec only accepts Y, Cb, Cr at 4:2:0 in one interleaved
 * scan in frame order, so the blocks of an MCU are Y Y Y Y Cb Cr.
 */
import type { ComponentCoding, JpegCodec } from '../../../media/jpeg/index.ts';

type HuffmanCodes = ComponentCoding['dcCodes'];

/** A packed grammar state; see the module comment. */
export type GrammarState = number;

export const BLOCKS = 6;
const BLOCK_UNIT = 2 ** 30;
/** States whose allowed sets are kept; past it the cache starts over (answers are the same). */
const CACHED_STATES = 20_000;

const pack = (block: number, k: number, code: number, length: number, extra: number) =>
  block * BLOCK_UNIT + ((k << 23) | (code << 8) | (length << 4) | extra);

export const START: GrammarState = pack(0, 0, 0, 0, 0);
/** Every path that completes an MCU lands here. */
export const COMPLETE: GrammarState = pack(BLOCKS, 0, 0, 0, 0);

/** A token's entropy-coded bytes with byte stuffing removed (FF 00 -> FF). */
export function dataBytes(token: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < token.length; i++) {
    out.push(token[i]!);
    if (token[i] === 0xff && token[i + 1] === 0x00) i++;
  }
  return Uint8Array.from(out);
}

/** The largest coefficient index at which a code's symbol is legal (-1: never). */
function lastLegalK(symbol: number, ac: boolean): number {
  if (!ac) return 0; // a DC symbol is read at k = 0
  const run = symbol >> 4;
  const size = symbol & 15;
  if (size === 0) return run === 0 ? 63 : run === 15 ? 48 : -1; // EOB; ZRL needs 16 coefficients
  return 63 - run;
}

/**
 * length << 16 | code of every proper prefix of a code -> the largest k at which some code
 * under it is legal: a partial code below that k can still be completed.
 */
function livePrefixes(codes: Map<number, number>, ac: boolean): Map<number, number> {
  const out = new Map<number, number>();
  for (const [key, symbol] of codes) {
    const length = key >>> 16;
    const code = key & 0xffff;
    const last = lastLegalK(symbol, ac);
    for (let n = 1; n < length; n++) {
      const prefix = (n << 16) | (code >>> (length - n));
      out.set(prefix, Math.max(out.get(prefix) ?? -1, last));
    }
  }
  return out;
}

/** length << 16 | code -> symbol, for every code of a table. */
function codeMap(codes: HuffmanCodes): Map<number, number> {
  const out = new Map<number, number>();
  for (let symbol = 0; symbol < 256; symbol++) {
    const length = codes.length[symbol]!;
    if (length !== 0) out.set((length << 16) | codes.code[symbol]!, symbol);
  }
  return out;
}

export class EntropyGrammar {
  /** (DC codes, AC codes) of each block of an MCU, in scan order. */
  private readonly blocks: readonly (readonly [Map<number, number>, Map<number, number>])[];
  /** Per block: (DC, AC) live prefixes, see livePrefixes. */
  private readonly live: readonly (readonly [Map<number, number>, Map<number, number>])[];
  /** Unstuffed bytes of each JPEG token, null for markers. */
  private readonly tokens: readonly (Uint8Array | null)[];
  /** Per state: the allowed JPEG ids (ascending) and the state after each. */
  private readonly cache = new Map<GrammarState, { ids: Int32Array; next: Float64Array }>();

  /** `tokenBytes[t]`: the raw bytes of JPEG token t (BPE id), null for markers. */
  constructor(codec: JpegCodec, tokenBytes: readonly (Uint8Array | null)[]) {
    const [y, cb, cr] = codec.components.map(
      (c) => [codeMap(c.dcCodes), codeMap(c.acCodes)] as const,
    );
    this.blocks = [y!, y!, y!, y!, cb!, cr!];
    this.live = this.blocks.map(
      ([dc, ac]) => [livePrefixes(dc, false), livePrefixes(ac, true)] as const,
    );
    this.tokens = tokenBytes.map((b) => (b === null ? null : dataBytes(b)));
  }

  static complete(state: GrammarState): boolean {
    return state >= BLOCKS * BLOCK_UNIT;
  }

  private bit(state: GrammarState, bit: number): GrammarState | null {
    const block = Math.floor(state / BLOCK_UNIT);
    const low = state % BLOCK_UNIT;
    let k = low >>> 23;
    let code = (low >>> 8) & 0x7fff;
    let length = (low >>> 4) & 15;
    let extra = low & 15;
    if (extra > 0) {
      extra -= 1;
      if (extra === 0 && k === 64) return pack(block + 1, 0, 0, 0, 0);
      return pack(block, k, 0, 0, extra);
    }
    code = (code << 1) | bit;
    length += 1;
    const [dc, ac] = this.blocks[block]!;
    const symbol = (k === 0 ? dc : ac).get((length << 16) | code);
    if (symbol === undefined) return length >= 16 ? null : pack(block, k, code, length, 0);
    if (k === 0) return pack(block, 1, 0, 0, symbol); // DC: `symbol` magnitude bits follow
    const run = symbol >> 4;
    const size = symbol & 15;
    if (size === 0) {
      if (run === 15) {
        // ZRL: sixteen zeros
        if (k + 16 > 64) return null;
        k += 16;
        return k === 64 ? pack(block + 1, 0, 0, 0, 0) : pack(block, k, 0, 0, 0);
      }
      if (run === 0) return pack(block + 1, 0, 0, 0, 0); // EOB
      return null;
    }
    k += run;
    if (k > 63) return null;
    return pack(block, k + 1, 0, 0, size);
  }

  /**
   * Whether some continuation completes the MCU from `state`: at a code boundary always (a DC
   * code of size 0, or EOB); mid-code only if some code under the prefix is legal at this k.
   */
  isLive(state: GrammarState): boolean {
    const block = Math.floor(state / BLOCK_UNIT);
    const low = state % BLOCK_UNIT;
    const length = (low >>> 4) & 15;
    if (block === BLOCKS || length === 0) return true;
    const k = low >>> 23;
    const code = (low >>> 8) & 0x7fff;
    const [dc, ac] = this.live[block]!;
    return ((k === 0 ? dc : ac).get((length << 16) | code) ?? -1) >= k;
  }

  /**
   * The state after `data`; null if it breaks the MCU, runs on after it completes, or leaves
   * it where it can no longer complete (a dead end the sampler could not leave).
   */
  feed(state: GrammarState, data: Uint8Array): GrammarState | null {
    const after = data.length === 0 ? state : this.read(state, data);
    return after !== null && this.isLive(after) ? after : null;
  }

  private read(state: GrammarState, data: Uint8Array): GrammarState | null {
    for (const byte of data) {
      if (EntropyGrammar.complete(state)) return null; // a whole byte after the MCU ended
      for (let shift = 7; shift >= 0; shift--) {
        if (EntropyGrammar.complete(state)) break; // the rest of this byte is padding
        const next = this.bit(state, (byte >> shift) & 1);
        if (next === null) return null;
        state = next;
      }
    }
    return state;
  }

  private entry(state: GrammarState): { ids: Int32Array; next: Float64Array } {
    let e = this.cache.get(state);
    if (e === undefined) {
      const ids: number[] = [];
      const next: number[] = [];
      this.tokens.forEach((data, t) => {
        const after = data === null ? null : this.feed(state, data);
        if (after !== null) {
          ids.push(t);
          next.push(after);
        }
      });
      e = { ids: Int32Array.from(ids), next: Float64Array.from(next) };
      if (this.cache.size >= CACHED_STATES) this.cache.clear();
      this.cache.set(state, e);
    }
    return e;
  }

  /** The state after JPEG token `token`; null if it is not allowed from `state`. */
  after(state: GrammarState, token: number): GrammarState | null {
    const { ids, next } = this.entry(state);
    // Binary search: ids are ascending.
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid]! === token) return next[mid]!;
      if (ids[mid]! < token) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  /** JPEG token ids (ascending) that keep the MCU valid from `state`; none once complete. */
  allowedData(state: GrammarState): Int32Array {
    return this.entry(state).ids;
  }
}
