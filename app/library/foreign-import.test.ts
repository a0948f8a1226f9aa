/**
 * Images other tools generated keep their recipes, checked against sd-parsers (a reader nobody
 * on this project wrote): AUTOMATIC1111 PNG, JPEG and WebP files and a ComfyUI PNG, written with
 * Pillow the way those tools write them, import as generations whose prompt, negative prompt,
 * seed, steps, CFG scale, sampler, scheduler and model are what sd-parsers reads, field by
 * field, ComfyUI's whole workflow kept. Filters and `library show` find and print them, and
 * exports say what they are. And the other way round: sd-parsers reads the AUTOMATIC1111
 * `parameters` of Tessera's own PNGs exactly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { parseInfotext, type Recipe } from '../common/recipe.ts';
import { extractXmp } from '../media/embed-xmp.ts';
import { readPngText } from '../media/png.ts';
import { parseXmp } from '../media/xmp.ts';
import { TESSERA_CLI } from '../cli/testing/built-cli.ts';

const root = join(import.meta.dirname, '..', '..');
const python = join(root, 'native-models', '.venv', 'bin', 'python');
const probe = join(import.meta.dirname, 'testing', 'sd_parsers_probe.py');
const work = mkdtempSync(join(tmpdir(), 'tessera-foreign-'));
const home = join(work, 'home');
const fixtures = join(work, 'fixtures');
after(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[]) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `${args.join(' ')}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const tessera = (...args: string[]) =>
  run(process.execPath, [TESSERA_CLI, ...args, '--home', home]);
const tesseraJson = <T>(...args: string[]) =>
  JSON.parse(
    tessera(...args, '--json')
      .trim()
      .split('\n')
      .pop()!,
  ) as T;

interface SdParsersView {
  file: string;
  generator: string | null;
  prompt: string;
  negative: string;
  sampler: string | null;
  model: string | null;
  seed: string | number | null;
  steps: string | number | null;
  cfg: string | number | null;
  scheduler: string | null;
  hashes?: Record<string, string> | null;
}

/** What sd-parsers reads from each file. */
function sdParsers(...files: string[]): Map<string, SdParsersView> {
  const lines = run(python, [probe, 'read', ...files])
    .trim()
    .split('\n');
  return new Map(
    lines.map((l) => {
      const view = JSON.parse(l) as SdParsersView;
      return [view.file, view];
    }),
  );
}

interface Item {
  id: number;
  kind: string;
  mime: string;
  title: string;
  generation: { recipe: Recipe } | null;
  foreign: {
    tool: string;
    prompt: string;
    negativePrompt: string;
    settings: Record<string, string>;
    workflow: string | null;
    promptGraph: string | null;
  } | null;
}

const FIXTURES = ['a1111.png', 'a1111.jpg', 'a1111.webp', 'comfyui.png'];
const imported = new Map<string, number>();

before(() => {
  run(python, [probe, 'fixtures', fixtures]);
  const rows = tessera('library', 'import', ...FIXTURES.map((f) => join(fixtures, f)), '--json')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { path: string; assetId: number; kind: string });
  for (const r of rows) {
    assert.equal(r.kind, 'generation', `${r.path} imports as a generation`);
    imported.set(r.path.split('/').pop()!, r.assetId);
  }
});

test('a camera JPEG whose UserComment is a note, not a recipe, stays a photo', () => {
  const row = tesseraJson<{ kind: string }>('library', 'import', join(fixtures, 'camera.jpg'));
  assert.equal(row.kind, 'photo');
  assert.deepEqual(sdParsers(join(fixtures, 'camera.jpg')).get(join(fixtures, 'camera.jpg')), {
    file: join(fixtures, 'camera.jpg'),
    generator: null,
  });
});

/** Numbers compare as numbers (sd-parsers gives ComfyUI's 8.0 where the file says 8.0). */
const same = (ours: string | undefined, theirs: string | number | null) =>
  theirs === null
    ? ours === undefined
    : typeof theirs === 'number' || /^-?\d+(\.\d+)?$/.test(theirs)
      ? Number(ours) === Number(theirs)
      : ours === theirs;

