/**
 * The infill mask: painted on a canvas at display resolution, sent at the MODEL's resolution
 * (one byte per model pixel, nonzero = regenerate, base64; queue-contract `infillJobSchema`).
 * Pure: takes and returns typed arrays, so it runs under Node's test runner as well.
 */

/**
 * Downsamples a painted layer to `dstW`×`dstH`: a model pixel is masked when at least
 * `threshold` of the display pixels it covers are painted (alpha ≥ 128). `stride` 4 reads the
 * alpha of RGBA ImageData; `stride` 1 reads a single-channel buffer.
 */
export function downsampleMask(
  src: ArrayLike<number>,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  options: { stride?: number; offset?: number; threshold?: number } = {},
): Uint8Array {
  const stride = options.stride ?? 4;
  const offset = options.offset ?? (stride === 4 ? 3 : 0);
  const threshold = options.threshold ?? 0.5;
  const out = new Uint8Array(dstW * dstH);
  for (let y = 0; y < dstH; y++) {
    const y0 = Math.floor((y * srcH) / dstH);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * srcH) / dstH));
    for (let x = 0; x < dstW; x++) {
      const x0 = Math.floor((x * srcW) / dstW);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * srcW) / dstW));
      let painted = 0;
      let total = 0;
      for (let sy = y0; sy < y1 && sy < srcH; sy++) {
        const row = sy * srcW;
        for (let sx = x0; sx < x1 && sx < srcW; sx++) {
          total++;
          if ((src[(row + sx) * stride + offset] ?? 0) >= 128) painted++;
        }
      }
      if (total > 0 && painted / total >= threshold) out[y * dstW + x] = 255;
    }
  }
  return out;
}

/** Fraction of model pixels that will be regenerated. */
export function maskCoverage(mask: Uint8Array): number {
  if (mask.length === 0) return 0;
  let n = 0;
  for (const v of mask) if (v !== 0) n++;
  return n / mask.length;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK)
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

export function base64ToBytes(b64: string): Uint8Array {
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Packed RGB (a preview event's `imageRgb`) to opaque RGBA for ImageData. */
export function rgbToRgba(rgb: Uint8Array, width: number, height: number): Uint8ClampedArray {
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    out[i * 4] = rgb[i * 3] ?? 0;
    out[i * 4 + 1] = rgb[i * 3 + 1] ?? 0;
    out[i * 4 + 2] = rgb[i * 3 + 2] ?? 0;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** One brush stroke in display pixels; the mask is the replay of every stroke in order. */
export type Stroke =
  | { mode: 'paint' | 'erase'; radius: number; points: [number, number][] }
  | { mode: 'clear' }
  | { mode: 'fill' }
  /** Continue from the top: everything below the first `fraction` of the height, nothing above. */
  | { mode: 'below'; fraction: number };
