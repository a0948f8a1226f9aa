/**
 * The gallery grid's query: filters combined with AND, full-text search, and keyset paging
 * (the cursor is the last row's sort key and id, so deep pages cost what the first one does).
 *
 * 'newest' and 'oldest' follow the asset id, which is the order items were added (and so the
 * created_at order). Every table keyed by asset id can then hand its rows over in sort order:
 * the search index, the generation indexes, boards and tags. The page query starts from the
 * most specific of those and stops after one page, instead of sorting every match.
 */
import { z } from 'zod';
import type { GalleryContext } from './context.ts';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.ts';
import { invalid } from './errors.ts';
import { ftsMatchExpression } from './fts-query.ts';
import { summariesByIds } from './item-read.ts';
import type { ItemQuery, QueryPage } from './types.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const id = z.number().int().positive();
const querySchema = z.strictObject({
  text: z.string().max(1000).optional(),
  kind: z.enum(['generation', 'photo']).optional(),
  modelId: z.string().optional(),
  family: z.string().optional(),
  task: z.enum(['generate', 'infill']).optional(),
  boardId: id.optional(),
  tag: z.string().optional(),
  starred: z.boolean().optional(),
  minRating: z.number().int().min(0).max(5).optional(),
  captioned: z.boolean().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  seed: z.number().int().min(0).optional(),
  trashed: z.boolean().optional(),
  sort: z.enum(['newest', 'oldest', 'adherence', 'surprise']).optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  cursor: z.string().nullable().optional(),
  withTotal: z.boolean().optional(),
});

/** The rows a query selects: where they come from, in id order, and the conditions on them. */
interface Selection {
  from: string;
  /** The driving table's asset id column: ordering by it needs no sort. */
  key: string;
  where: string[];
  params: unknown[];
}

/**
 * Which table drives the page. The driver is read in its own order and every other filter
 * is checked per row, so a page costs about `limit` ÷ (share of rows that pass) row reads.
 * SQLite's planner, left free, often prefers an index on a filter plus a sort of every match,
 * which at 100,000 items is ten times slower; CROSS JOIN keeps the driver first. The order of
 * preference puts the usually smallest sets first (a seed, a board, a tag before a model).
 */
type Driver =
  'search' | 'generations' | 'foreign' | 'board' | 'tag' | 'assets' | 'scores' | 'likelihoods';

const DRIVERS: Record<Driver, { table: string; key: string }> = {
  search: { table: 'assets_fts', key: 'assets_fts.rowid' },
  generations: { table: 'generations g', key: 'g.asset_id' },
  foreign: { table: 'foreign_generations f', key: 'f.asset_id' },
  board: { table: 'board_assets b', key: 'b.asset_id' },
  tag: { table: 'asset_tags x', key: 'x.asset_id' },
  assets: { table: '', key: 'a.id' },
  scores: { table: 'scores s', key: 's.asset_id' },
  likelihoods: { table: 'likelihoods l', key: 'l.asset_id' },
};

function chooseDriver(q: ItemQuery, match: string | null, byGeneration: boolean): Driver {
  if (match !== null) return 'search';
  if (q.seed !== undefined) return 'generations';
  if (q.boardId !== undefined) return 'board';
  if (q.tag !== undefined) return 'tag';
  return byGeneration ? 'generations' : 'assets';
}

/**
 * How the selection is read. page: driver first, in id order. count: the planner's choice (no
 * order to keep). scored: for the adherence sort, driven by the scores index, except for
 * filters that leave so few rows (a seed, the trash) that sorting them is cheaper. measured:
 * the same for the surprise sort, over the likelihoods index.
 */
type Mode = 'page' | 'count' | 'scored' | 'measured';

const RANKED: Partial<Record<Mode, { driver: Driver; alias: string }>> = {
  scored: { driver: 'scores', alias: 'scores s' },
  measured: { driver: 'likelihoods', alias: 'likelihoods l' },
};

/**
 * Which generations a recipe filter reads: Tessera's own (`generations`), or those imported
 * from other tools (`foreign_generations`, which have a model name and a seed but no family or
 * task). The two sets are disjoint; a query with a model or seed filter reads both, each in id
 * order, and merges them (see selections).
 */
type Source = 'tessera' | 'foreign';

