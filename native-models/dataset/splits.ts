/**
 * Deterministic train/val/test splits that make two generalisation questions measurable:
 * - `test-unseen`: concepts (all renderings, all skin tones) never seen in training;
 * - `val` / `test`: a concept seen in training, rendered in a set (style) it was not seen in.
 */
import { createHash } from 'node:crypto';

export type Split = 'train' | 'val' | 'test' | 'test-unseen';

export interface SplitInput {
  set: string;
  caption: string;
  concept: string;
}

export interface SplitOptions {
  seed: number;
  unseenConceptFraction: number;
  valFraction: number;
  testFraction: number;
}

export const DEFAULT_SPLIT: SplitOptions = {
  seed: 20261122,
  unseenConceptFraction: 0.03,
  valFraction: 0.05,
  testFraction: 0.05,
};

/** Uniform number in [0, 1) from a hash of the parts; stable across platforms and runs. */
export function hashUnit(...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export function assignSplits(items: readonly SplitInput[], options: SplitOptions): Split[] {
  const { seed } = options;
  const unseen = (concept: string) =>
    hashUnit('concept', seed, concept) < options.unseenConceptFraction;

  // First pass: a provisional split per rendering, ignoring whether the concept is seen.
  const provisional: Split[] = items.map((item) => {
    if (unseen(item.concept)) return 'test-unseen';
    const u = hashUnit('render', seed, item.set, item.caption);
    if (u < options.valFraction) return 'val';
    if (u < options.valFraction + options.testFraction) return 'test';
    return 'train';
  });

  // A val/test rendering is only "seen concept, unseen style" if the same caption is in train
  // from another set; otherwise it goes back to train so no seen-split item is a novel concept.
  const trainSetsByCaption = new Map<string, Set<string>>();
  items.forEach((item, i) => {
    if (provisional[i] !== 'train') return;
    const sets = trainSetsByCaption.get(item.caption) ?? new Set<string>();
    sets.add(item.set);
    trainSetsByCaption.set(item.caption, sets);
  });
  return provisional.map((split, i) => {
    if (split !== 'val' && split !== 'test') return split;
    const item = items[i]!;
    const sets = trainSetsByCaption.get(item.caption);
    const seenElsewhere = sets !== undefined && [...sets].some((s) => s !== item.set);
    return seenElsewhere ? split : 'train';
  });
}
