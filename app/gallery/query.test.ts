import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { ftsMatchExpression } from './fts-query.ts';
import { GalleryError, type ItemQuery } from './index.ts';
import { DEFAULT_MODEL_ID } from '../models/installed.ts';
import { generation, painters, sha256, tempGallery } from './testing/helpers.ts';

const gallery = tempGallery();

interface Made {
  id: number;
  prompt: string | null;
  model: string | null;
  family: string | null;
  task: 'generate' | 'infill' | null;
  seed: number | null;
  logp: number | null;
  /** bits per dimension, when measured */
  bpd: number | null;
  createdAfter: number;
}
const made: Made[] = [];
let midpoint = 0;
let boardId = 0;

const PROMPTS = [
  'red heart with sparkles',
  'blue whale in a deep ocean',
  'redwood forest at dawn',
  'a café terrace at night',
  'green frog on a red leaf',
  'rocket launching into space',
  'smiling sun over hills',
  'red rocket on blue sky',
  'cat wearing a tiny hat',
  'owl reading a book',
  'heart shaped balloon',
  'night sky full of stars',
];

before(async () => {
  for (const [i, prompt] of PROMPTS.entries()) {
    if (i === 6) {
      await sleep(5);
      midpoint = Date.now();
      await sleep(5);
    }
    const model = i % 3 === 0 ? 'acme/diffuser-xl' : DEFAULT_MODEL_ID;
    const family = i % 3 === 0 ? 'diffusion' : 'vq-ar';
    const task = i % 4 === 1 ? 'infill' : 'generate';
    const logp = i % 2 === 0 ? -1 - i / 10 : null;
    // Every third generation is measured; two share a value (ties go newest first).
    const bpd = i % 3 === 1 ? [4.5, 2.25, 6, 4.5][(i - 1) / 3]! : null;
    const createdAfter = Date.now();
    const id = await gallery.addGeneration(
      generation(
        Object.values(painters)[i % 5]!,
        {
          prompt,
          modelId: model,
          family,
          task,
          seed: 100 + (i % 4),
          selfScore: logp === null ? null : { logProbPerToken: logp, candidates: 2 },
        },
        { bitsPerDim: bpd },
        i,
      ),
    );
    made.push({ id, prompt, model, family, task, seed: 100 + (i % 4), logp, bpd, createdAfter });
  }
  for (let i = 0; i < 3; i++) {
    const bytes = await sharp({
      create: { width: 64, height: 48, channels: 3, background: { r: 60 * i, g: 90, b: 200 } },
    })
      .png()
      .toBuffer();
    const createdAfter = Date.now();
    const { assetId } = await gallery.addPhoto({
      bytes,
      sha256: sha256(bytes),
      mime: 'image/png',
      width: 64,
      height: 48,
      size: bytes.length,
      exif: null,
      origin: 'imported',
    });
    made.push({
      id: assetId,
      prompt: null,
      model: null,
      family: null,
      task: null,
      seed: null,
      logp: null,
      bpd: null,
      createdAfter,
    });
  }
  // A photo measured by a model that did not make it, measured twice: the latest value counts.
  gallery.setLikelihood(made[13]!.id, 'acme/flow', 1.5);
  gallery.setLikelihood(made[13]!.id, 'tessera/jetformer-emoji32', 7.25);
  made[13]!.bpd = 7.25;
  const [g0, g1, g2, g3, g4, , , , , , , , p0, p1] = made.map((m) => m.id);
  gallery.setUserCaption(p0!, 'a quiet lake with a red boat');
  gallery.setUserCaption(g3!, 'terrace lights');
  gallery.addTags([g0!, g4!, p1!], ['Favourite']);
  gallery.addTags([g1!], ['ocean life', 'Favourite']);
  gallery.setStar([g0!, g2!, p1!], true);
  gallery.setRating([g1!], 5);
  gallery.setRating([g2!, g3!], 3);
  boardId = gallery.createBoard('Picks');
  gallery.addToBoard(boardId, [g2!, g3!, p0!]);
  gallery.trash([g4!]);
});

