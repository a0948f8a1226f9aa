/**
 * Speculative Jacobi decoding (Teng et al., arXiv 2410.01699; docs/models.md §Parallel
 * decoding): every decoder run feeds the last accepted token and a window of draft tokens, and
 * checks the drafts left to right with the speculative-sampling rule. Draft x, drawn from q, is
 * accepted with probability min(1, p(x) / q(x)) where p is the model's own distribution there
 * (the full logits pipeline: guidance, temperature, top-k, top-p, CD-K, the family's allowed
 * ids); the first rejected position is drawn from the residual max(0, p − q), renormalised. So
 * every token follows p exactly, as in the plain loop, and each run yields at least one token.
 * When every draft is accepted, the run's last position gives one more token for free.
 *
 * Drafts come from two places:
 * - Jacobi: positions past a rejection were already computed by this run, conditioned on the
 *   drafts before them; they are drawn from those distributions and checked by the next run.
 * - a guess from the family for positions no run has reached (`guess`, e.g. the token above
 *   in a code grid), a point mass: accepted with probability p(x), and when rejected the next
 *   token is drawn from p without x.
 * A guess the grammar does not allow ends the window; a draft that breaks it has p(x) = 0 and
 * is rejected by the rule itself.
 *
 * Deterministic: every draw comes from the one PRNG, in a fixed order (one uniform per checked
 * draft, one per resampled or bonus token, one per Jacobi draft). A resumed run replays the
 * same runs from the prompt, so it reaches the saved tokens with the same draws and carries on
 * as the uninterrupted run would; a saved token the replay does not reproduce (another
 * machine's arithmetic) is taken as it is and treated as a rejection there.
 *
 * Shape glossary: B rows (2 for a CFG pair [cond, uncond], fed the same tokens), W window
 * (drafts per run), A allowed ids at a position, V vocabulary.
 */
import type { DecoderLogits } from '../decoder.ts';
import { drawIndex, tokenDistribution, type SamplingSettings } from '../logits/sample.ts';
import type { Prng } from '../rng.ts';

/** What a decoder must do for speculative runs; `CachedDecoder` does it. */
export interface SpeculativeDecoder {
  readonly batch: number;
  readonly length: number;
  /** Runs equal-length rows after the cache, keeping them. */
  prefill(rows: readonly (readonly number[])[]): Promise<DecoderLogits>;
  truncate(length: number): void;
}

/** The family's constraint on the token sequence, as an automaton over model ids. */
export interface TokenGrammar<S> {
  readonly start: S;
  /** Model ids allowed at body position `position` in state `state`, ascending, never empty. */
  allowed(state: S, position: number): Int32Array;
  after(state: S, token: number): S;
  /** Whether the body is complete once it holds `position` tokens ending in `state`. */
  done(state: S, position: number): boolean;
}

export interface JacobiRun<S> {
  /** The decoder after its prompt prefill. */
  decoder: SpeculativeDecoder;
  /** That prefill's logits: its last position gives the first body token. */
  promptLogits: DecoderLogits;
  /** Rows 0 and 1 are [cond, uncond] and the pipeline guides with both. */
  guided: boolean;
  settings: SamplingSettings;
  prng: Prng;
  /** Drafts per run, W. */
  window: number;
  grammar: TokenGrammar<S>;
  /** A point-mass draft for `position` after `sofar` (accepted tokens, then drafts), or null. */
  guess?: (sofar: readonly number[], position: number) => number | null;
  /** Body tokens of a stopped run (model ids). */
  resumeFrom?: readonly number[];
  /** Awaited after every run with the accepted tokens; resolve false to stop. */
  afterRun?: (body: readonly number[]) => Promise<boolean> | boolean;
}

/** A distribution over `ids` (ascending model ids). */
interface Dist {
  ids: Int32Array;
  probs: Float64Array;
}

interface Draft {
  token: number;
  /** The distribution it was drawn from; null for a guess (a point mass). */
  q: Dist | null;
}

function indexOf(ids: Int32Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! === id) return mid;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function prob(d: Dist, id: number): number {
  const i = indexOf(d.ids, id);
  return i < 0 ? 0 : d.probs[i]!;
}

function draw(d: Dist, u: number): number {
  return d.ids[drawIndex(d.probs, new Uint8Array(d.probs.length).fill(1), u)]!;
}

