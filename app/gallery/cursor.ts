/** The opaque keyset cursor of a gallery page: where the last row was, in which ordering. */
import { invalid } from './errors.ts';

export interface Cursor {
  /** The sort the cursor belongs to. */
  sort: string;
  /** Adherence and surprise sort ranked items first (phase 1), then the others (phase 2). */
  phase: 1 | 2;
  key: number;
  id: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.phase, c.key, c.id])).toString('base64url');
}

export function decodeCursor(text: string, sort: string): Cursor {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  const ok =
    Array.isArray(parts) &&
    parts.length === 4 &&
    (parts[1] === 1 || parts[1] === 2) &&
    Number.isFinite(parts[2]) &&
    Number.isSafeInteger(parts[3]);
  if (!ok) throw invalid('the page cursor is damaged: load the gallery from the first page');
  const [cursorSort, phase, key, id] = parts as [string, 1 | 2, number, number];
  if (cursorSort !== sort)
    throw invalid('the page cursor belongs to another sort order: load the first page again');
  return { sort, phase, key, id };
}
