/**
 * Gallery benchmark: a temporary library of synthetic items (100,000 by default) loaded in
 * batched transactions through the gallery's own row writes, then timed queries:
 *
 *   insert rate   items per second, rows + search index + descriptors (no image files)
 *   FTS           p50/p95 of word and prefix searches
 *   filters       p50/p95 over a mix of filter combinations
 *   grid pages    first page, and keyset pages deep into the library
 *   similar       "more like this", brute force over every descriptor
 *   addGeneration end to end with real PNG files (fsync included), for scale
 *
 * Goal: FTS p95 ≤ 20 ms and filter p95 ≤ 20 ms at 100,000 items.
 * Usage: node --import tsx bench/gallery.ts [--items N] [--queries N] [--keep]
 * (--keep leaves the library in place and prints where, for a closer look.)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Recipe } from '../app/common/recipe.ts';
import { sampleRecipe } from '../app/common/testing/sample-recipe.ts';
import { encodePng } from '../app/media/png.ts';
import { openBulkLoader, type SyntheticItem } from '../app/gallery/bench-support.ts';
import { openGallery, type ItemQuery } from '../app/gallery/index.ts';
import { DEFAULT_MODEL_ID } from '../app/models/installed.ts';

const { values } = parseArgs({
  options: { items: { type: 'string' }, queries: { type: 'string' }, keep: { type: 'boolean' } },
});
const ITEMS = Number(values.items ?? 100_000);
const QUERIES = Number(values.queries ?? 200);
const BATCH = 1000;

/** mulberry32: a seeded generator, so every run loads the same library. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20250115);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

const WORDS = (
  'red blue green yellow orange purple pink black white golden silver heart star moon sun ' +
  'cloud rain snow fire water ocean river mountain forest tree flower rose tulip leaf cat dog ' +
  'fox owl bird fish whale frog turtle rabbit horse dragon robot rocket car train boat plane ' +
  'house castle tower bridge city village garden desert island beach night morning evening ' +
  'sunset sunrise storm rainbow crystal diamond crown sword shield book lamp candle clock key ' +
  'guitar piano drum balloon gift cake apple banana cherry lemon grape pizza coffee tea cup ' +
  'smiling laughing crying sleeping dancing flying running jumping happy sad angry calm big ' +
  'small tiny giant shiny glowing ancient modern cute scary funny magic wooden metal glass ' +
  'paper stone ice neon pastel vintage retro pixel watercolor sketch portrait landscape emoji ' +
  'icon badge sticker cartoon realistic abstract minimal detailed'
).split(' ');
const MODELS = [
  [DEFAULT_MODEL_ID, 'vq-ar'],
  ['tessera/vq-ar-emoji64', 'vq-ar'],
  ['acme/janus-pro-1b', 'janus'],
  ['acme/chameleon-7b', 'chameleon'],
  ['acme/diffuser-xl', 'diffusion'],
  ['acme/diffuser-mini', 'diffusion'],
] as const;
const TAGS = Array.from({ length: 20 }, (_, i) => `tag-${WORDS[i * 7]}`);
const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');

const CENTRES = Array.from({ length: 24 }, () => Array.from({ length: 256 }, () => rand() - 0.5));
function embedding(): Float32Array {
  const centre = pick(CENTRES);
  const v = new Float32Array(256);
  let norm = 0;
  for (let i = 0; i < 256; i++) {
    v[i] = centre[i]! + (rand() - 0.5) * 0.4;
    norm += v[i]! * v[i]!;
  }
  for (let i = 0; i < 256; i++) v[i] = v[i]! / Math.sqrt(norm);
  return v;
}

const baseRecipe = sampleRecipe({ modelId: MODELS[0][0], prompt: 'x', style: null, seed: 0 });
const codes = Buffer.alloc(64 * 4, 7);

function syntheticItem(i: number, boardIds: number[], start: number): SyntheticItem {
  const isPhoto = rand() < 0.15;
  const [modelId, family] = pick(MODELS);
  const recipe: Recipe = {
    ...baseRecipe,
    modelId,
    family,
    task: rand() < 0.2 ? 'infill' : 'generate',
    prompt: words(3 + Math.floor(rand() * 6)),
    seed: Math.floor(rand() * 100_000),
    selfScore: rand() < 0.5 ? { logProbPerToken: -rand() * 4, candidates: 4 } : null,
  };
  const tagCount = Math.floor(rand() * 4) - 1;
  return {
    sha256: createHash('sha256').update(`bench-${i}`).digest('hex'),
    createdAt: start + i * 300,
    generation: isPhoto ? null : { recipe, codes },
    starred: rand() < 0.05,
    rating: rand() < 0.1 ? 1 + Math.floor(rand() * 5) : 0,
    tags: Array.from({ length: Math.max(0, tagCount) }, () => pick(TAGS)),
    boardIds: rand() < 0.1 ? [pick(boardIds)] : [],
    caption: isPhoto || rand() < 0.15 ? words(4 + Math.floor(rand() * 8)) : null,
    trashed: rand() < 0.01,
    embedding: embedding(),
  };
}

const ms = () => performance.now();
function stats(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}
const fmt = (s: { p50: number; p95: number; max: number }) =>
  `p50 ${s.p50.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms  max ${s.max.toFixed(2)} ms`;
function timed(n: number, fn: (i: number) => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = ms();
    fn(i);
    times.push(ms() - t);
  }
  return times;
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'tessera-bench-gallery-'));
  try {
    const dir = join(root, 'library');
    let gallery = openGallery(dir);
    const boardIds = Array.from({ length: 10 }, (_, i) => gallery.createBoard(`Board ${i}`));
    const loader = openBulkLoader(dir, gallery.dbPath);
    const start = Date.now() - ITEMS * 300;
    const loadStart = ms();
    for (let done = 0; done < ITEMS; done += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, ITEMS - done) }, (_, k) =>
        syntheticItem(done + k, boardIds, start),
      );
      loader.insert(batch);
    }
    const loadSeconds = (ms() - loadStart) / 1000;
    loader.close();
    gallery.optimize();
    gallery.close();
    gallery = openGallery(dir); // queries run on a freshly opened library, as after a restart

    console.log(`items            ${ITEMS.toLocaleString('en')} in ${loadSeconds.toFixed(1)} s`);
    console.log(
      `insert rate      ${Math.round(ITEMS / loadSeconds).toLocaleString('en')} items/s (rows, tags, boards, captions, search index, descriptors; batches of ${BATCH})`,
    );

    const ftsTexts = Array.from({ length: QUERIES }, (_, i) =>
      i % 3 === 0
        ? pick(WORDS).slice(0, 3)
        : i % 3 === 1
          ? pick(WORDS)
          : `${pick(WORDS)} ${pick(WORDS)}`,
    );
    const fts = stats(timed(QUERIES, (i) => gallery.query({ text: ftsTexts[i]! })));
    console.log(`FTS query        ${fmt(fts)}  (1 word, 2 words, 3-letter prefixes; page of 100)`);
    const ftsCount = stats(timed(QUERIES, (i) => gallery.count({ text: ftsTexts[i]! })));
    console.log(`FTS count        ${fmt(ftsCount)}  (withTotal / count(): every match counted)`);

    const filters: ItemQuery[] = [
      { modelId: MODELS[2][0] },
      { kind: 'photo' },
      { starred: true },
      { minRating: 4 },
      { tag: TAGS[3]! },
      { boardId: boardIds[2]! },
      { captioned: true },
      { captioned: false, kind: 'generation' },
      { family: 'diffusion', task: 'infill' },
      { from: start + ITEMS * 100, to: start + ITEMS * 150 },
      { seed: 4242 },
      { modelId: MODELS[0][0], starred: true },
      { text: 'red', modelId: MODELS[1][0] },
      { tag: TAGS[5]!, minRating: 2 },
      { trashed: true },
    ];
    const filterTimes = filters.map((f) =>
      timed(Math.ceil(QUERIES / filters.length), () => gallery.query(f)),
    );
    const filter = stats(filterTimes.flat());
    console.log(`filter query     ${fmt(filter)}  (${filters.length} combinations, page of 100)`);
    const slowest = filters
      .map((f, i) => ({ f, p95: stats(filterTimes[i]!).p95 }))
      .sort((a, b) => b.p95 - a.p95)[0]!;
    console.log(`  slowest        ${JSON.stringify(slowest.f)} p95 ${slowest.p95.toFixed(2)} ms`);
    const filterCount = stats(filters.flatMap((f) => timed(3, () => gallery.count(f))));
    console.log(`filter count     ${fmt(filterCount)}  (count() of the same combinations)`);
    const adherence = stats(
      filters.flatMap((f) => timed(3, () => gallery.query({ ...f, sort: 'adherence' }))),
    );
    console.log(`adherence sort   ${fmt(adherence)}  (first page of the same combinations)`);

    const first = stats(timed(QUERIES, () => gallery.query({ limit: 100 })));
    console.log(`grid first page  ${fmt(first)}`);
    for (const sort of ['newest', 'adherence'] as const) {
      let cursor: string | null = null;
      const pages = Math.min(QUERIES, Math.floor(ITEMS / 100) - 1);
      const deep = stats(
        timed(pages, () => {
          cursor = gallery.query({ sort, limit: 100, cursor }).nextCursor;
        }),
      );
      console.log(`grid ${sort.padEnd(9)} keyset pages 1..${pages}: ${fmt(deep)}`);
    }

    const similarRuns = Math.min(QUERIES, 100);
    const similar = stats(timed(similarRuns, (i) => gallery.similar(1 + ((i * 7919) % ITEMS), 50)));
    console.log(
      `similar()        ${fmt(similar)}  (top 50 of ${ITEMS.toLocaleString('en')}, ${similarRuns} runs)`,
    );

    const real = 100;
    const rgb = new Uint8Array(32 * 32 * 3);
    const addStart = ms();
    for (let i = 0; i < real; i++) {
      rgb.fill(i % 256);
      rgb[0] = i >> 8;
      await gallery.addGeneration({
        png: encodePng(rgb, 32, 32),
        recipe: { ...baseRecipe, prompt: words(5), seed: i },
        codes: Array.from({ length: 64 }, (_, k) => k),
        jobId: null,
        durationMs: null,
        width: 32,
        height: 32,
        parent: null,
      });
    }
    const addRate = real / ((ms() - addStart) / 1000);
    console.log(
      `addGeneration    ${addRate.toFixed(0)} items/s end to end (PNG file + fsync + rows, ${real} items)`,
    );

    const verdict = (name: string, p95: number) =>
      `${name} p95 ${p95.toFixed(2)} ms ${p95 <= 20 ? '≤' : '>'} 20 ms: ${p95 <= 20 ? 'PASS' : 'FAIL'}`;
    console.log(`goal             ${verdict('FTS', fts.p95)}; ${verdict('filter', filter.p95)}`);
    gallery.close();
  } finally {
    if (values.keep === true) console.log(`library kept in ${join(root, 'library')}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

await main();