const ids = (q: ItemQuery) => gallery.query({ limit: 1000, ...q }).items.map((i) => i.id);
const set = (xs: number[]) => [...xs].sort((a, b) => a - b);
const visible = () => made.filter((m) => m.id !== made[4]!.id);
const where = (pred: (m: Made, i: number) => boolean) =>
  set(
    visible()
      .filter((m) => pred(m, made.indexOf(m)))
      .map((m) => m.id),
  );

test('user text becomes quoted prefix terms that cannot break FTS syntax', () => {
  assert.equal(ftsMatchExpression('Red  heart'), '"red"* "heart"*');
  assert.equal(ftsMatchExpression('"red" AND (heart OR'), '"red"* "and"* "heart"* "or"*');
  assert.equal(ftsMatchExpression('*** "" :'), null);
});

test('full-text search finds prompts, captions, tags and models by word prefix', () => {
  const byPrompt = (w: RegExp) => where((m) => m.prompt !== null && w.test(m.prompt));
  assert.deepEqual(set(ids({ text: 'red' })), set([...byPrompt(/\bred/), made[12]!.id]));
  assert.deepEqual(set(ids({ text: 'red rocket' })), byPrompt(/red rocket/));
  assert.deepEqual(ids({ text: 'terrace lights' }), [made[3]!.id]); // prompt + caption
  assert.deepEqual(ids({ text: 'lake' }), [made[12]!.id]);
  assert.deepEqual(set(ids({ text: 'favour' })), set([made[0]!.id, made[1]!.id, made[13]!.id]));
  assert.deepEqual(
    set(ids({ text: 'diffuser' })),
    where((m) => m.model === 'acme/diffuser-xl'),
  );
  assert.deepEqual(ids({ text: 'cafe' }), [made[3]!.id]); // diacritics folded
  assert.deepEqual(ids({ text: 'whale ocean' }), [made[1]!.id]);
  assert.deepEqual(ids({ text: 'whale zebra' }), []);
});

test('hostile search input is never an error', () => {
  const hostile = [
    '"',
    '"red',
    'AND (',
    'NEAR(',
    ')(*',
    'prompt:red',
    "'; DROP TABLE assets; --",
    '\\',
    '-red',
    'red OR',
    '^heart',
    '🔥❤️',
    '\u0000',
    'a'.repeat(1000),
  ];
  for (const text of hostile) assert.doesNotThrow(() => gallery.query({ text }), text);
  assert.deepEqual(set(ids({ text: '"red' })), set(ids({ text: 'red' })));
  assert.deepEqual(set(ids({ text: 'prompt:red' })), set(ids({ text: 'prompt red' })));
  assert.equal(ids({ text: '"' }).length, visible().length); // nothing to search: everything
});

