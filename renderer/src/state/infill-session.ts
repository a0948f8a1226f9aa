/** The Infill session, kept across screen switches and reloads (in the tab's storage) so leaving
 * Infill or reloading loses neither the mask nor a result waiting for Accept or Discard. */
import { sessionForStorage, sessionFromStorage, type InfillSession } from '../lib/infill.ts';
import { createStore } from './store.ts';

const SESSION_KEY = 'tessera.infill.session.v1';

function readSession(): InfillSession | null {
  try {
    return sessionFromStorage(sessionStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
}

export const infillSessionStore = createStore<InfillSession | null>(readSession());

function save(): void {
  const s = infillSessionStore.get();
  try {
    if (s === null) sessionStorage.removeItem(SESSION_KEY);
    else sessionStorage.setItem(SESSION_KEY, sessionForStorage(s));
  } catch {
    // storage full or disabled: a reload starts a fresh session
  }
}

// Written a moment after painting pauses, not on every brush point, and when the page goes.
let saveTimer: ReturnType<typeof setTimeout> | null = null;
infillSessionStore.subscribe(() => {
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = setTimeout(save, 200);
});
window.addEventListener('pagehide', save);

export function setInfillSession(patch: Partial<InfillSession>): void {
  infillSessionStore.set((s) => (s === null ? s : { ...s, ...patch }));
}
