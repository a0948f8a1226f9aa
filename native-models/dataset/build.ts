/**
 * Builds the emoji-v1 dataset into a cache folder:
 *   index.jsonl          one record per image (set, name, caption, concept, aliases, split, sha256)
 *   images-64.npy        uint8 [N, 64, 64, 3], RGB on white
 *   images-32.npy        uint8 [N, 32, 32, 3], 2×2 area average of the 64 px image
 *   png/<size>/<set>/<name>.png   the same pixels as PNG files
 *   datacard.json, DATACARD.md
 *
 * Usage: npm run data:build -- [--out DIR] [--sets a,b] [--limit N] [--processes N] [--no-png]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { captionFromName, conceptKey, nameToWords } from './captions.ts';
import { renderDataCardMarkdown, type DataCard } from './datacard.ts';
import { downsampleRgb } from './downsample.ts';
import {
  EMOJI_SETS,
  readIcons,
  readSetInfo,
  RUN_TOGETHER_SETS,
  type IconRecord,
} from './iconify.ts';
import { encodeNpyUint8 } from './npy.ts';
import { renderAll } from './render-pool.ts';
import { assignSplits, DEFAULT_SPLIT, type Split } from './splits.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = resolve(HERE, '..', '.cache', 'emoji-v1');
const SIZE = 64;

export interface BuildOptions {
  out: string;
  sets: string[];
  limitPerSet?: number;
  processes: number;
  png: boolean;
  log: (line: string) => void;
}

export interface IndexRecord {
  index: number;
  set: string;
  name: string;
  caption: string;
  concept: string;
  aliases: string[];
  split: Split;
  sha256: string;
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes through a temp name and renames, so a killed build never leaves a half file. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function pngOf(rgb: Uint8Array, size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let p = 0; p < size * size; p++) {
    png.data[p * 4] = rgb[p * 3]!;
    png.data[p * 4 + 1] = rgb[p * 3 + 1]!;
    png.data[p * 4 + 2] = rgb[p * 3 + 2]!;
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 2 });
}

/** Words of every set's names except run-together sets: the lexicon that splits those. */
function buildLexicon(): Set<string> {
  const lexicon = new Set<string>();
  for (const set of EMOJI_SETS) {
    if (RUN_TOGETHER_SETS.has(set)) continue;
    for (const icon of readIcons(set, SIZE)) for (const w of nameToWords(icon.name)) lexicon.add(w);
  }
  return lexicon;
}

