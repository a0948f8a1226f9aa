/** The Infill session, kept across screen switches so leaving Infill loses neither the mask nor
 * the staged result. */
import type { InfillSession } from '../lib/infill.ts';
import { createStore } from './store.ts';

export const infillSessionStore = createStore<InfillSession | null>(null);

export function setInfillSession(patch: Partial<InfillSession>): void {
  infillSessionStore.set((s) => (s === null ? s : { ...s, ...patch }));
}
