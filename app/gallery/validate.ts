/** Argument checks shared by the gallery's methods: each failure says what to pass instead. */
import type { GalleryContext } from './context.ts';
import { invalid, notFound } from './errors.ts';

export function assertId(id: unknown, what = 'item'): asserts id is number {
  if (!Number.isSafeInteger(id) || (id as number) <= 0)
    throw invalid(`${String(id)} is not a valid ${what} id: pass a positive whole number`);
}

export function assertIds(ids: unknown, what = 'item'): asserts ids is number[] {
  if (!Array.isArray(ids)) throw invalid(`pass a list of ${what} ids`);
  for (const id of ids) assertId(id, what);
}

export const idsJson = (ids: readonly number[]) => JSON.stringify([...new Set(ids)]);

/** Throws not-found naming the ids that have no asset row. */
export function assertAssetsExist(ctx: GalleryContext, ids: readonly number[]): void {
  if (ids.length === 0) return;
  const missing = ctx
    .all<{ value: number }>(
      'SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM assets)',
      idsJson(ids),
    )
    .map((r) => r.value);
  if (missing.length > 0)
    throw notFound(
      `no item with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} ` +
        'in this library: refresh the gallery, it may have been deleted',
    );
}

export function assertBoardExists(ctx: GalleryContext, boardId: number): void {
  assertId(boardId, 'board');
  if (ctx.get('SELECT 1 FROM boards WHERE id = ?', boardId) === undefined)
    throw notFound(`no board with id ${boardId}: refresh the board list, it may have been deleted`);
}

export function assertName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalid(`the ${what} name is empty: type a name`);
  const trimmed = name.trim();
  if (trimmed.length > 200) throw invalid(`the ${what} name is over 200 characters: shorten it`);
  // A NUL would cut the name short inside SQLite; tabs and line breaks break every list.
  if (/\p{Cc}/u.test(trimmed))
    throw invalid(
      `the ${what} name contains a control character (such as NUL, a tab or a line break): type it without them`,
    );
  return trimmed;
}

export function assertSha256(sha: unknown, what = 'sha256'): asserts sha is string {
  if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha))
    throw invalid(`${what} must be 64 lowercase hex digits, got ${JSON.stringify(sha)}`);
}