test('every filter selects exactly the matching items, and filters combine with AND', () => {
  const model = DEFAULT_MODEL_ID;
  assert.deepEqual(
    set(ids({ kind: 'photo' })),
    where((m) => m.prompt === null),
  );
  assert.deepEqual(
    set(ids({ kind: 'generation' })),
    where((m) => m.prompt !== null),
  );
  assert.deepEqual(
    set(ids({ modelId: model })),
    where((m) => m.model === model),
  );
  assert.deepEqual(
    set(ids({ family: 'diffusion' })),
    where((m) => m.family === 'diffusion'),
  );
  assert.deepEqual(
    set(ids({ task: 'infill' })),
    where((m) => m.task === 'infill'),
  );
  assert.deepEqual(
    set(ids({ seed: 101 })),
    where((m) => m.seed === 101),
  );
  assert.deepEqual(set(ids({ boardId })), set([made[2]!.id, made[3]!.id, made[12]!.id]));
  assert.deepEqual(set(ids({ tag: 'favourite' })), set([made[0]!.id, made[1]!.id, made[13]!.id]));
  assert.deepEqual(ids({ tag: 'no such tag' }), []);
  assert.deepEqual(set(ids({ starred: true })), set([made[0]!.id, made[2]!.id, made[13]!.id]));
  assert.equal(ids({ starred: false }).length, visible().length - 3);
  assert.deepEqual(set(ids({ minRating: 3 })), set([made[1]!.id, made[2]!.id, made[3]!.id]));
  assert.deepEqual(ids({ minRating: 4 }), [made[1]!.id]);
  assert.deepEqual(set(ids({ captioned: true })), set([made[3]!.id, made[12]!.id]));
  assert.equal(ids({ captioned: false }).length, visible().length - 2);
  assert.deepEqual(
    set(ids({ from: midpoint })),
    where((m) => m.createdAfter >= midpoint),
  );
  assert.deepEqual(
    set(ids({ to: midpoint })),
    where((m) => m.createdAfter < midpoint),
  );
  assert.deepEqual(ids({ trashed: true }), [made[4]!.id]);
  assert.deepEqual(
    set(ids({ modelId: model, task: 'generate', starred: true, text: 'heart' })),
    where(
      (m, i) =>
        m.model === model && m.task === 'generate' && [0, 2].includes(i) && /heart/.test(m.prompt!),
    ),
  );
  assert.deepEqual(ids({ kind: 'photo', seed: 100 }), []);
});

/** Every page of `q`, following the cursors. */
function allPages(q: ItemQuery): number[] {
  const seen: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = gallery.query({ ...q, cursor });
    seen.push(...page.items.map((i) => i.id));
    if (page.nextCursor === null) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('paging never ended');
}

/** Items (newest first) in the surprise order: most bits per dimension first, unmeasured last. */
function surprising(newestFirst: number[]): number[] {
  const bpd = (id: number) => made.find((m) => m.id === id)!.bpd;
  const measured = newestFirst.filter((id) => bpd(id) !== null);
  // A stable sort keeps ties newest first.
  measured.sort((a, b) => bpd(b)! - bpd(a)!);
  return [...measured, ...newestFirst.filter((id) => bpd(id) === null)];
}

test('most surprising first: the highest bits per dimension first, items never measured last', () => {
  const order = ids({ sort: 'surprise' });
  const values = order.map((id) => made.find((m) => m.id === id)!.bpd);
  // (the 2.25 is in the trash)
  assert.deepEqual(values.slice(0, 4), [7.25, 6, 4.5, 4.5]);
  assert.ok(values.slice(4).every((v) => v === null));
  assert.equal(order.length, visible().length);
  // The two 4.5s: the newer one first.
  const tied = order.slice(2, 4);
  assert.ok(tied[0]! > tied[1]!);
  assert.deepEqual(gallery.getItem(made[13]!.id)!.likelihood?.modelId, 'tessera/jetformer-emoji32');
  assert.equal(gallery.getItem(made[1]!.id)!.likelihood?.bitsPerDim, 4.5);
  assert.equal(gallery.getItem(made[0]!.id)!.likelihood, null);
  // Photos alone: only the measured one ranks.
  assert.deepEqual(ids({ kind: 'photo', sort: 'surprise' })[0], made[13]!.id);
});

test('a likelihood that is not a number of bits, or for no item, is refused and nothing is stored', () => {
  for (const bad of [NaN, Infinity, -0.5])
    assert.throws(
      () => gallery.setLikelihood(made[0]!.id, 'tessera/jetformer-emoji32', bad),
      (err: unknown) => err instanceof GalleryError && err.code === 'invalid',
    );
  assert.throws(
    () => gallery.setLikelihood(99_999, 'tessera/jetformer-emoji32', 3),
    (err: unknown) => err instanceof GalleryError && err.code === 'not-found',
  );
  assert.equal(gallery.getItem(made[0]!.id)!.likelihood, null);
});