/** max(0, p − q), renormalised by the draw; p itself if nothing is left (rounding). */
function residual(p: Dist, draft: Draft): Dist {
  const probs = new Float64Array(p.probs.length);
  let total = 0;
  for (let i = 0; i < probs.length; i++) {
    const id = p.ids[i]!;
    const q = draft.q === null ? (id === draft.token ? 1 : 0) : prob(draft.q, id);
    probs[i] = Math.max(0, p.probs[i]! - q);
    total += probs[i]!;
  }
  return total > 0 ? { ids: p.ids, probs } : p;
}

export interface JacobiResult {
  /** Body tokens (model ids), complete or up to a stop. */
  body: number[];
  /** Drafts checked and accepted, over all runs: the acceptance a benchmark reports. */
  drafted: number;
  accepted: number;
}

export async function jacobiDecode<S>(run: JacobiRun<S>): Promise<JacobiResult> {
  const { decoder, grammar, prng, settings } = run;
  const resume = run.resumeFrom ?? [];
  const body: number[] = [];
  let state = grammar.start;
  let drafted = 0;
  let accepted = 0;

  const gather = (logits: DecoderLogits, b: number, t: number, ids: Int32Array) => {
    const row = logits.at(b, t);
    const out = new Float32Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = row[ids[i]!]!;
    return out;
  };
  const distAt = (logits: DecoderLogits, t: number, s: S, position: number): Dist => {
    const ids = grammar.allowed(s, position);
    const cond = gather(logits, 0, t, ids);
    const uncond = run.guided ? gather(logits, 1, t, ids) : null;
    return { ids, probs: tokenDistribution(cond, uncond, settings) };
  };
  /** Appends a token, replaced by the saved one where a resumed run has it; true if replaced. */
  const finalize = (token: number, allowed: Int32Array): boolean => {
    const position = body.length;
    const saved = resume[position];
    const replaced = saved !== undefined && saved !== token;
    if (replaced && indexOf(allowed, saved) < 0) {
      throw new RangeError(
        `saved token ${saved} at position ${position} is not allowed there: start the image again`,
      );
    }
    const kept = replaced ? saved : token;
    body.push(kept);
    state = grammar.after(state, kept);
    return replaced;
  };
  /** Drafts for the positions after the body: Jacobi ones from `from`, then guesses. */
  const nextDrafts = (from: { logits: DecoderLogits; t: number; end: number } | null) => {
    const drafts: Draft[] = [];
    let s = state;
    let position = body.length;
    const room = () => drafts.length < run.window && !grammar.done(s, position);
    for (let t = from?.t ?? 0; from !== null && t <= from.end && room(); t++) {
      const q = distAt(from.logits, t, s, position);
      const token = draw(q, prng.uniform());
      drafts.push({ token, q });
      s = grammar.after(s, token);
      position++;
    }
    while (run.guess !== undefined && room()) {
      const token = run.guess([...body, ...drafts.map((d) => d.token)], position);
      if (token === null || indexOf(grammar.allowed(s, position), token) < 0) break;
      drafts.push({ token, q: null });
      s = grammar.after(s, token);
      position++;
    }
    return drafts;
  };

  const first = distAt(run.promptLogits, run.promptLogits.seq - 1, state, 0);
  finalize(draw(first, prng.uniform()), first.ids);
  let drafts = nextDrafts(null);
  if (run.afterRun !== undefined && (await run.afterRun(body)) === false)
    return { body, drafted, accepted };

  while (!grammar.done(state, body.length)) {
    const input = [body[body.length - 1]!, ...drafts.map((d) => d.token)];
    const base = decoder.length;
    const logits = await decoder.prefill(new Array(decoder.batch).fill(input));
    let kept = 0;
    let rejected = false;
    for (const draft of drafts) {
      const p = distAt(logits, kept, state, body.length);
      const u = prng.uniform();
      const q = draft.q === null ? 1 : prob(draft.q, draft.token);
      drafted++;
      let token = draft.token;
      if (u * q < prob(p, token)) {
        accepted++;
      } else {
        token = draw(residual(p, draft), prng.uniform());
        rejected = true;
      }
      if (finalize(token, p.ids)) rejected = true;
      if (rejected) break;
      kept++;
      if (grammar.done(state, body.length)) break;
    }
    const done = grammar.done(state, body.length);
    if (!rejected && !done) {
      const p = distAt(logits, kept, state, body.length);
      finalize(draw(p, prng.uniform()), p.ids);
    }
    // The cache keeps the fed token and the accepted drafts; the newest token is fed next run.
    decoder.truncate(base + 1 + kept);
    if (!grammar.done(state, body.length)) {
      drafts = nextDrafts(rejected ? { logits, t: kept + 1, end: drafts.length } : null);
    }
    if (run.afterRun !== undefined && (await run.afterRun(body)) === false) break;
  }
  return { body, drafted, accepted };
}
