/**
 * The `jpeg-lm` MCU loop with parallel decoding (docs/models.md §Parallel decoding): the same
 * rows, grammar and hooks as loop.ts, with the body drawn by speculative Jacobi decoding. The
 * MCU grammar is the automaton the drafts are checked against: a draft the grammar does not
 * allow has probability 0 under the model's constrained distribution and is rejected; a forced
 * marker is a point mass and always accepted. Known MCUs (infill, completion) are point masses
 * too: their tokens are the guesses, accepted with certainty, a window per run.
 *
 * Guesses for positions no run has reached copy what followed the longest recent repeat of
 * the body's last tokens (prompt-lookup drafting): flat areas of an image repeat whole MCUs.
 */
import type { Decoding } from '../../../common/inference-contract.ts';
import { draftSources } from '../../../common/parallel-decoding.ts';
import { jacobiDecode, type TokenGrammar } from '../../engine/parallel/speculative-jacobi.ts';
import { Prng, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import type { GrammarState } from './entropy-grammar.ts';
import type { McuRun, McuRunResult } from './loop.ts';
import type { JpegLmModel } from './model.ts';

/** MCU m, the tokens of it so far, and its grammar state (null once lost). */
interface McuState {
  m: number;
  count: number;
  grammar: GrammarState | null;
}

/** The longest n-gram (up to 4) ending the sequence seen before; what followed it. */
export function lookupGuess(sofar: readonly number[]): number | null {
  for (let n = Math.min(4, sofar.length - 1); n >= 1; n--) {
    const end = sofar.length - n;
    for (let i = end - 1; i >= n - 1; i--) {
      let match = true;
      for (let j = 0; j < n && match; j++) match = sofar[i - j] === sofar[sofar.length - 1 - j];
      if (match) return sofar[i + 1]!;
    }
  }
  return null;
}

export async function runMcusParallel(
  model: JpegLmModel,
  run: McuRun,
  decoding: { window: number; fanout?: readonly number[]; drafts?: Decoding['drafts'] },
  stats?: { runs: number; drafted: number; accepted: number },
): Promise<McuRunResult> {
  const { grammar, manifest } = model;
  const sp = manifest.specialTokens;
  const M = grammar.mcus;
  if (run.known.length !== M) throw new RangeError(`expected ${M} MCUs, got ${run.known.length}`);
  const s = run.settings;
  const guided = run.captionIds.length > 0 && (s.cfgScale !== 1 || s.cdk !== null);
  const rows: number[][] = [[sp.bos, ...run.captionIds, sp.boi!]];
  if (guided) {
    const uncond = run.captionIds.map((_, i) => run.negativeIds?.[i] ?? manifest.cfg.nullId);
    rows.push([sp.bos, ...uncond, sp.boi!]);
  }
  const prompt = rows[0]!.length;
  const automaton: TokenGrammar<McuState> = {
    start: { m: 0, count: 0, grammar: grammar.start },
    allowed: ({ m, count, grammar: g }, position) => {
      const known = run.known[m];
      if (known !== null && known !== undefined) return Int32Array.of(known[count]!);
      return grammar.allowed(m, grammar.mustClose(m, count, prompt + position), g);
    },
    after: ({ m, count, grammar: g }, token) =>
      token === grammar.marker(m)
        ? { m: m + 1, count: 0, grammar: grammar.start }
        : { m, count: count + 1, grammar: run.known[m] ? g : grammar.after(g, token) },
    done: ({ m }) => m >= M,
  };
  const decoder = model.decoder(rows.length);
  let mcusDone = 0;
  /** Runs afterMcu for each MCU the body now completes, then afterToken; false = stop. */
  const completed = async (sofar: readonly number[]): Promise<boolean> => {
    let m = 0;
    for (let i = 0; i < sofar.length && m < M; i++) {
      if (sofar[i] !== grammar.marker(m)) continue;
      if (m >= mcusDone) {
        mcusDone = m + 1;
        await run.afterMcu?.(m, sofar.slice(0, i + 1));
      }
      m++;
    }
    if (mcusDone === M) return true;
    return run.afterToken === undefined || (await run.afterToken(sofar)) !== false;
  };
  try {
    const result = await jacobiDecode({
      decoder,
      promptLogits: await decoder.prefill(rows),
      guided,
      settings: s,
      prng: new Prng(run.seed, streamId(run.imageIndex, PURPOSE_SAMPLE)),
      window: decoding.window,
      fanout: decoding.fanout ?? [],
      sources: draftSources(decoding),
      grammar: automaton,
      guess: (sofar, position, st) => {
        // Inside a known MCU the guess is its next token; elsewhere a repeat of the body.
        const known = run.known[st.m];
        return known !== null && known !== undefined
          ? known[st.count]!
          : position > 0
            ? lookupGuess(sofar)
            : null;
      },
      resumeFrom: run.resumeFrom ?? [],
      afterRun: completed,
    });
    if (stats !== undefined)
      Object.assign(stats, { drafted: result.drafted, accepted: result.accepted });
    return { body: result.body, mcusDone };
  } finally {
    if (stats !== undefined) stats.runs = decoder.runs;
    decoder.dispose();
  }
}
