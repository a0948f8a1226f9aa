/**
 * JFIF colour conversion with libjpeg's fixed-point tables (16 fractional bits), so results
 * match libjpeg-turbo exactly. Forward: RGB u8 [n*3] → Y, Cb, Cr planes u8 [n] each (jccolor.c,
 * with its 0.5-epsilon rounding for chroma). Inverse: Y, Cb, Cr planes → RGB u8 [n*3]
 * (jdcolor.c, rounded table entries and a clamp to 0..255).
 */
const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const CBCR_OFFSET = 128 << SCALEBITS;

/** libjpeg's FIX(): a constant scaled by 2^16 and rounded. */
function fix(x: number): number {
  return Math.floor(x * (1 << SCALEBITS) + 0.5);
}

function table(f: (i: number) => number): Int32Array {
  return Int32Array.from({ length: 256 }, (_, i) => f(i));
}

const R_Y = table((i) => fix(0.299) * i);
const G_Y = table((i) => fix(0.587) * i);
const B_Y = table((i) => fix(0.114) * i + ONE_HALF);
const R_CB = table((i) => -fix(0.16874) * i);
const G_CB = table((i) => -fix(0.33126) * i);
/** B→Cb and R→Cr share this table. */
const HALF_PLUS_OFFSET = table((i) => fix(0.5) * i + CBCR_OFFSET + ONE_HALF - 1);
const G_CR = table((i) => -fix(0.41869) * i);
const B_CR = table((i) => -fix(0.08131) * i);

export interface YCbCrPlanes {
  y: Uint8Array;
  cb: Uint8Array;
  cr: Uint8Array;
}

export function rgbToYCbCr(rgb: Uint8Array, pixels: number): YCbCrPlanes {
  const planes = {
    y: new Uint8Array(pixels),
    cb: new Uint8Array(pixels),
    cr: new Uint8Array(pixels),
  };
  for (let p = 0; p < pixels; p++) {
    const r = rgb[3 * p]!;
    const g = rgb[3 * p + 1]!;
    const b = rgb[3 * p + 2]!;
    planes.y[p] = (R_Y[r]! + G_Y[g]! + B_Y[b]!) >> SCALEBITS;
    planes.cb[p] = (R_CB[r]! + G_CB[g]! + HALF_PLUS_OFFSET[b]!) >> SCALEBITS;
    planes.cr[p] = (HALF_PLUS_OFFSET[r]! + G_CR[g]! + B_CR[b]!) >> SCALEBITS;
  }
  return planes;
}

const CR_R = table((i) => (fix(1.402) * (i - 128) + ONE_HALF) >> SCALEBITS);
const CB_B = table((i) => (fix(1.772) * (i - 128) + ONE_HALF) >> SCALEBITS);
const CR_G = table((i) => -fix(0.71414) * (i - 128));
const CB_G = table((i) => -fix(0.34414) * (i - 128) + ONE_HALF);

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Full-resolution planes of `pixels` samples each → interleaved RGB. */
export function yCbCrToRgb(planes: YCbCrPlanes, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  const { y, cb, cr } = planes;
  for (let p = 0; p < pixels; p++) {
    const luma = y[p]!;
    const blue = cb[p]!;
    const red = cr[p]!;
    rgb[3 * p] = clamp(luma + CR_R[red]!);
    rgb[3 * p + 1] = clamp(luma + ((CB_G[blue]! + CR_G[red]!) >> SCALEBITS));
    rgb[3 * p + 2] = clamp(luma + CB_B[blue]!);
  }
  return rgb;
}
