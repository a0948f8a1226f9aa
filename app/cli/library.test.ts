/**
 * `tessera library` and `tessera jobs` against a real data folder: generations and infills land
 * in the library with their lineage, search and filters find them, import recovers recipes
 * (Tessera's and AUTOMATIC1111's), export embeds metadata in folder and zip copies, and the
 * queue is listed and managed from the command line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { parseInfotext } from '../common/recipe.ts';
import { extractXmp } from '../media/embed-xmp.ts';
import { encodePng, readPngText } from '../media/png.ts';
import { parseXmp } from '../media/xmp.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-library-'));
const home = join(work, 'home');
after(() => rmSync(work, { recursive: true, force: true }));

function tessera(...args: string[]) {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(...args: string[]): T {
  const r = tessera(...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

interface Summary {
  id: number;
  kind: string;
  title: string;
  starred: boolean;
  filePath: string | null;
}

let heart: number;
let star: number;

before(() => {
  heart = json<{ results: { item: number }[] }>(
    'generate',
    '--prompt',
    'red heart',
    '--seed',
    '7',
    '--board',
    'Hearts',
  ).results[0]!.item;
  star = json<{ results: { item: number }[] }>(
    'generate',
    '--prompt',
    'glowing star',
    '--seed',
    '2',
  ).results[0]!.item;
});

test('generations land in the library, searchable and filterable', () => {
  const all = json<{ items: Summary[] }>('library', 'list');
  assert.deepEqual(all.items.map((i) => i.id).sort(), [heart, star].sort());
  const found = json<{ items: Summary[] }>('library', 'search', 'heart');
  assert.deepEqual(
    found.items.map((i) => i.id),
    [heart],
  );
  assert.deepEqual(
    json<{ items: Summary[] }>('library', 'list', '--board', 'Hearts').items.map((i) => i.id),
    [heart],
  );
  assert.deepEqual(
    json<{ items: Summary[] }>('library', 'list', '--seed', '2').items.map((i) => i.id),
    [star],
  );
  assert.equal(tessera('library', 'star', String(star)).code, 0);
  assert.equal(tessera('library', 'tag', 'favourite', String(star)).code, 0);
  assert.deepEqual(
    json<{ items: Summary[] }>('library', 'list', '--starred').items.map((i) => i.id),
    [star],
  );
  assert.deepEqual(
    json<{ items: Summary[] }>('library', 'search', 'favourite').items.map((i) => i.id),
    [star],
  );
  const hostile = tessera('library', 'search', '"AND (OR', '--json');
  assert.equal(hostile.code, 0, hostile.stderr);
  const shown = json<{ generation: { recipe: { seed: number; prompt: string } } }>(
    'library',
    'show',
    String(heart),
  );
  assert.equal(shown.generation.recipe.seed, 7);
  assert.equal(shown.generation.recipe.prompt, 'red heart');
});

test('an infill of a library item records its lineage', async () => {
  const mask = join(work, 'mask.png');
  const m = Buffer.alloc(32 * 32);
  for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) m[y * 32 + x] = 255;
  await sharp(m, { raw: { width: 32, height: 32, channels: 1 } })
    .png()
    .toFile(mask);
  const r = json<{ item: number; parent: number }>(
    'infill',
    '--item',
    String(heart),
    '--mask',
    mask,
    '--prompt',
    'blue heart',
    '--seed',
    '4',
  );
  assert.equal(r.parent, heart);
  const child = json<{ parents: { id: number; op: string }[] }>('library', 'show', String(r.item));
  assert.deepEqual(
    child.parents.map((p) => [p.id, p.op]),
    [[heart, 'infill']],
  );
  const tree = json<{ id: number; parentId: number | null }[]>('library', 'lineage', String(heart));
  assert.ok(tree.some((n) => n.id === r.item && n.parentId === heart));
});

test('import recovers recipes, keeps photos and reports broken files one by one', async () => {
  const photo = join(work, 'photo.jpg');
  await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3366aa' } })
    .jpeg()
    .toFile(photo);
  const a1111 = join(work, 'a1111.png');
  const rgb = Buffer.alloc(16 * 16 * 3, 200);
  writeFileSync(
    a1111,
    encodePng(rgb, 16, 16, {
      text: {
        parameters:
          'a lighthouse at dusk\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x512, Model: sd15',
      },
    }),
  );
  const broken = join(work, 'broken.png');
  writeFileSync(broken, readFileSync(a1111).subarray(0, 40));
  const r = tessera('library', 'import', photo, a1111, broken, '--json');
  assert.notEqual(r.code, 0, 'a broken file makes the import report a failure');
  const rows = r.stdout
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          path: string;
          status: string;
          kind: string | null;
          message: string | null;
        },
    );
  assert.equal(rows.find((x) => x.path === photo)?.kind, 'photo');
  assert.equal(rows.find((x) => x.path === a1111)?.kind, 'generation');
  assert.equal(rows.find((x) => x.path === broken)?.status, 'failed');
  const lighthouse = json<{ items: Summary[] }>('library', 'search', 'lighthouse').items;
  assert.equal(lighthouse.length, 1);
  const again = json<{ status: string }>('library', 'import', a1111);
  assert.equal(again.status, 'exists');
});

function zipEntries(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || zip === undefined) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || stream === undefined) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

test('export to a folder and to a zip embeds recipe, caption and provenance', async () => {
  const folder = join(work, 'export');
  json('library', 'export', String(heart), String(star), '--out', folder);
  const files = readdirSync(folder);
  assert.equal(files.length, 2);
  const heartFile = readFileSync(
    join(
      folder,
      files.find((f) => f.startsWith(`${heart}-`))!,
    ),
  );
  const texts = readPngText(heartFile);
  assert.equal(parseInfotext(texts.parameters!).prompt, 'red heart');
  assert.ok(texts.tessera !== undefined, 'the Tessera recipe travels with the file');
  const xmp = parseXmp(extractXmp(heartFile, 'image/png')!);
  assert.equal(xmp.description, 'red heart');
  assert.match(extractXmp(heartFile, 'image/png')!, /trainedAlgorithmicMedia/);
  const original = readFileSync(
    json<{ filePath: string }>('library', 'show', String(heart)).filePath,
  );
  const [a, b] = await Promise.all([
    sharp(heartFile).raw().toBuffer(),
    sharp(original).raw().toBuffer(),
  ]);
  assert.deepEqual(a, b, 'pixels leave untouched');

  const zip = join(work, 'export.zip');
  json('library', 'export', String(heart), String(star), '--out', zip);
  const entries = await zipEntries(zip);
  assert.equal(entries.size, 2);
  assert.deepEqual(entries.get(files.find((f) => f.startsWith(`${heart}-`))!), heartFile);
  assert.deepEqual(
    readdirSync(work).filter((f) => f.endsWith('.tmp')),
    [],
  );
  const missing = tessera('library', 'export', '99999', '--out', join(work, 'x.zip'));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no library item 99999/);
  // Paths where a recursive mkdir would spin forever fail at once, saying what to do.
  const nowhere = tessera('library', 'export', String(heart), '--out', '/proc/nope/out');
  assert.notEqual(nowhere.code, 0);
  assert.match(nowhere.stderr, /cannot create the folder \/proc\/nope.*choose another destination/);
});

test('jobs list shows the finished queue; prune clears it', () => {
  const jobs = json<{ status: string; kind: string }[]>('jobs', 'list');
  assert.ok(jobs.length >= 3);
  assert.ok(jobs.every((j) => j.status === 'completed'));
  assert.ok(jobs.some((j) => j.kind === 'infill'));
  assert.ok(json<{ removed: number }>('jobs', 'prune').removed >= 3);
  assert.deepEqual(json<unknown[]>('jobs', 'list'), []);
});
