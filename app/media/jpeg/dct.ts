/**
 * libjpeg's "islow" integer DCTs (Loeffler–Ligtenberg–Moschytz, 13-bit constants, two passes
 * with PASS1_BITS = 2 of extra precision between them), written to give the same integers.
 * Forward: 64 level-shifted samples (-128..127, row-major) → coefficients scaled up by 8.
 * Inverse: 64 quantized coefficients (natural order) and their steps → 8×8 samples 0..255,
 * with the integer widths of libjpeg-turbo's x86 SIMD code (see below).
 * The forward DCT's arithmetic is done on JS numbers, which stay exact far beyond the 32-bit
 * range its products can reach; its shifts are floor divisions like C's on a 64-bit long.
 */
const CONST_BITS = 13;
const PASS1_BITS = 2;

const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/** x / 2^n rounded half up, as libjpeg's DESCALE. */
function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/**
 * One 1-D forward pass over 8 values at data[base + i * step]. Rows shift the even part up by
 * PASS1_BITS and descale the odd part by CONST_BITS - PASS1_BITS; columns remove PASS1_BITS.
 */
function forwardPass(data: Int32Array, base: number, step: number, rows: boolean): void {
  const d = (i: number) => data[base + i * step]!;
  const tmp0 = d(0) + d(7);
  let tmp7 = d(0) - d(7);
  const tmp1 = d(1) + d(6);
  let tmp6 = d(1) - d(6);
  const tmp2 = d(2) + d(5);
  let tmp5 = d(2) - d(5);
  const tmp3 = d(3) + d(4);
  let tmp4 = d(3) - d(4);

  const tmp10 = tmp0 + tmp3;
  const tmp13 = tmp0 - tmp3;
  const tmp11 = tmp1 + tmp2;
  const tmp12 = tmp1 - tmp2;

  const shift = rows ? CONST_BITS - PASS1_BITS : CONST_BITS + PASS1_BITS;
  const out = (i: number, value: number) => {
    data[base + i * step] = value;
  };
  if (rows) {
    out(0, (tmp10 + tmp11) * (1 << PASS1_BITS));
    out(4, (tmp10 - tmp11) * (1 << PASS1_BITS));
  } else {
    out(0, descale(tmp10 + tmp11, PASS1_BITS));
    out(4, descale(tmp10 - tmp11, PASS1_BITS));
  }
  let z1 = (tmp12 + tmp13) * FIX_0_541196100;
  out(2, descale(z1 + tmp13 * FIX_0_765366865, shift));
  out(6, descale(z1 - tmp12 * FIX_1_847759065, shift));

  z1 = tmp4 + tmp7;
  let z2 = tmp5 + tmp6;
  let z3 = tmp4 + tmp6;
  let z4 = tmp5 + tmp7;
  const z5 = (z3 + z4) * FIX_1_175875602;
  tmp4 *= FIX_0_298631336;
  tmp5 *= FIX_2_053119869;
  tmp6 *= FIX_3_072711026;
  tmp7 *= FIX_1_501321110;
  z1 *= -FIX_0_899976223;
  z2 *= -FIX_2_562915447;
  z3 = z3 * -FIX_1_961570560 + z5;
  z4 = z4 * -FIX_0_390180644 + z5;
  out(7, descale(tmp4 + z1 + z3, shift));
  out(5, descale(tmp5 + z2 + z4, shift));
  out(3, descale(tmp6 + z2 + z3, shift));
  out(1, descale(tmp7 + z1 + z4, shift));
}

/** In place: level-shifted samples in, coefficients ×8 out, both natural order. */
export function forwardDctIslow(block: Int32Array): void {
  for (let row = 0; row < 8; row++) forwardPass(block, row * 8, 1, true);
  for (let col = 0; col < 8; col++) forwardPass(block, col, 8, false);
}

/*
 * Inverse: libjpeg-turbo's islow IDCT as Pillow runs it on x86-64, which is the SIMD version
 * (jidctint-avx2.asm, or jidctint-sse2.asm without AVX2: both give the same integers), not
 * jidctint.c. For coefficients a real encoder writes the two agree, but model-sampled data
 * decodes to coefficients whose products and sums leave 16 bits, and there the SIMD code
 * differs from the C code (whose output goes through range_limit[x & RANGE_MASK], a
 * wraparound) in five ways, all reproduced here:
 *
 * 1. Dequantization is a 16-bit multiply (pmullw): coefficient × step keeps its low 16 bits.
 * 2. The even part's in0 ± in4 and the odd part's in7 + in3, in5 + in1 are 16-bit adds that
 *    wrap; products and the other sums are 32-bit (pmaddwd, paddd), with the constants of
 *    jidctint.c regrouped so that each product pairs two inputs.
 * 3. After each pass the descaled 32-bit results are packed to 16 bits with saturation.
 * 4. The output is saturated to -128..127 and shifted by 128: out-of-range samples clamp to
 *    0 or 255 instead of wrapping.
 * 5. When every coefficient below the top row is zero, the first pass is skipped: each column
 *    is its dequantized top-row value shifted left by PASS1_BITS in 16 bits (psllw, wrapping),
 *    where the full pass would have saturated.
 */

/** x as a 16-bit two's complement number (the low 16 bits, sign-extended). */
function wrap16(x: number): number {
  return (x << 16) >> 16;
}