test('imported recipes agree with sd-parsers field by field', () => {
  const views = sdParsers(...FIXTURES.map((f) => join(fixtures, f)));
  for (const name of FIXTURES) {
    const file = join(fixtures, name);
    const theirs = views.get(file)!;
    assert.ok(theirs.generator !== null, `sd-parsers reads ${name}`);
    const item = tesseraJson<Item>('library', 'show', String(imported.get(name)));
    assert.equal(item.kind, 'generation', name);
    assert.equal(item.generation, null, name);
    const ours = item.foreign!;
    assert.equal(ours.tool, theirs.generator === 'COMFYUI' ? 'comfyui' : 'automatic1111', name);
    assert.equal(ours.prompt, theirs.prompt, `${name}: prompt`);
    assert.equal(item.title, theirs.prompt, `${name}: title`);
    assert.equal(ours.negativePrompt, theirs.negative, `${name}: negative prompt`);
    const s = ours.settings;
    for (const [field, mine, other] of [
      ['sampler', s.Sampler, theirs.sampler],
      ['model', s.Model, theirs.model],
      ['seed', s.Seed, theirs.seed],
      ['steps', s.Steps, theirs.steps],
      ['cfg', s['CFG scale'], theirs.cfg],
      ['scheduler', s['Schedule type'], theirs.scheduler],
    ] as const)
      assert.ok(same(mine, other), `${name}: ${field} is ${String(other)}, Tessera has ${mine}`);
    if (theirs.hashes != null)
      assert.deepEqual(JSON.parse(s.Hashes ?? 'null'), theirs.hashes, `${name}: model hashes`);
  }
  const comfy = tesseraJson<Item>('library', 'show', String(imported.get('comfyui.png')));
  const texts = readPngText(readFileSync(join(fixtures, 'comfyui.png')));
  assert.equal(comfy.foreign!.workflow, texts.workflow, 'the whole workflow is kept');
  assert.equal(comfy.foreign!.promptGraph, texts.prompt);
  assert.equal(
    tesseraJson<Item>('library', 'show', String(imported.get('a1111.jpg'))).mime,
    'image/jpeg',
  );
});

test('filters by model and seed find imported generations; show prints their settings', () => {
  const ids = (...filters: string[]) =>
    tesseraJson<{ items: { id: number }[] }>('library', 'list', ...filters).items.map((i) => i.id);
  const a1111 = imported.get('a1111.png')!;
  const comfy = imported.get('comfyui.png')!;
  assert.deepEqual(ids('--model', 'sd15'), [a1111]);
  assert.deepEqual(ids('--seed', '12345'), [a1111]);
  assert.deepEqual(ids('--seed', '8566257'), [comfy]);
  assert.deepEqual(ids('--model', 'v1-5-pruned-emaonly.safetensors', '--seed', '8566257'), [comfy]);
  assert.deepEqual(ids('--seed', '4242', '--model', 'sd15'), []);

  const shown = tessera('library', 'show', String(a1111));
  assert.match(shown, /^prompt: masterpiece, a lighthouse at dusk, \(dramatic clouds:1\.2\)$/m);
  assert.match(shown, /^negative: blurry, lowres$/m);
  assert.match(
    shown,
    /^made with AUTOMATIC1111: model sd15 {2}seed 12345 {2}steps 28 {2}sampler DPM\+\+ 2M {2}schedule type Karras {2}cfg scale 6\.5 {2}size 64x48$/m,
  );
  assert.match(tessera('library', 'show', String(comfy)), /^made with ComfyUI: .*seed 8566257/m);
});