function select(q: ItemQuery, mode: Mode = 'page', source: Source = 'tessera'): Selection {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  const match = q.text === undefined ? null : ftsMatchExpression(q.text);
  const byGeneration = [q.modelId, q.family, q.task, q.seed].some((v) => v !== undefined);
  const fewRows = q.seed !== undefined || q.trashed === true;
  const ranked = RANKED[mode];
  const chosen =
    ranked !== undefined && !fewRows ? ranked.driver : chooseDriver(q, match, byGeneration);
  const driver = source === 'foreign' && chosen === 'generations' ? 'foreign' : chosen;
  const join = mode === 'count' || driver === 'assets' ? 'JOIN' : 'CROSS JOIN';
  const { table, key } = DRIVERS[driver];
  let from = table === '' ? 'assets a' : `${table} ${join} assets a ON a.id = ${key}`;
  if (byGeneration && driver !== 'generations' && driver !== 'foreign')
    from +=
      source === 'foreign'
        ? ` ${join} foreign_generations f ON f.asset_id = a.id`
        : ` ${join} generations g ON g.asset_id = a.id`;
  if (ranked !== undefined && driver !== ranked.driver)
    from += ` JOIN ${ranked.alias} ON ${DRIVERS[ranked.driver].key} = a.id`;
  const tagId = 'SELECT id FROM tags WHERE name = ?';

  if (match !== null)
    add(
      driver === 'search'
        ? 'assets_fts MATCH ?'
        : 'a.id IN (SELECT rowid FROM assets_fts WHERE assets_fts MATCH ?)',
      match,
    );
  if (q.boardId !== undefined)
    add(
      driver === 'board'
        ? 'b.board_id = ?'
        : 'a.id IN (SELECT asset_id FROM board_assets WHERE board_id = ?)',
      q.boardId,
    );
  if (q.tag !== undefined)
    add(
      driver === 'tag'
        ? `x.tag_id = (${tagId})`
        : `a.id IN (SELECT asset_id FROM asset_tags WHERE tag_id = (${tagId}))`,
      q.tag.trim(),
    );
  add(q.trashed === true ? 'a.deleted_at IS NOT NULL' : 'a.deleted_at IS NULL');
  const cols = source === 'foreign' ? { model: 'f.model_name', seed: 'f.seed' } : null;
  if (q.modelId !== undefined) add(`${cols?.model ?? 'g.model_id'} = ?`, q.modelId);
  if (q.family !== undefined) add('g.family = ?', q.family);
  if (q.task !== undefined) add('g.task = ?', q.task);
  if (q.seed !== undefined) add(`${cols?.seed ?? 'g.seed'} = ?`, q.seed);
  if (q.kind !== undefined) add('a.kind = ?', q.kind);
  // Literals, and a redundant `rating > 0`, let the planner use the partial indexes.
  if (q.starred !== undefined) add(q.starred ? 'a.starred = 1' : 'a.starred = 0');
  if (q.minRating !== undefined && q.minRating > 0)
    add('a.rating >= ? AND a.rating > 0', q.minRating);
  if (q.captioned !== undefined)
    add(`${q.captioned ? '' : 'NOT '}EXISTS (SELECT 1 FROM captions c WHERE c.asset_id = a.id)`);
  if (q.from !== undefined) add('a.created_at >= ?', q.from);
  if (q.to !== undefined) add('a.created_at < ?', q.to);
  return { from, key, where, params };
}

/**
 * The selections a query reads: one, or with a model or seed filter (and no family or task,
 * which only Tessera's recipes have) also the generations imported from other tools. Items
 * with a self-score are all Tessera's, so the scored phase reads Tessera's only; any image can
 * have been measured, so the measured phase reads both.
 */
function selections(q: ItemQuery, mode: Mode = 'page'): Selection[] {
  const tessera = select(q, mode);
  const recipeFilter = q.modelId !== undefined || q.seed !== undefined;
  const tesseraOnly = q.family !== undefined || q.task !== undefined || mode === 'scored';
  return recipeFilter && !tesseraOnly ? [tessera, select(q, mode, 'foreign')] : [tessera];
}

interface Order {
  where: string | null;
  /** The sort key of a row, as stored in the cursor. */
  sortKey: (s: Selection) => string;
  order: (s: Selection) => string;
  after: (s: Selection) => string;
}

const NEWEST: Order = {
  where: null,
  sortKey: (s) => s.key,
  order: (s) => `${s.key} DESC`,
  after: (s) => `${s.key} < ?`,
};
const OLDEST: Order = { ...NEWEST, order: (s) => `${s.key} ASC`, after: (s) => `${s.key} > ?` };
/** Adherence, phase 1 (driven by scores): items with a self-score, best first. */
const SCORED: Order = {
  where: null,
  sortKey: () => 's.prompt_logp_per_token',
  order: () => 's.prompt_logp_per_token DESC, s.asset_id DESC',
  after: () => '(s.prompt_logp_per_token, s.asset_id) < (?, ?)',
};
/** Adherence, phase 2: the items without one, newest first. */
const UNSCORED: Order = {
  ...NEWEST,
  where: 'NOT EXISTS (SELECT 1 FROM scores s WHERE s.asset_id = a.id)',
};
/** Surprise, phase 1 (driven by likelihoods): measured items, most bits per dimension first. */
const MEASURED: Order = {
  where: null,
  sortKey: () => 'l.bits_per_dim',
  order: () => 'l.bits_per_dim DESC, l.asset_id DESC',
  after: () => '(l.bits_per_dim, l.asset_id) < (?, ?)',
};
/** Surprise, phase 2: the items never measured, newest first. */
const UNMEASURED: Order = {
  ...NEWEST,
  where: 'NOT EXISTS (SELECT 1 FROM likelihoods l WHERE l.asset_id = a.id)',
};
const byKey = (o: Order) => o === SCORED || o === MEASURED;