function saturate16(x: number): number {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : x;
}

/** The constants as the SIMD code pairs them for pmaddwd. */
const F_130 = FIX_0_541196100 + FIX_0_765366865;
const F_054_MINUS_F_184 = FIX_0_541196100 - FIX_1_847759065;
const F_117_MINUS_F_196 = FIX_1_175875602 - FIX_1_961570560;
const F_117_MINUS_F_039 = FIX_1_175875602 - FIX_0_390180644;
const F_029_MINUS_F_089 = FIX_0_298631336 - FIX_0_899976223;
const F_150_MINUS_F_089 = FIX_1_501321110 - FIX_0_899976223;
const F_205_MINUS_F_256 = FIX_2_053119869 - FIX_2_562915447;
const F_307_MINUS_F_256 = FIX_3_072711026 - FIX_2_562915447;

/**
 * One 1-D pass over eight 16-bit values src[s + i * sStep]: eight 16-bit results, descaled by
 * `shift` with rounding and saturated, to dst[d + i * dStep].
 */
function inversePass(
  src: Int32Array,
  s: number,
  sStep: number,
  dst: Int32Array,
  d: number,
  dStep: number,
  shift: number,
): void {
  const in0 = src[s]!;
  const in1 = src[s + sStep]!;
  const in2 = src[s + 2 * sStep]!;
  const in3 = src[s + 3 * sStep]!;
  const in4 = src[s + 4 * sStep]!;
  const in5 = src[s + 5 * sStep]!;
  const in6 = src[s + 6 * sStep]!;
  const in7 = src[s + 7 * sStep]!;

  // Even part. Each pmaddwd sum of two 16-bit × constant products fits in 32 bits.
  const tmp0 = wrap16(in0 + in4) * 2 ** CONST_BITS;
  const tmp1 = wrap16(in0 - in4) * 2 ** CONST_BITS;
  const tmp3 = in2 * F_130 + in6 * FIX_0_541196100;
  const tmp2 = in2 * FIX_0_541196100 + in6 * F_054_MINUS_F_184;
  const tmp10 = (tmp0 + tmp3) | 0;
  const tmp13 = (tmp0 - tmp3) | 0;
  const tmp11 = (tmp1 + tmp2) | 0;
  const tmp12 = (tmp1 - tmp2) | 0;

  // Odd part.
  const z3 = wrap16(in7 + in3);
  const z4 = wrap16(in5 + in1);
  const z3Scaled = z3 * F_117_MINUS_F_196 + z4 * FIX_1_175875602;
  const z4Scaled = z3 * FIX_1_175875602 + z4 * F_117_MINUS_F_039;
  const odd0 = (in7 * F_029_MINUS_F_089 - in1 * FIX_0_899976223 + z3Scaled) | 0;
  const odd1 = (in5 * F_205_MINUS_F_256 - in3 * FIX_2_562915447 + z4Scaled) | 0;
  const odd2 = (-in5 * FIX_2_562915447 + in3 * F_307_MINUS_F_256 + z3Scaled) | 0;
  const odd3 = (-in7 * FIX_0_899976223 + in1 * F_150_MINUS_F_089 + z4Scaled) | 0;

  const round = 1 << (shift - 1);
  const out = (i: number, value: number) => {
    dst[d + i * dStep] = saturate16((((value | 0) + round) | 0) >> shift);
  };
  out(0, tmp10 + odd3);
  out(7, tmp10 - odd3);
  out(1, tmp11 + odd2);
  out(6, tmp11 - odd2);
  out(2, tmp12 + odd1);
  out(5, tmp12 - odd1);
  out(3, tmp13 + odd0);
  out(4, tmp13 - odd0);
}

const dequantized = new Int32Array(64);
const workspace = new Int32Array(64);
const lane = new Int32Array(8);

/**
 * Dequantizes 64 coefficients at coefficients[offset..] (natural order) by `steps` and writes
 * the 8×8 samples to output[outputOffset + row * stride + column].
 */
export function inverseDctIslow(
  coefficients: Int16Array,
  offset: number,
  steps: Uint16Array,
  output: Uint8Array,
  outputOffset: number,
  stride: number,
): void {
  let onlyTopRow = true;
  for (let i = 8; i < 64 && onlyTopRow; i++) onlyTopRow = coefficients[offset + i] === 0;
  for (let i = 0; i < 64; i++)
    dequantized[i] = wrap16(Math.imul(coefficients[offset + i]!, steps[i]!));

  // Pass 1: columns, into the workspace (row-major).
  if (onlyTopRow) {
    for (let col = 0; col < 8; col++) {
      const value = wrap16(dequantized[col]! << PASS1_BITS);
      for (let row = 0; row < 8; row++) workspace[row * 8 + col] = value;
    }
  } else {
    for (let col = 0; col < 8; col++)
      inversePass(dequantized, col, 8, workspace, col, 8, CONST_BITS - PASS1_BITS);
  }

  // Pass 2: rows, to samples.
  for (let row = 0; row < 8; row++) {
    inversePass(workspace, row * 8, 1, lane, 0, 1, CONST_BITS + PASS1_BITS + 3);
    const o = outputOffset + row * stride;
    for (let col = 0; col < 8; col++) {
      const value = lane[col]!;
      output[o + col] = (value < -128 ? -128 : value > 127 ? 127 : value) + 128;
    }
  }
}
