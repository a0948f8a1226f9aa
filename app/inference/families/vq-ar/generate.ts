/**
 * The `vq-ar` text-to-image loop (docs/models.md §vq-ar sampling), the twin of the Python reference
 * loop: prefill [cond; uncond] rows, then one code per step from the shared logits pipeline, the
 * same code appended to both rows through the KV cache, then vq_decode.
 */
import type { Decoding } from '../../../common/inference-contract.ts';
import { draftSources } from '../../../common/parallel-decoding.ts';
import { sampleToken, type SamplingSettings } from '../../engine/logits/sample.ts';
import { floatData, int64Tensor, run } from '../../engine/ort.ts';
import { jacobiDecode, type TokenGrammar } from '../../engine/parallel/speculative-jacobi.ts';
import { Prng, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import type { VqArModel } from './model.ts';

export interface GenerateRequest {
  promptIds: number[];
  /** A retrieved document's tokens, prepended to both rows (guidance amplifies the caption). */
  documentIds?: number[];
  /**
   * A negative prompt for the unconditional row, fitted to the prompt's length: shorter ones
   * are padded with the null token (what the model saw for dropped captions), longer ones cut.
   */
  negativeIds?: number[];
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  /**
   * Awaited after each code; resolve false to stop (cancel or pause) before the next step.
   * Awaiting it is what lets the caller's event loop read control messages between runs.
   */
  afterCode?: (codes: readonly number[]) => Promise<boolean> | boolean;
  /** Codes of an interrupted run: replayed step by step, so the rest is identical. */
  resumeFrom?: readonly number[];
  /** Parallel decoding; absent = one code per decoder run. */
  decoding?: Decoding;
  /** Decoder runs this generation took, prefill included (for benchmarks). */
  stats?: { runs: number; drafted: number; accepted: number };
}

/** Codes of one image (length grid², raster order), or the prefix sampled before a stop. */
export async function generateCodes(model: VqArModel, req: GenerateRequest): Promise<number[]> {
  const m = model.manifest;
  const [lo, hi] = model.imageRange;
  const guided = req.settings.cdk !== null || req.settings.cfgScale !== 1;
  const sp = m.specialTokens;
  const doc = req.documentIds ?? [];
  const rows = [[sp.bos, ...doc, ...model.slotted(req.promptIds), sp.break!]];
  if (guided) {
    const negative = req.promptIds.map((_, i) => req.negativeIds?.[i] ?? m.cfg.nullId);
    rows.push([sp.bos, ...doc, ...model.slotted(negative), sp.break!]);
  }
  const decoder = model.decoder(rows.length);
  const prng = new Prng(req.seed, streamId(req.imageIndex, PURPOSE_SAMPLE));
  const codes: number[] = [];
  try {
    let logits = await decoder.prefill(rows);
    const count = model.grid * model.grid;
    if (req.decoding !== undefined) {
      for (const code of req.resumeFrom ?? []) checkCode(code, hi - lo);
      const { body, drafted, accepted } = await jacobiDecode({
        decoder,
        promptLogits: logits,
        guided,
        settings: req.settings,
        prng,
        window: req.decoding.window,
        fanout: req.decoding.fanout ?? [],
        grammar: codeGrid(lo, hi, count),
        guess: (sofar, k) => sofar[k - model.grid] ?? null,
        sources: draftSources(req.decoding),
        resumeFrom: (req.resumeFrom ?? []).map((c) => c + lo),
        afterRun: async (body) =>
          req.afterCode === undefined || (await req.afterCode(body.map((id) => id - lo))),
      });
      if (req.stats !== undefined) Object.assign(req.stats, { drafted, accepted });
      codes.push(...body.map((id) => id - lo));
      return codes;
    }
    for (let k = 0; k < count; k++) {
      const cond = logits.at(0).subarray(lo, hi);
      const uncond = guided ? logits.at(1).subarray(lo, hi) : null;
      let code: number;
      if (req.resumeFrom !== undefined && k < req.resumeFrom.length) {
        // Teacher-force the saved code; its draw is still consumed so the counters match.
        prng.uniform();
        code = checkCode(req.resumeFrom[k]!, hi - lo);
      } else {
        code = sampleToken(cond, uncond, req.settings, prng);
      }
      codes.push(code);
      if (k === count - 1) break;
      if (req.afterCode !== undefined && (await req.afterCode(codes)) === false) break;
      logits = await decoder.step(code + lo);
    }
  } finally {
    if (req.stats !== undefined) req.stats.runs = decoder.runs;
    decoder.dispose();
  }
  return codes;
}

function checkCode(code: number, codebook: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= codebook) {
    throw new RangeError(`saved code ${code} is outside this model's codebook`);
  }
  return code;
}

/** Any image id at any of the grid's `count` positions. */
function codeGrid(lo: number, hi: number, count: number): TokenGrammar<null> {
  const ids = Int32Array.from({ length: hi - lo }, (_, i) => lo + i);
  return { start: null, allowed: () => ids, after: () => null, done: (_, k) => k >= count };
}

/** Round half to even, as numpy does, so pixels match the Python reference exactly. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** codes (grid² raster order) -> RGB uint8 [H, W, 3] through vq_decode. */
export async function decodeCodes(model: VqArModel, codes: readonly number[]): Promise<Uint8Array> {
  const g = model.grid;
  const out = await run(model.sessions.vqDecoder.session, { codes: int64Tensor(codes, [1, g, g]) });
  const x = floatData(out.image!);
  const { width, height } = model.manifest.image;
  const rgb = new Uint8Array(width * height * 3);
  const plane = width * height;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      // float32 arithmetic, as numpy does it on the float32 output: in float64 a value can
      // miss the exact .5 that float32 lands on, and round the other way.
      const v = Math.fround(Math.fround(x[c * plane + p]! + 1) * 127.5);
      rgb[p * 3 + c] = Math.min(255, Math.max(0, roundHalfEven(v)));
    }
  }
  return rgb;
}
