/**
 * App-wide UI state: which screen is open, the error banner, toasts, the Generate settings
 * (shared with the Library's "Reuse settings" and "Remix"), and the items Generate produced.
 */
import type { OpenedFileView } from '../../../app/common/contract.ts';
import { describeError } from '../bridge/index.ts';
import { parseSession } from '../lib/generate.ts';
import { defaultSettings, type GenerateSettings } from '../lib/settings.ts';
import { createStore } from './store.ts';

export type Screen = 'generate' | 'compare' | 'library' | 'infill' | 'caption' | 'models';

export interface AppState {
  screen: Screen;
  /** the item the Library's detail panel shows */
  detailId: number | null;
  /** the item open in Infill */
  infillId: number | null;
  /** or else the file opened in Infill without importing it */
  infillFile: OpenedFileView | null;
  /** File › Export… requests from the app menu not yet answered (the Library opens its export
   * dialog and sets this back to 0) */
  exportRequest: number;
}

export const appStore = createStore<AppState>({
  screen: 'generate',
  detailId: null,
  infillId: null,
  infillFile: null,
  exportRequest: 0,
});

export function navigate(screen: Screen, extra: Partial<Omit<AppState, 'screen'>> = {}): void {
  appStore.set((s) => ({ ...s, ...extra, screen }));
}

export function openInLibrary(id: number): void {
  navigate('library', { detailId: id });
}

// ── Errors and toasts ────────────────────────────────────────────────────────────────────

export interface Problem {
  id: number;
  /** what the user was doing, e.g. "Could not start the generation" */
  title: string;
  code: string;
  message: string;
}

export const problemsStore = createStore<Problem[]>([]);
let problemSeq = 0;

export function reportError(title: string, err: unknown): void {
  const { code, message } = describeError(err);
  problemsStore.set((list) => {
    // The same failure twice in a row (a retry loop, a reconnect) shows once.
    const last = list[list.length - 1];
    if (last !== undefined && last.title === title && last.message === message) return list;
    return [...list.slice(-4), { id: ++problemSeq, title, code, message }];
  });
}

export function dismissProblem(id: number): void {
  problemsStore.set((list) => list.filter((p) => p.id !== id));
}

export interface Toast {
  id: number;
  message: string;
  action?: { label: string; run: () => void };
}

export const toastStore = createStore<Toast[]>([]);

export function toast(message: string, action?: Toast['action'], ms = 6000): void {
  const id = ++problemSeq;
  toastStore.set((list) => [...list.slice(-2), { id, message, ...(action ? { action } : {}) }]);
  setTimeout(() => toastStore.set((list) => list.filter((t) => t.id !== id)), ms);
}

// ── Generate settings (kept across restarts) ─────────────────────────────────────────────

const SETTINGS_KEY = 'tessera.generate.v1';

function loadSettings(): GenerateSettings {
  const base = defaultSettings();
  try {
    const raw = localStorage.getItem(SETTINGS_KEY);
    if (raw === null) return base;
    const saved = JSON.parse(raw) as Partial<GenerateSettings>;
    const out = { ...base };
    for (const key of Object.keys(base) as (keyof GenerateSettings)[]) {
      const v = saved[key];
      if (v !== undefined && (typeof v === typeof base[key] || base[key] === null || v === null))
        (out as Record<string, unknown>)[key] = v;
    }
    return out;
  } catch {
    return base;
  }
}

export const settingsStore = createStore<GenerateSettings>(loadSettings());

let saveTimer: ReturnType<typeof setTimeout> | null = null;
settingsStore.subscribe(() => {
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(settingsStore.get()));
    } catch {
      // storage full or disabled: settings simply do not persist
    }
  }, 300);
});

export function updateSettings(patch: Partial<GenerateSettings>): void {
  settingsStore.set((s) => ({ ...s, ...patch }));
}

// ── What Generate made in this session ───────────────────────────────────────────────────

export interface GenerateSession {
  /** jobs submitted from Generate, newest first */
  jobIds: string[];
  /** finished images, newest first */
  results: { id: number; sha256: string; title: string; jobId: string }[];
}

const SESSION_KEY = 'tessera.generate.session.v1';

function readSession(): GenerateSession {
  try {
    return parseSession(sessionStorage.getItem(SESSION_KEY));
  } catch {
    return { jobIds: [], results: [] };
  }
}

/** Kept in the tab's storage, so a reload re-attaches the stage to the jobs it started. */
export const sessionStore = createStore<GenerateSession>(readSession());

sessionStore.subscribe(() => {
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(sessionStore.get()));
  } catch {
    // storage full or disabled: a reload starts an empty stage
  }
});