test('keyset pages cover every item once, in order, for every sort', () => {
  const all = visible().map((m) => m.id);
  const newest = [...all].reverse();
  for (const limit of [1, 4, 5, 100]) {
    assert.deepEqual(allPages({ sort: 'newest', limit }), newest, `newest by ${limit}`);
    assert.deepEqual(allPages({ sort: 'oldest', limit }), all, `oldest by ${limit}`);
    const scored = visible()
      .filter((m) => m.logp !== null)
      .sort((a, b) => b.logp! - a.logp!)
      .map((m) => m.id);
    const unscored = newest.filter((id) => !scored.includes(id));
    assert.deepEqual(allPages({ sort: 'adherence', limit }), [...scored, ...unscored]);
    assert.deepEqual(allPages({ sort: 'surprise', limit }), surprising(newest), `by ${limit}`);
  }
  // Each way a page can be read (search, generation, board, tag, plain), alone and combined.
  const model = DEFAULT_MODEL_ID;
  for (const q of [
    { text: 'red' },
    { modelId: model },
    { boardId },
    { tag: 'favourite' },
    { text: 'heart', family: 'vq-ar' },
    { boardId, tag: 'favourite' },
    { modelId: model, boardId, starred: true },
    { text: 'red', boardId },
  ] satisfies ItemQuery[]) {
    const full = ids(q);
    assert.deepEqual(
      full,
      [...full].sort((a, b) => b - a),
      `${JSON.stringify(q)} newest first`,
    );
    assert.deepEqual(allPages({ ...q, limit: 2 }), full, JSON.stringify(q));
    assert.deepEqual(allPages({ ...q, limit: 2, sort: 'oldest' }), [...full].reverse());
    const logp = (id: number) => made.find((m) => m.id === id)!.logp;
    const scored = full.filter((id) => logp(id) !== null).sort((a, b) => logp(b)! - logp(a)!);
    assert.deepEqual(allPages({ ...q, limit: 2, sort: 'adherence' }), [
      ...scored,
      ...full.filter((id) => logp(id) === null),
    ]);
    assert.deepEqual(allPages({ ...q, limit: 2, sort: 'surprise' }), surprising(full));
    assert.equal(gallery.count(q), full.length);
  }
  assert.deepEqual(ids({ boardId, tag: 'favourite' }), []);
  assert.deepEqual(ids({ text: 'red', boardId }), [made[12]!.id, made[2]!.id]); // redwood: a prefix
});

test('the first page tells the total when asked; a cursor only fits the sort it came from', () => {
  assert.equal(gallery.query({ limit: 3 }).total, undefined);
  const first = gallery.query({ limit: 3, withTotal: true });
  assert.equal(first.total, visible().length);
  assert.equal(first.items.length, 3);
  const second = gallery.query({ limit: 3, cursor: first.nextCursor, withTotal: true });
  assert.equal(second.total, undefined);
  assert.equal(
    gallery.count({ text: 'red', kind: 'generation' }),
    ids({ text: 'red', kind: 'generation' }).length,
  );
  assert.equal(gallery.count({ trashed: true }), 1);
  const invalid = (q: ItemQuery) =>
    assert.throws(
      () => gallery.query(q),
      (err: unknown) => err instanceof GalleryError && err.code === 'invalid',
    );
  invalid({ sort: 'oldest', cursor: first.nextCursor });
  invalid({ cursor: 'not a cursor' });
  invalid({ limit: 1001 });
  invalid({ minRating: 9 });
  invalid({ color: 'red' } as ItemQuery);
});

test('summaries carry what the grid shows', () => {
  const [photo] = gallery.query({ text: 'lake' }).items;
  assert.equal(photo!.title, 'a quiet lake with a red boat');
  assert.equal(photo!.kind, 'photo');
  assert.equal(photo!.modelId, null);
  const [gen] = gallery.query({ text: 'whale' }).items;
  assert.equal(gen!.title, 'blue whale in a deep ocean');
  assert.equal(gen!.rating, 5);
  assert.ok(gen!.filePath!.endsWith('.png'));
});
