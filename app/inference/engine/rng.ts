/**
 * tessera-prng-v1: counter-based random numbers for every sampling loop
 * (docs/models.md §Randomness).
 *
 * Philox4x32-10 (Salmon et al., SC 2011) keyed by (seed, stream) and driven by a 64-bit draw
 * counter, so a draw is a pure function of (seed, stream, counter): a job resumes, replays or
 * branches from any step by storing three integers. native-models/…/common/prng.py is the
 * Python twin; shared known-answer vectors and goldens keep the two identical.
 */

export const PRNG_VERSION = 'tessera-prng-v1';
export const PURPOSE_SAMPLE = 1;
export const PURPOSE_NOISE = 2;
export const PURPOSE_CAPTION = 3;

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High and low 32 bits of a 32×32-bit unsigned product, exact in float64 halves. */
function mulHiLo(a: number, b: number): [number, number] {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const lolo = aLo * bLo;
  const hilo = aHi * bLo;
  const lohi = aLo * bHi;
  const hihi = aHi * bHi;
  const cross = (lolo >>> 16) + (hilo & 0xffff) + (lohi & 0xffff);
  const hi = (hihi + (hilo >>> 16) + (lohi >>> 16) + Math.floor(cross / 65536)) >>> 0;
  const lo = ((cross << 16) | (lolo & 0xffff)) >>> 0;
  return [hi, lo];
}

export function philox4x32_10(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter;
  let [k0, k1] = key;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulHiLo(M0, c0);
    const [hi1, lo1] = mulHiLo(M1, c2);
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  return [c0, c1, c2, c3];
}

function u53(hi: number, lo: number): number {
  return ((hi >>> 5) * 67108864 + (lo >>> 6)) / 9007199254740992;
}

export function streamId(imageIndex: number, purpose: number): number {
  return (imageIndex * 256 + purpose) >>> 0;
}

export class Prng {
  readonly key: [number, number];
  /** Draws taken so far; exact as a float64 integer up to 2^53. */
  counter: number;

  constructor(seed: number, stream: number, counter = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError('seed must be a whole number from 0 to 4294967295');
    }
    this.key = [seed >>> 0, stream >>> 0];
    this.counter = counter;
  }

  private block(): [number, number, number, number] {
    const c = this.counter++;
    return philox4x32_10([c >>> 0, Math.floor(c / 4294967296) >>> 0, 0, 0], this.key);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const b = this.block();
    return u53(b[0], b[1]);
  }

  /** Two independent standard normals (Box–Muller), one counter step. */
  normalPair(): [number, number] {
    const b = this.block();
    const u1 = 1 - u53(b[0], b[1]);
    const u2 = u53(b[2], b[3]);
    const r = Math.sqrt(-2 * Math.log(u1));
    return [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
  }
}
