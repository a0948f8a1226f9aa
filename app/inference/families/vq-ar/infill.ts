/**
 * Native CM3 infill for `vq-ar` (docs/models.md §vq-ar infill and captioning), the twin of the
 * Python reference: the mask snaps to the code grid; each masked grid row becomes one segment,
 * replaced in place by <mask:j>; after <infill> each <mask:j> is forced and exactly its length of
 * codes is sampled. The model sees context on both sides of the hole.
 */
import { sampleToken, type SamplingSettings } from '../../engine/logits/sample.ts';
import { float32Tensor, int64Data, run } from '../../engine/ort.ts';
import { Prng, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import { maskedCells } from '../shared/grid-mask.ts';
import { InfillMaskError } from '../types.ts';
import type { VqArModel } from './model.ts';

export { InfillMaskError };

/** [grid row, first column, last column + 1] */
export type Segment = [number, number, number];

/** Pixel mask (true = regenerate, row-major H×W) -> one segment per masked grid row. */
export function maskToSegments(
  mask: ArrayLike<boolean | number>,
  size: number,
  grid: number,
): Segment[] {
  const cells = maskedCells(mask, size, grid);
  const segments: Segment[] = [];
  for (let r = 0; r < grid; r++) {
    const row = cells.slice(r * grid, (r + 1) * grid);
    const first = row.indexOf(true);
    if (first >= 0) segments.push([r, first, row.lastIndexOf(true) + 1]);
  }
  if (segments.length === 0)
    throw new InfillMaskError('the mask is empty: paint the region to regenerate');
  const sentinels = 8;
  if (segments.length > sentinels) {
    throw new InfillMaskError(
      `the mask spans more than ${sentinels} code rows; this model infills at most ${sentinels}`,
    );
  }
  return segments;
}

/** RGB uint8 [H, W, 3] -> codes (grid², raster order) through vq_encode. */
export async function encodeImage(model: VqArModel, rgb: Uint8Array): Promise<number[]> {
  const { width, height } = model.manifest.image;
  const plane = width * height;
  const x = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    // Two float32 roundings, as numpy computes u8.astype(float32) / 127.5 - 1.0.
    for (let c = 0; c < 3; c++)
      x[c * plane + p] = Math.fround(Math.fround(rgb[p * 3 + c]! / 127.5) - 1);
  }
  const out = await run(model.sessions.encoder.session, {
    image: float32Tensor(x, [1, 3, height, width]),
  });
  return int64Data(out.codes!);
}

export interface InfillRequest {
  codes: readonly number[];
  segments: readonly Segment[];
  promptIds: number[];
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  /**
   * Called after every sampled code with how many of the masked codes are done and the grid so
   * far (source codes where nothing is sampled yet); returning false stops the infill.
   */
  afterCode?: (done: number, total: number, grid: readonly number[]) => Promise<boolean>;
}

/** The infilled grid, or null when `afterCode` stopped it. */
export async function infillCodes(model: VqArModel, req: InfillRequest): Promise<number[] | null> {
  const m = model.manifest;
  const [lo, hi] = model.imageRange;
  const g = model.grid;
  const sp = m.specialTokens;
  const sentinel = (j: number) => sp.sentinels![j]!;
  const body: number[] = [];
  const segOfRow = new Map(req.segments.map((s, j) => [s[0], { j, a: s[1], b: s[2] }]));
  for (let r = 0; r < g; r++) {
    const row = req.codes.slice(r * g, (r + 1) * g).map((c) => c + lo);
    const seg = segOfRow.get(r);
    body.push(
      ...(seg === undefined ? row : [...row.slice(0, seg.a), sentinel(seg.j), ...row.slice(seg.b)]),
    );
  }
  const guided = req.settings.cdk !== null || req.settings.cfgScale !== 1;
  const rows = [
    [sp.bos, ...model.slotted(req.promptIds), sp.break!, ...body, sp.break!, sp.infill!],
  ];
  if (guided)
    rows.push([
      sp.bos,
      ...model.slotted(req.promptIds.map(() => m.cfg.nullId)),
      sp.break!,
      ...body,
      sp.break!,
      sp.infill!,
    ]);
  const decoder = model.decoder(rows.length);
  const prng = new Prng(req.seed, streamId(req.imageIndex, PURPOSE_SAMPLE));
  const out = [...req.codes];
  const total = req.segments.reduce((n, [, a, b]) => n + b - a, 0);
  let done = 0;
  try {
    await decoder.prefill(rows);
    for (let j = 0; j < req.segments.length; j++) {
      const [r, a, b] = req.segments[j]!;
      let logits = await decoder.step(sentinel(j));
      for (let c = a; c < b; c++) {
        const uncond = guided ? logits.at(1).subarray(lo, hi) : null;
        const code = sampleToken(logits.at(0).subarray(lo, hi), uncond, req.settings, prng);
        out[r * g + c] = code;
        done++;
        if (req.afterCode !== undefined && !(await req.afterCode(done, total, out))) return null;
        logits = await decoder.step(code + lo);
      }
    }
  } finally {
    decoder.dispose();
  }
  return out;
}
