/**
 * Speculative Jacobi decoding (Teng et al., arXiv 2410.01699;
 * docs/models.md §Parallel decoding) over a small token tree: every decoder run feeds the last
 * accepted token and a tree of draft tokens `window` deep, and walks it from the root with the
 * speculative-sampling rule.
 * A draft x drawn from q is accepted with probability min(1, r(x) / q(x)), where r is the
 * model's own distribution there (the full logits pipeline: guidance, temperature, top-k,
 * top-p, CD-K, the family's allowed ids). When a node has several candidate children (drawn
 * independently), a rejected one leaves r ← max(0, r − q), renormalised, for the next
 * (SpecInfer's multi-candidate rule); if all are rejected the token is drawn from what is left
 * of r. So every token follows the model's distribution exactly, as in the plain loop, and each
 * run yields at least one token; when the walk reaches a leaf, the leaf's logits give one more.
 *
 * Drafts come from three places:
 * - Jacobi: positions past a rejection were already computed by the last run, conditioned on
 *   the rejected draft and the drafts after it; candidates are drawn from those
 *   distributions, `fanout[d]` of them at depth d (1 past the end of `fanout`). With
 *   `sources.lines`, every rejected candidate's line is kept: the k-th candidate at the first
 *   depth draws from line k (round robin) and its descendants from the same line, so the
 *   candidates are conditioned on different guesses at the rejected position.
 * - with `sources.previous`, for positions no run has reached: `fanout[d]` candidates drawn
 *   from the distribution the newest token was drawn from (neighbouring tokens are alike), so
 *   that every run has drafts, and their logits become the next run's Jacobi lines.
 * - a guess from the family for positions no run has reached (`guess`: the token above in a
 *   code grid, a repeat in a JPEG body), a point mass: accepted with probability r(x), and
 *   when rejected x is taken out of r. After the sources above, it is left out where an
 *   earlier candidate already holds its token (a choice made from earlier drafts only, which
 *   the rule allows).
 * A guess the grammar does not allow ends its branch; a draft that breaks the grammar has
 * r(x) = 0 and is rejected by the rule itself.
 *
 * Deterministic: every draw comes from the one PRNG, in a fixed order (one uniform per checked
 * draft, one per resampled or bonus token, one per Jacobi draft). A resumed run replays the
 * same runs from the prompt, so it reaches the saved tokens with the same draws and carries on
 * as the uninterrupted run would; a saved token the replay does not reproduce (another
 * machine's arithmetic) is taken as it is and treated as a rejection there.
 *
 * Shape glossary: B rows (2 for a CFG pair [cond, uncond], fed the same tokens), W window
 * (tree depth), N tree nodes (root included), A allowed ids at a position, V vocabulary.
 */
import type { DecoderLogits } from '../decoder.ts';
import { drawIndex, tokenDistribution, type SamplingSettings } from '../logits/sample.ts';
import type { TokenTree } from '../masks.ts';
import type { Prng } from '../rng.ts';

/** What a decoder must do for speculative runs; `CachedDecoder` does it. */
export interface SpeculativeDecoder {
  readonly length: number;
  /** Runs `tokens` (the same in every row) after the cache as a tree, keeping them all. */
  tree(tokens: readonly number[], parents: TokenTree): Promise<DecoderLogits>;
  /** Keeps only the cached tokens at `base + offsets[j]` after the first `base`. */
  select(base: number, offsets: readonly number[]): void;
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
  /** Tree depth W: draft tokens on each branch. */
  window: number;
  /** Jacobi candidates per node at depth d (index d − 1); 1 beyond. Default: one chain. */
  fanout?: readonly number[];
  grammar: TokenGrammar<S>;
  /**
   * A point-mass draft for `position` after `sofar` (accepted tokens, then drafts) ending in
   * grammar state `state`, or null.
   */
  guess?: (sofar: readonly number[], position: number, state: S) => number | null;
  /** Extra draft sources (see above); both off by default, as recipes before them decoded. */
  sources?: DraftSources;
  /**
   * The decoder takes one chain of tokens per run, not a tree (a graph that builds its own
   * causal mask): every node gets one draft, from the first source above that has one, and
   * `fanout` is not used.
   */
  chain?: boolean;
  /** Body tokens of a stopped run (model ids). */
  resumeFrom?: readonly number[];
  /**
   * A deliberately wrong sampler, for the distribution test's mutation check only (which must
   * reject it): `wrong-line` checks every Jacobi draft against the first line's distribution
   * instead of the line it was drawn from; `skip-residual` draws a rejected position from the
   * target itself instead of what the rejections left of it.
   */
  fault?: SamplerFault;
  /** Awaited after every run with the accepted tokens; resolve false to stop. */
  afterRun?: (body: readonly number[]) => Promise<boolean> | boolean;
}

