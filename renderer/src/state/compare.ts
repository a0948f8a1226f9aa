/**
 * The comparison on the Compare screen (kept in the tab's storage, so a reload comes back to its
 * cells and re-attaches them to their jobs), and each finished cell's time and self-score
 * (`compare:measure`), asked for once per image.
 */
import type { ResponseOf } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import {
  parseCompareSession,
  parseMeasures,
  type CompareSession,
  type SettingsMode,
  type SharedSettings,
} from '../lib/compare.ts';
import { randomSeed } from '../lib/settings.ts';
import { createStore } from './store.ts';

const KEY = 'tessera.compare.session.v1';

function read(): CompareSession | null {
  try {
    return parseCompareSession(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export const compareStore = createStore<CompareSession | null>(read());

compareStore.subscribe(() => {
  try {
    const s = compareStore.get();
    if (s === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // storage full or disabled: a reload starts without the comparison
  }
});

export type Measure = ResponseOf<'compare:measure'> | 'loading' | 'failed';

const MEASURES_KEY = 'tessera.compare.measures.v1';

function readMeasures(): Record<number, Measure> {
  try {
    return parseMeasures(sessionStorage.getItem(MEASURES_KEY));
  } catch {
    return {};
  }
}

/** By library item id; the finished ones kept in the tab's storage, so a reload shows them. */
export const measuresStore = createStore<Record<number, Measure>>(readMeasures());

measuresStore.subscribe(() => {
  const done = Object.entries(measuresStore.get()).filter(([, m]) => typeof m === 'object');
  try {
    sessionStorage.setItem(MEASURES_KEY, JSON.stringify(Object.fromEntries(done)));
  } catch {
    // storage full or disabled: a reload measures again
  }
});

/** Asks for an item's time and self-score unless already asked. */
export function measure(itemId: number): void {
  if (measuresStore.get()[itemId] !== undefined) return;
  const put = (m: Measure) => measuresStore.set((all) => ({ ...all, [itemId]: m }));
  put('loading');
  invoke('compare:measure', { id: itemId }).then(put, () => put('failed'));
}

export interface CompareForm {
  prompt: string;
  seed: number;
  seedLocked: boolean;
  mode: SettingsMode;
  /** null until the user touches a shared setting: then they start from the models' defaults */
  shared: SharedSettings | null;
}

/** The form, kept while other screens are open; after a reload, the comparison's own. */
export const compareFormStore = createStore<CompareForm>(formOf(compareStore.get()));

function formOf(session: CompareSession | null): CompareForm {
  return {
    prompt: session?.prompt ?? '',
    seed: session?.seed ?? randomSeed(),
    seedLocked: true,
    mode: session?.shared == null ? 'own' : 'shared',
    shared: session?.shared ?? null,
  };
}

export function updateCompareForm(patch: Partial<CompareForm>): void {
  compareFormStore.set((f) => ({ ...f, ...patch }));
}
