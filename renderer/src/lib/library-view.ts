/**
 * What the Library screen says and sends, apart from the query itself (library-query.ts): the
 * empty view's words, the status line, the items an export takes, the paths typed into Import,
 * and what an import answered. Pure.
 */
import type { ResponseOf } from '../../../app/common/contract.ts';
import { activeFilterCount, type LibraryFilters } from './library-query.ts';

/** Thumbnail sizes: the grid's smallest cell, in CSS pixels. */
export const THUMB_SIZES = { S: 96, M: 140, L: 208 } as const;
export type ThumbSize = keyof typeof THUMB_SIZES;
export const THUMB_SIZE_NAMES: Record<ThumbSize, string> = { S: 'Small', M: 'Medium', L: 'Large' };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The heading and advice of a view with no items. */
export function emptyView(f: LibraryFilters): { title: string; body: string } {
  if (f.trashed)
    return { title: 'The trash is empty', body: 'Deleted images wait here for 30 days.' };
  if (activeFilterCount(f) > 0 || f.text !== '')
    return { title: 'Nothing matches', body: 'Try fewer filters or other words.' };
  return {
    title: 'The library is empty',
    body: 'Generate an image, or import a folder of pictures.',
  };
}

/** "1,234+ items in the trash · 3 selected": `done` false means more pages may follow. */
export function countLine(
  count: number,
  done: boolean,
  trashed: boolean,
  selected: number,
): string {
  return (
    `${count.toLocaleString('en-US')}${done ? '' : '+'} item${count === 1 ? '' : 's'}` +
    `${trashed ? ' in the trash' : ''}${selected > 0 ? ` · ${selected} selected` : ''}`
  );
}

/** An export takes the selection, else the item open in the detail panel, else nothing. */
export function exportIds(selection: ReadonlySet<number>, detailId: number | null): number[] {
  if (selection.size > 0) return [...selection];
  return detailId !== null ? [detailId] : [];
}

/** What a delete (or, in the trash, a restore) of `n` items says. */
export function trashMessage(n: number, restoring: boolean): string {
  return restoring ? `Restored ${plural(n, 'item')}` : `Moved ${plural(n, 'item')} to the trash`;
}

/** Import's paths, one a line, blank lines dropped. */
export function parsePaths(text: string): string[] {
  return text
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The typed paths with picked ones added below them. */
export function appendPaths(text: string, added: readonly string[]): string {
  return [text.trim(), ...added].filter(Boolean).join('\n');
}

export type ImportAnswer = ResponseOf<'gallery:import'>;

export function importCounts(result: ImportAnswer): {
  imported: number;
  exists: number;
  failed: ImportAnswer;
} {
  return {
    imported: result.filter((r) => r.status === 'imported').length,
    exists: result.filter((r) => r.status === 'exists').length,
    failed: result.filter((r) => r.status === 'failed'),
  };
}

/** Tags typed comma-separated: trimmed, empty and over-long ones dropped. */
export function parseTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t.length <= 100);
}
