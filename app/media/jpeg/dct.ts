/**
 * libjpeg's "islow" integer DCTs (Loeffler–Ligtenberg–Moschytz, 13-bit constants, two passes
 * with PASS1_BITS = 2 of extra precision between them), written to give the same integers.
 * Forward: 64 level-shifted samples (-128..127, row-major) → coefficients scaled up by 8.
 * Inverse: 64 quantized coefficients (natural order) and their steps → 8×8 samples 0..255.
 * Arithmetic is done on JS numbers, which stay exact far beyond the 32-bit range the
 * intermediate products can reach, and shifts are floor divisions like C's on a 64-bit long.
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

/**
 * libjpeg's post-IDCT range limit: the sample is taken modulo 1024 and then clamped, so
 * in-range values map to value + 128 and wild ones wrap like libjpeg's table lookup does.
 */
const RANGE_LIMIT = (() => {
  const table = new Uint8Array(1024);
  for (let i = 0; i < 1024; i++) {
    if (i < 128) table[i] = i + 128;
    else if (i < 512) table[i] = 255;
    else if (i < 896) table[i] = 0;
    else table[i] = i - 896;
  }
  return table;
})();

/** One 1-D inverse pass; returns the eight outputs before the final descale. */
function inversePass(
  in0: number,
  in1: number,
  in2: number,
  in3: number,
  in4: number,
  in5: number,
  in6: number,
  in7: number,
  out: Float64Array,
): void {
  const z1e = (in2 + in6) * FIX_0_541196100;
  const tmp2e = z1e - in6 * FIX_1_847759065;
  const tmp3e = z1e + in2 * FIX_0_765366865;
  const tmp0e = (in0 + in4) * 2 ** CONST_BITS;
  const tmp1e = (in0 - in4) * 2 ** CONST_BITS;
  const tmp10 = tmp0e + tmp3e;
  const tmp13 = tmp0e - tmp3e;
  const tmp11 = tmp1e + tmp2e;
  const tmp12 = tmp1e - tmp2e;

  // Odd part: i0..i3 are the inputs 7, 5, 3, 1.
  const z1 = (in7 + in1) * -FIX_0_899976223;
  const z2 = (in5 + in3) * -FIX_2_562915447;
  const z5 = (in7 + in3 + in5 + in1) * FIX_1_175875602;
  const z3 = (in7 + in3) * -FIX_1_961570560 + z5;
  const z4 = (in5 + in1) * -FIX_0_390180644 + z5;
  const tmp0 = in7 * FIX_0_298631336 + z1 + z3;
  const tmp1 = in5 * FIX_2_053119869 + z2 + z4;
  const tmp2 = in3 * FIX_3_072711026 + z2 + z3;
  const tmp3 = in1 * FIX_1_501321110 + z1 + z4;

  out[0] = tmp10 + tmp3;
  out[7] = tmp10 - tmp3;
  out[1] = tmp11 + tmp2;
  out[6] = tmp11 - tmp2;
  out[2] = tmp12 + tmp1;
  out[5] = tmp12 - tmp1;
  out[3] = tmp13 + tmp0;
  out[4] = tmp13 - tmp0;
}

const workspace = new Float64Array(64);
const lane = new Float64Array(8);

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
  const c = (i: number) => coefficients[offset + i]! * steps[i]!;
  for (let col = 0; col < 8; col++) {
    inversePass(
      c(col),
      c(col + 8),
      c(col + 16),
      c(col + 24),
      c(col + 32),
      c(col + 40),
      c(col + 48),
      c(col + 56),
      lane,
    );
    for (let row = 0; row < 8; row++)
      workspace[row * 8 + col] = descale(lane[row]!, CONST_BITS - PASS1_BITS);
  }
  for (let row = 0; row < 8; row++) {
    const w = row * 8;
    inversePass(
      workspace[w]!,
      workspace[w + 1]!,
      workspace[w + 2]!,
      workspace[w + 3]!,
      workspace[w + 4]!,
      workspace[w + 5]!,
      workspace[w + 6]!,
      workspace[w + 7]!,
      lane,
    );
    const o = outputOffset + row * stride;
    for (let col = 0; col < 8; col++)
      output[o + col] = RANGE_LIMIT[descale(lane[col]!, CONST_BITS + PASS1_BITS + 3) & 1023]!;
  }
}
