/**
 * Boards: named, case-insensitively unique collections. An auto-add board receives every new
 * generation. Deleting a board never deletes its items.
 */
import type { GalleryContext } from './context.ts';
import { invalid } from './errors.ts';
import {
  assertAssetsExist,
  assertBoardExists,
  assertIds,
  assertName,
  idsJson,
} from './validate.ts';

function assertNameFree(ctx: GalleryContext, name: string, exceptId: number | null): void {
  const other = ctx.get<{ id: number; name: string }>(
    'SELECT id, name FROM boards WHERE name = ?',
    name,
  );
  if (other !== undefined && other.id !== exceptId)
    throw invalid(`a board named "${other.name}" already exists: choose another name`);
}

export function createBoard(ctx: GalleryContext, name: string, autoAdd = false): number {
  const clean = assertName(name, 'board');
  return ctx.write(() => {
    assertNameFree(ctx, clean, null);
    return ctx.get<{ id: number }>(
      'INSERT INTO boards (name, auto_add, created_at) VALUES (?, ?, ?) RETURNING id',
      clean,
      autoAdd ? 1 : 0,
      Date.now(),
    )!.id;
  });
}

export function renameBoard(ctx: GalleryContext, id: number, name: string): void {
  const clean = assertName(name, 'board');
  ctx.write(() => {
    assertBoardExists(ctx, id);
    assertNameFree(ctx, clean, id);
    ctx.run('UPDATE boards SET name = ? WHERE id = ?', clean, id);
  });
}

export function deleteBoard(ctx: GalleryContext, id: number): void {
  ctx.write(() => {
    assertBoardExists(ctx, id);
    ctx.run('DELETE FROM boards WHERE id = ?', id);
  });
}

export function setBoardAutoAdd(ctx: GalleryContext, id: number, autoAdd: boolean): void {
  ctx.write(() => {
    assertBoardExists(ctx, id);
    ctx.run('UPDATE boards SET auto_add = ? WHERE id = ?', autoAdd ? 1 : 0, id);
  });
}

export function addToBoard(ctx: GalleryContext, boardId: number, ids: number[]): void {
  assertIds(ids);
  ctx.write(() => {
    assertBoardExists(ctx, boardId);
    assertAssetsExist(ctx, ids);
    ctx.run(
      `INSERT OR IGNORE INTO board_assets (board_id, asset_id, added_at)
       SELECT ?, value, ? FROM json_each(?)`,
      boardId,
      Date.now(),
      idsJson(ids),
    );
  });
}

export function removeFromBoard(ctx: GalleryContext, boardId: number, ids: number[]): void {
  assertIds(ids);
  ctx.write(() => {
    assertBoardExists(ctx, boardId);
    ctx.run(
      'DELETE FROM board_assets WHERE board_id = ? AND asset_id IN (SELECT value FROM json_each(?))',
      boardId,
      idsJson(ids),
    );
  });
}

/** Boards by name, with how many items outside the trash each holds. */
export function listBoards(
  ctx: GalleryContext,
): { id: number; name: string; autoAdd: boolean; count: number }[] {
  return ctx
    .all<{ id: number; name: string; auto_add: number; count: number }>(
      `SELECT b.id, b.name, b.auto_add, count(a.id) AS count FROM boards b
       LEFT JOIN board_assets x ON x.board_id = b.id
       LEFT JOIN assets a ON a.id = x.asset_id AND a.deleted_at IS NULL
       GROUP BY b.id ORDER BY b.name`,
    )
    .map((b) => ({ id: b.id, name: b.name, autoAdd: b.auto_add === 1, count: b.count }));
}