export type SamplerFault = 'wrong-line' | 'skip-residual';

export interface DraftSources {
  /** Jacobi drafts from every rejected candidate's line, not only the first's. */
  lines: boolean;
  /** Drafts from the newest token's distribution where no run has reached. */
  previous: boolean;
}

/** A distribution over `ids` (ascending model ids), normalised. */
interface Dist {
  ids: Int32Array;
  probs: Float64Array;
}

interface Node<S> {
  token: number;
  parent: number;
  depth: number;
  /** The grammar state after this node's token. */
  state: S;
  /** The distribution it was drawn from; null for a guess (a point mass) and the root. */
  q: Dist | null;
  /** The Jacobi line its draft came from, which its children draw from too. */
  line: number;
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

/** `d` restricted to the ids `allowed` (ascending), renormalised; null if none keeps mass. */
function restrict(d: Dist, allowed: Int32Array): Dist | null {
  const probs = new Float64Array(allowed.length);
  let total = 0;
  allowed.forEach((id, i) => {
    probs[i] = prob(d, id);
    total += probs[i]!;
  });
  if (!(total > 0)) return null;
  for (let i = 0; i < probs.length; i++) probs[i] = probs[i]! / total;
  return { ids: allowed, probs };
}

/** max(0, r − q), renormalised; r itself if nothing is left (only by rounding). */
function residual(r: Dist, draft: { token: number; q: Dist | null }): Dist {
  const probs = new Float64Array(r.probs.length);
  let total = 0;
  for (let i = 0; i < probs.length; i++) {
    const id = r.ids[i]!;
    const q = draft.q === null ? (id === draft.token ? 1 : 0) : prob(draft.q, id);
    probs[i] = Math.max(0, r.probs[i]! - q);
    total += probs[i]!;
  }
  if (!(total > 0)) return r;
  for (let i = 0; i < probs.length; i++) probs[i] = probs[i]! / total;
  return { ids: r.ids, probs };
}

export interface JacobiResult {
  /** Body tokens (model ids), complete or up to a stop. */
  body: number[];
  /** Drafts checked and accepted, over all runs: the acceptance a benchmark reports. */
  drafted: number;
  accepted: number;
}

/**
 * Logits that predict the positions after the body: the last run's, past a rejection, one line
 * per rejected candidate (line[d] predicts the position at depth d + 1).
 */
type Line = { logits: DecoderLogits; t: number }[];

export async function jacobiDecode<S>(run: JacobiRun<S>): Promise<JacobiResult> {
  const { decoder, grammar, prng, settings } = run;
  const resume = run.resumeFrom ?? [];
  /** Drafts per node at `depth` from one source. */
  const width = (depth: number) => (run.chain === true ? 1 : (run.fanout?.[depth - 1] ?? 1));
  const body: number[] = [];
  let state = grammar.start;
  /** The distribution the newest body token was drawn from (its full target). */
  let newest: Dist | null = null;
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

  /** The draft tree after the body: the root is its last token, node i's parent is < i. */
  const buildTree = (lines: Line[]): Node<S>[] => {
    const nodes: Node<S>[] = [
      { token: body[body.length - 1]!, parent: -1, depth: 0, state, q: null, line: 0 },
    ];
    const path = (i: number): number[] => {
      const out: number[] = [];
      for (let a = i; a > 0; a = nodes[a]!.parent) out.unshift(nodes[a]!.token);
      return [...body, ...out];
    };
    // Siblings' children share one Jacobi distribution when their line and grammar state agree.
    const qs = new Map<string, Dist>();
    const jacobi = (line: number, depth: number, s: S, position: number): Dist | null => {
      const from = lines[line]?.[depth - 1];
      if (from === undefined) return null;
      const key = `${depth} ${line} ${JSON.stringify(s)}`;
      const q = qs.get(key) ?? distAt(from.logits, from.t, s, position);
      qs.set(key, q);
      return q;
    };
    let level = [0];
    for (let depth = 1; depth <= run.window && level.length > 0; depth++) {
      const next: number[] = [];
      const position = body.length + depth - 1;
      for (const parent of level) {
        const s = nodes[parent]!.state;
        if (grammar.done(s, position)) continue;
        const tokens = new Set<number>();
        const add = (token: number, q: Dist | null, line: number) => {
          tokens.add(token);
          nodes.push({ token, parent, depth, state: grammar.after(s, token), q, line });
          next.push(nodes.length - 1);
        };
        const lineOf = (k: number) =>
          depth === 1 && lines.length > 0 ? k % lines.length : nodes[parent]!.line;
        let drawn = false;
        for (let k = 0; k < width(depth); k++) {
          const q = jacobi(lineOf(k), depth, s, position);
          if (q === null) break;
          const checked = (run.fault === 'wrong-line' ? jacobi(0, depth, s, position) : null) ?? q;
          add(draw(q, prng.uniform()), checked, lineOf(k));
          drawn = true;
        }
        if (drawn) continue;
        const previous =
          run.sources?.previous === true && newest !== null
            ? restrict(newest, grammar.allowed(s, position))
            : null;
        if (previous !== null) {
          for (let k = 0; k < width(depth); k++) add(draw(previous, prng.uniform()), previous, 0);
        }
        if (run.guess !== undefined && (run.chain !== true || tokens.size === 0)) {
          const token = run.guess(path(parent), position, s);
          if (
            token !== null &&
            !tokens.has(token) &&
            indexOf(grammar.allowed(s, position), token) >= 0
          )
            add(token, null, 0);
        }
      }
      level = next;
    }
    return nodes;
  };

  const first = distAt(run.promptLogits, run.promptLogits.seq - 1, state, 0);
  newest = first;
  finalize(draw(first, prng.uniform()), first.ids);
  let lines: Line[] = [];
  if (run.afterRun !== undefined && (await run.afterRun(body)) === false)
    return { body, drafted, accepted };

  while (!grammar.done(state, body.length)) {
    const nodes = buildTree(lines);
    const base = decoder.length;
    const logits = await decoder.tree(
      nodes.map((n) => n.token),
      nodes.map((n) => n.parent),
    );
    const children = (i: number) => nodes.flatMap((n, c) => (n.parent === i ? [c] : []));
    const kept = [0];
    let at = 0;
    let rejectedAt: number | null = null;
    for (;;) {
      const p = distAt(logits, at, state, body.length);
      newest = p;
      const candidates = children(at);
      if (candidates.length === 0) {
        finalize(draw(p, prng.uniform()), p.ids); // a leaf: its logits give a free token
        break;
      }
      let r = p;
      let next: number | null = null;
      for (const c of candidates) {
        const node = nodes[c]!;
        const u = prng.uniform();
        drafted++;
        if (u * (node.q === null ? 1 : prob(node.q, node.token)) < prob(r, node.token)) {
          next = c;
          break;
        }
        r = residual(r, node);
      }
      if (next === null) {
        finalize(draw(run.fault === 'skip-residual' ? p : r, prng.uniform()), p.ids);
        rejectedAt = at;
        break;
      }
      accepted++;
      if (finalize(nodes[next]!.token, p.ids)) {
        rejectedAt = at;
        break;
      }
      kept.push(next);
      at = next;
      if (grammar.done(state, body.length)) break;
    }
    // The cache keeps the fed token and the accepted path; the newest token is fed next run.
    decoder.select(base, kept);
    // Past a rejection, a rejected candidate's line of first children saw the rejected token:
    // their logits are the next run's Jacobi drafts (the first candidate's, or every one's).
    lines = [];
    const rejected = rejectedAt === null ? [] : children(rejectedAt);
    for (const head of run.sources?.lines === true ? rejected : rejected.slice(0, 1)) {
      const line: Line = [];
      for (let c: number | undefined = head; c !== undefined; c = children(c)[0])
        line.push({ logits, t: c });
      lines.push(line);
    }
    if (run.afterRun !== undefined && (await run.afterRun(body)) === false) break;
  }
  return { body, drafted, accepted };
}