interface PageRow {
  id: number;
  k: number;
}

function pageOf(
  ctx: GalleryContext,
  s: Selection,
  o: Order,
  cursor: Cursor | null,
  limit: number,
): PageRow[] {
  const where = [...s.where];
  const params = [...s.params];
  if (o.where !== null) where.push(o.where);
  if (cursor !== null) {
    where.push(o.after(s));
    params.push(...(byKey(o) ? [cursor.key, cursor.id] : [cursor.id]));
  }
  return ctx.all<PageRow>(
    `SELECT a.id, ${o.sortKey(s)} AS k FROM ${s.from}
     WHERE ${where.join(' AND ')} ORDER BY ${o.order(s)} LIMIT ?`,
    ...params,
    limit,
  );
}

function parseQuery(input: ItemQuery): ItemQuery {
  const parsed = querySchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data as ItemQuery;
  const issue = parsed.error.issues[0]!;
  throw invalid(
    `the gallery query's ${issue.path.join('.') || 'shape'} is wrong: ${issue.message}`,
  );
}

/** One page from each selection, merged in the order's direction (the sets are disjoint). */
function mergedPage(
  ctx: GalleryContext,
  all: Selection[],
  o: Order,
  cursor: Cursor | null,
  limit: number,
): PageRow[] {
  const pages = all.map((s) => pageOf(ctx, s, o, cursor, limit));
  if (pages.length === 1) return pages[0]!;
  const ascending = o === OLDEST;
  const ranked = byKey(o);
  return pages
    .flat()
    .sort((a, b) => (ranked && a.k !== b.k ? b.k - a.k : ascending ? a.id - b.id : b.id - a.id))
    .slice(0, limit);
}

/** How many items match `q` (its sort, limit and cursor do not matter). */
export function countItems(ctx: GalleryContext, input: ItemQuery): number {
  let n = 0;
  for (const s of selections(parseQuery(input), 'count'))
    n += ctx.get<{ n: number }>(
      `SELECT count(*) AS n FROM ${s.from} WHERE ${s.where.join(' AND ')}`,
      ...s.params,
    )!.n;
  return n;
}

export function queryItems(ctx: GalleryContext, input: ItemQuery): QueryPage {
  const q = parseQuery(input);
  const sort = q.sort ?? 'newest';
  const limit = q.limit ?? DEFAULT_LIMIT;
  const cursor = q.cursor === undefined || q.cursor === null ? null : decodeCursor(q.cursor, sort);
  const all = selections(q);

  // One read transaction: the page, its summaries and its total see the same snapshot.
  return ctx.db.transaction(() => {
    // One row past the page tells whether there is a next page.
    let rows: (PageRow & { phase: 1 | 2 })[];
    if (sort === 'adherence') {
      // Only generations carry a self-score.
      const noScores = cursor?.phase === 2 || q.kind === 'photo';
      const scored = noScores ? [] : pageOf(ctx, select(q, 'scored'), SCORED, cursor, limit + 1);
      rows = scored.map((r) => ({ ...r, phase: 1 as const }));
      if (rows.length <= limit) {
        const after = cursor?.phase === 2 ? cursor : null;
        const unscored = mergedPage(ctx, all, UNSCORED, after, limit + 1 - rows.length);
        rows.push(...unscored.map((r) => ({ ...r, phase: 2 as const })));
      }
    } else if (sort === 'surprise') {
      const measured =
        cursor?.phase === 2
          ? []
          : mergedPage(ctx, selections(q, 'measured'), MEASURED, cursor, limit + 1);
      rows = measured.map((r) => ({ ...r, phase: 1 as const }));
      if (rows.length <= limit) {
        const after = cursor?.phase === 2 ? cursor : null;
        const unmeasured = mergedPage(ctx, all, UNMEASURED, after, limit + 1 - rows.length);
        rows.push(...unmeasured.map((r) => ({ ...r, phase: 2 as const })));
      }
    } else {
      const order = sort === 'oldest' ? OLDEST : NEWEST;
      rows = mergedPage(ctx, all, order, cursor, limit + 1).map((r) => ({
        ...r,
        phase: 1 as const,
      }));
    }
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last !== undefined
        ? encodeCursor({ sort, phase: last.phase, key: last.k, id: last.id })
        : null;
    const items = summariesByIds(
      ctx,
      page.map((r) => r.id),
    );
    if (q.withTotal !== true || cursor !== null) return { items, nextCursor };
    return { items, nextCursor, total: countItems(ctx, q) };
  })();
}