test('library list prints a multi-line title on one line', () => {
  const lines = tessera('library', 'list', '--kind', 'generation').trimEnd().split('\n');
  assert.equal(lines.length, FIXTURES.length, lines.join('\n'));
  const jpeg = lines.find((l) => l.startsWith(String(imported.get('a1111.jpg')).padStart(6)));
  assert.match(jpeg!, / a café in 東京 at night, neon signs, rain$/);
});

test('exports say what imported generations are: caption and digital source type', async () => {
  const folder = join(work, 'export');
  tessera('library', 'export', ...FIXTURES.map((f) => String(imported.get(f))), '--out', folder);
  const comfy = `${imported.get('comfyui.png')}-`;
  for (const name of readdirSync(folder).filter((n) => !n.endsWith('.xmp'))) {
    const bytes = readFileSync(join(folder, name));
    const mime = name.endsWith('.png') ? 'image/png' : name.endsWith('.jpg') ? 'image/jpeg' : '';
    // WebP cannot take XMP without re-encoding: it travels in a sidecar.
    const packet = extractXmp(bytes, mime) ?? readFileSync(join(folder, `${name}.xmp`), 'utf8');
    assert.match(packet, /trainedAlgorithmicMedia/, `${name}: IPTC digital source type`);
    const description = parseXmp(packet).description;
    assert.ok(description !== null && description.trim() !== '', `${name}: has a description`);
    if (name.startsWith(comfy))
      assert.equal(
        description,
        'beautiful scenery nature glass bottle landscape, purple galaxy bottle,',
      );
  }
  const exported = readdirSync(folder).find((n) => n.startsWith(`${imported.get('a1111.png')}-`))!;
  const params = readPngText(readFileSync(join(folder, exported))).parameters!;
  assert.equal(parseInfotext(params).settings.Seed, '12345', 'the recipe travels on');
});

test("sd-parsers reads the AUTOMATIC1111 parameters of Tessera's PNGs exactly", async () => {
  const made: string[] = [];
  const generate = (name: string, ...args: string[]) => {
    const out = join(work, name);
    tessera('generate', ...args, '--out', out);
    made.push(out);
    return out;
  };
  generate('plain.png', '--prompt', 'red heart', '--seed', '5');
  generate('unicode.png', '--prompt', 'café 東京 ❤ — “quoted”', '--seed', '6');
  generate(
    'multiline.png',
    '--prompt',
    'first line\nsecond line, with a comma',
    '--negative',
    'blurry\ndark',
    '--seed',
    '7',
  );
  const source = made[0]!;
  const mask = join(work, 'mask.png');
  const { width, height } = await sharp(source).metadata();
  const rows = Buffer.alloc(width! * height!, 0);
  rows.fill(255, 0, (width! * height!) / 2);
  writeFileSync(
    mask,
    await sharp(rows, { raw: { width: width!, height: height!, channels: 1 } })
      .png()
      .toBuffer(),
  );
  const infill = join(work, 'infill.png');
  tessera(
    'infill',
    '--image',
    source,
    '--mask',
    mask,
    '--prompt',
    'blue heart',
    '--seed',
    '8',
    '--out',
    infill,
  );
  made.push(infill);

  const views = sdParsers(...made);
  for (const file of made) {
    const recipe = JSON.parse(readPngText(readFileSync(file)).tessera!) as Recipe;
    const theirs = views.get(file)!;
    assert.equal(theirs.generator, 'AUTOMATIC1111', file);
    assert.equal(theirs.prompt, recipe.prompt, `${file}: prompt`);
    assert.equal(theirs.negative, recipe.negativePrompt, `${file}: negative prompt`);
    assert.equal(theirs.seed, String(recipe.seed), `${file}: seed`);
    assert.equal(theirs.steps, String(recipe.steps), `${file}: steps`);
    assert.equal(Number(theirs.cfg), recipe.sampling.cfgScale, `${file}: cfg`);
    assert.equal(theirs.model, recipe.modelId, `${file}: model`);
    assert.ok(theirs.sampler !== null && theirs.sampler !== '', `${file}: sampler`);
  }
});
