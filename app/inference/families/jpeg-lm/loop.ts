/**
 * The `jpeg-lm` MCU loop (docs/models.md §jpeg-lm MCU grammar), the twin of `run_mcus` in
 * native-models/…/jpeg_lm/reference_loop.py; golden.json holds the two to identical tokens.
 *
 * Shape glossary
 *   B  rows: 1, or 2 for a CFG pair [cond, uncond]; uncond is the caption with every token
 *      replaced by <null> (or by a negative prompt fitted to the caption's length)
 *   M  MCUs of the image (raster order); MCU m ends with RST(m mod 8), the last with EOI
 *   P  tokens in the KV cache: <bos> caption <img>, then the body so far
 *   V  vocabulary (specials, caption words, JPEG tokens)
 *   A  allowed ids at a sampled position, ascending: the data tokens that keep the MCU a valid
 *      baseline MCU (entropy-grammar.ts), or its marker alone once the MCU is complete or the
 *      marker is forced
 *
 * Rows start as [<bos>, caption…, <img>]. A known MCU (infill, completion) is teacher-forced in
 * one run of all its tokens and takes no draws. In a sampled MCU each position takes exactly
 * one draw from the shared logits pipeline, forced marker or not, so the PRNG counter equals
 * the number of sampled positions and a stopped run resumes to identical bytes: the grammar
 * state of a sampled MCU starts at START and follows each of its data tokens, replayed or not.
 */
import type { Decoding } from '../../../common/inference-contract.ts';
import { sampleToken, type SamplingSettings } from '../../engine/logits/sample.ts';
import { Prng, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import type { DecoderLogits } from '../../engine/decoder.ts';
import type { GrammarState } from './entropy-grammar.ts';
import type { JpegLmModel } from './model.ts';
import { runMcusParallel } from './parallel-loop.ts';

export interface McuRun {
  /** Caption ids (model ids); empty = unconditional, and then never guided. */
  captionIds: readonly number[];
  /** Ids of a negative prompt for the uncond row, padded with <null> or cut to the caption. */
  negativeIds?: readonly number[];
  /** Per MCU: its tokens (model ids, marker included) to teacher-force, or null to sample. */
  known: readonly (readonly number[] | null)[];
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  /** Body tokens of a stopped run: replayed position by position, each taking its draw. */
  resumeFrom?: readonly number[];
  /**
   * Awaited after every body token (or known MCU); resolve false to stop before the next
   * decoder run. Awaiting it is what lets the caller's event loop read control messages.
   */
  afterToken?: (body: readonly number[]) => Promise<boolean> | boolean;
  /** Awaited after MCU m is complete: progress, preview and checkpoint. */
  afterMcu?: (m: number, body: readonly number[]) => Promise<void> | void;
  /** Parallel decoding (parallel-loop.ts); absent = one token per decoder run. */
  decoding?: Decoding;
  /** Filled with the decoder runs taken (and drafts checked and accepted), for benchmarks. */
  stats?: { runs: number; drafted: number; accepted: number };
}

export interface McuRunResult {
  /** Body tokens (model ids) of all MCUs, or of those before a stop. */
  body: number[];
  /** MCUs completed (their marker included). */
  mcusDone: number;
}

/** Picks row b's logits at the allowed ids, in their (ascending) order. */
function gather(logits: DecoderLogits, b: number, ids: Int32Array): Float32Array {
  const row = logits.at(b);
  const out = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = row[ids[i]!]!;
  return out;
}

export async function runMcus(model: JpegLmModel, run: McuRun): Promise<McuRunResult> {
  if (run.decoding !== undefined) return runMcusParallel(model, run, run.decoding, run.stats);
  const { grammar, manifest } = model;
  const sp = manifest.specialTokens;
  const nullId = manifest.cfg.nullId;
  const M = grammar.mcus;
  if (run.known.length !== M) throw new RangeError(`expected ${M} MCUs, got ${run.known.length}`);
  const s = run.settings;
  const guided = run.captionIds.length > 0 && (s.cfgScale !== 1 || s.cdk !== null);
  const rows: number[][] = [[sp.bos, ...run.captionIds, sp.boi!]];
  if (guided) {
    const uncond = run.captionIds.map((_, i) => run.negativeIds?.[i] ?? nullId);
    rows.push([sp.bos, ...uncond, sp.boi!]);
  }
  const resume = run.resumeFrom ?? [];
  const decoder = model.decoder(rows.length);
  const prng = new Prng(run.seed, streamId(run.imageIndex, PURPOSE_SAMPLE));
  const body: number[] = [];
  const stop = async () => run.afterToken !== undefined && (await run.afterToken(body)) === false;
  try {
    let logits = await decoder.prefill(rows);
    for (let m = 0; m < M; m++) {
      const last = m === M - 1;
      const forced = run.known[m];
      if (forced !== null && forced !== undefined) {
        body.push(...forced);
        // The last MCU's logits would go unused: nothing follows EOI.
        if (!last) logits = await decoder.prefill(rows.map(() => forced));
      } else {
        const marker = grammar.marker(m);
        // A resumed MCU rebuilds its grammar state here, replaying its tokens from the start.
        let state: GrammarState | null = grammar.start;
        for (let count = 0; ;) {
          const close = grammar.mustClose(m, count, decoder.length);
          const allowed = grammar.allowed(m, close, state);
          let token: number;
          if (body.length < resume.length) {
            prng.uniform(); // the draw this position took when it was sampled
            token = resume[body.length]!;
            if (!allowed.includes(token))
              throw new RangeError(
                `saved token ${token} at position ${body.length} breaks the MCU grammar: start the image again`,
              );
          } else {
            const cond = gather(logits, 0, allowed);
            const uncond = guided ? gather(logits, 1, allowed) : null;
            token = allowed[sampleToken(cond, uncond, s, prng)]!;
          }
          body.push(token);
          count++;
          if (token === marker) break;
          state = grammar.after(state, token);
          logits = await decoder.step(token);
          if (await stop()) return { body, mcusDone: m };
        }
        if (!last) logits = await decoder.step(marker);
      }
      await run.afterMcu?.(m, body);
      if (!last && (await stop())) return { body, mcusDone: m + 1 };
    }
  } finally {
    if (run.stats !== undefined) run.stats.runs = decoder.runs;
    decoder.dispose();
  }
  return { body, mcusDone: M };
}