export async function buildDataset(options: BuildOptions): Promise<DataCard> {
  const started = Date.now();
  const lexicon = buildLexicon();
  const icons: IconRecord[] = options.sets.flatMap((set) => {
    const all = readIcons(set, SIZE);
    return options.limitPerSet === undefined ? all : all.slice(0, options.limitPerSet);
  });
  options.log(`emoji-v1: rendering ${icons.length} icons on ${options.processes} processes`);

  let lastLog = 0;
  const rendered = await renderAll(
    icons.map((icon, index) => ({ index, svg: icon.svg })),
    options.processes,
    (done) => {
      if (Date.now() - lastLog > 5000 || done === icons.length) {
        lastLog = Date.now();
        options.log(`  rendered ${done}/${icons.length}`);
      }
    },
  );

  const kept = icons
    .map((icon, i) => ({ icon, rgb: rendered.rgb.get(i) }))
    .filter((x): x is { icon: IconRecord; rgb: Uint8Array } => x.rgb !== undefined);
  const captions = kept.map(({ icon }) =>
    captionFromName(icon.name, RUN_TOGETHER_SETS.has(icon.set), lexicon),
  );
  const splitInputs = kept.map(({ icon }, i) => ({
    set: icon.set,
    caption: captions[i]!,
    concept: conceptKey(captions[i]!),
  }));
  const splits = assignSplits(splitInputs, DEFAULT_SPLIT);

  const n = kept.length;
  const pixels64 = new Uint8Array(n * SIZE * SIZE * 3);
  const pixels32 = new Uint8Array(n * 32 * 32 * 3);
  const records: IndexRecord[] = kept.map(({ icon, rgb }, i) => {
    pixels64.set(rgb, i * rgb.length);
    const small = downsampleRgb(rgb, SIZE, 2);
    pixels32.set(small, i * small.length);
    if (options.png) {
      writeAtomic(join(options.out, 'png', '64', icon.set, `${icon.name}.png`), pngOf(rgb, SIZE));
      writeAtomic(join(options.out, 'png', '32', icon.set, `${icon.name}.png`), pngOf(small, 32));
    }
    return {
      index: i,
      set: icon.set,
      name: icon.name,
      caption: captions[i]!,
      concept: splitInputs[i]!.concept,
      aliases: icon.aliases.map((a) =>
        captionFromName(a, RUN_TOGETHER_SETS.has(icon.set), lexicon),
      ),
      split: splits[i]!,
      sha256: sha256(rgb),
    };
  });

  const files: DataCard['files'] = {};
  const put = (name: string, data: Uint8Array | string) => {
    writeAtomic(join(options.out, name), data);
    files[name] = { sha256: sha256(data), bytes: Buffer.byteLength(data) };
  };
  put('index.jsonl', records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  put('images-64.npy', encodeNpyUint8(pixels64, [n, SIZE, SIZE, 3]));
  put('images-32.npy', encodeNpyUint8(pixels32, [n, 32, 32, 3]));

  const counts: DataCard['counts'] = {};
  for (const r of records) {
    const c = (counts[r.set] ??= { train: 0, val: 0, test: 0, 'test-unseen': 0, total: 0 });
    c[r.split] += 1;
    c.total += 1;
  }
  const all = { train: 0, val: 0, test: 0, 'test-unseen': 0, total: 0 };
  for (const c of Object.values(counts))
    for (const k of Object.keys(all) as (keyof typeof all)[]) all[k] += c[k];
  counts.all = all;

  const limit = options.limitPerSet === undefined ? '' : ` --limit ${options.limitPerSet}`;
  const card: DataCard = {
    dataset: 'emoji-v1',
    builtWith: `@resvg/resvg-js, Node ${process.version}`,
    rebuildCommand: `npm run data:build --${limit} --sets ${options.sets.join(',')}`,
    sizes: [SIZE, 32],
    splitOptions: { ...DEFAULT_SPLIT },
    sets: options.sets.map(readSetInfo),
    counts,
    uniqueCaptions: new Set(records.map((r) => r.caption)).size,
    uniqueConcepts: new Set(records.map((r) => r.concept)).size,
    skipped: [...rendered.skipped.entries()].map(([i, reason]) => ({
      set: icons[i]!.set,
      name: icons[i]!.name,
      reason,
    })),
    files,
  };
  writeAtomic(join(options.out, 'datacard.json'), JSON.stringify(card, null, 2) + '\n');
  writeAtomic(join(options.out, 'DATACARD.md'), renderDataCardMarkdown(card));
  options.log(
    `emoji-v1: ${n} images (${card.skipped.length} skipped) in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${options.out}`,
  );
  return card;
}

function parseArgs(argv: string[]): BuildOptions {
  const options: BuildOptions = {
    out: process.env.TESSERA_DATA_DIR ?? DEFAULT_OUT,
    sets: [...EMOJI_SETS],
    processes: Math.max(1, Math.min(cpus().length, 4)),
    png: true,
    log: (line) => console.log(line),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--out') options.out = resolve(value());
    else if (arg === '--sets') options.sets = value().split(',');
    else if (arg === '--limit') options.limitPerSet = Number.parseInt(value(), 10);
    else if (arg === '--processes') options.processes = Number.parseInt(value(), 10);
    else if (arg === '--no-png') options.png = false;
    else throw new Error(`unknown option ${arg}; see the usage at the top of build.ts`);
  }
  const unknown = options.sets.filter((s) => !(EMOJI_SETS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(`unknown set(s) ${unknown.join(', ')}; choose from ${EMOJI_SETS.join(', ')}`);
  }
  if (options.limitPerSet !== undefined && !(options.limitPerSet > 0)) {
    throw new Error('--limit must be a positive whole number');
  }
  return options;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildDataset(parseArgs(process.argv.slice(2)));
  } catch (err) {
    console.error(`data:build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
