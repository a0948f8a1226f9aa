/**
 * Abuse by files: bad inputs thrown at the real caption, model import and model list paths,
 * and folder captioning with --write-xmp killed with SIGKILL over and over. Prints, for each
 * path, the bad files tried, how many got a clean answer (one outcome per file, in words, the
 * process alive), crashes, hangs and the process's peak memory; then the kill rounds with the
 * images lost, captioned twice, and the temporary sidecars left behind.
 *
 * Everything runs in child processes under a time limit (a hang is counted, never waited on),
 * on files generated here from a fixed seed, in a temporary folder; nothing leaves loopback.
 *
 *   npm run bench:abuse-files [-- --rounds 8 --images 24 --seed 17]
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { openGallery } from '../app/gallery/index.ts';
import { Prng } from '../app/inference/engine/rng.ts';
import { DEFAULT_MODEL_ID, EMBEDDED_DIR } from '../app/models/installed.ts';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'tessera.mjs');

// ---------------------------------------------------------------------------------------------
// A child's view: run one hostile import (the parent counts what comes back).

if (process.argv[2] === '--import-one') {
  const { importModelFolder } = await import('../app/models/import-model.ts');
  const [source, home, memory] = process.argv.slice(3);
  const machine = memory === undefined ? undefined : { memoryBytes: Number(memory) };
  try {
    const imported = await importModelFolder(home!, source!, machine);
    process.stdout.write(JSON.stringify({ ok: true, warning: imported.warning }));
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; constructor: { name: string } };
    process.stdout.write(
      JSON.stringify({ ok: false, kind: e.constructor.name, code: e.code, message: e.message }),
    );
  }
  process.exit(0);
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    images: { type: 'string', default: '24' },
    seed: { type: 'string', default: '17' },
  },
});
const ROUNDS = Number(values.rounds);
const IMAGES = Number(values.images);
const SEED = Number(values.seed);
/** No single child may take longer; past it, it is a hang. */
const LIMIT_MS = 120_000;

const work = mkdtempSync(join(tmpdir(), 'tessera-abuse-files-'));
const random = new Prng(SEED, 0);
const shipped = join(process.env.TESSERA_EMBEDDED_MODELS ?? EMBEDDED_DIR, 'vq-ar-emoji32-cpu-11h');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  hung: boolean;
  /** the child's peak resident memory (VmHWM), bytes */
  peakBytes: number;
}

/** Runs a child with a time limit, sampling its peak memory from /proc while it runs. */
function run(args: string[], env: NodeJS.ProcessEnv = {}, limitMs = LIMIT_MS): Promise<Run> {
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  let peakBytes = 0;
  let hung = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const sample = setInterval(() => {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peakBytes = Math.max(peakBytes, Number(kb) * 1024);
    } catch {
      // it has exited
    }
  }, 20);
  const timer = setTimeout(() => {
    hung = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, limitMs);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearInterval(sample);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, hung, peakBytes });
    }),
  );
}

interface Tally {
  path: string;
  tried: number;
  clean: number;
  crashes: number;
  hangs: number;
  peakBytes: number;
}

const tallies: Tally[] = [];
const notes: string[] = [];
const LEAK = /root:x:0:0/;

// ---------------------------------------------------------------------------------------------
// 1. Corrupt images and special files, through `tessera caption --folder`.

function noise(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random.uniform() * 256);
  return out;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  // A wrong CRC is its own kind of damage; libvips checks it only in strict mode.
  return out;
}

/** A PNG header claiming width×height RGB pixels over a tiny IDAT: a decompression bomb. */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(4 * (width * 3 + 1)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function badImages(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const picture = () => sharp(noise(48 * 32 * 3), { raw: { width: 48, height: 32, channels: 3 } });
  const sources: [string, Buffer][] = [
    ['png', await picture().png().toBuffer()],
    ['jpg', await picture().jpeg().toBuffer()],
    ['webp', await picture().webp().toBuffer()],
  ];
  const files: string[] = [];
  const put = (name: string, bytes: Buffer) => {
    writeFileSync(join(dir, name), bytes);
    files.push(join(dir, name));
  };
  for (const [ext, bytes] of sources) {
    for (const cut of [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
      put(`cut-${cut}.${ext}`, bytes.subarray(0, Math.max(1, Math.floor(bytes.length * cut))));
    for (let i = 0; i < 5; i++) {
      const flipped = Buffer.from(bytes);
      for (let f = 0; f < 8; f++) {
        const at = Math.floor(random.uniform() * flipped.length);
        flipped[at] = flipped[at]! ^ (1 << f);
      }
      put(`flip-${i}.${ext}`, flipped);
    }
    put(`head-then-noise.${ext}`, Buffer.concat([bytes.subarray(0, 16), noise(4096)]));
  }
  put('bomb.png', bombPng(50_000, 50_000));
  put('tall-bomb.png', bombPng(1, 2 ** 31 - 1));
  const sof = (await picture().jpeg().toBuffer()).toString('latin1');
  const at = sof.indexOf('\xff\xc0');
  const huge = Buffer.from(sof, 'latin1');
  huge.writeUInt16BE(65_535, at + 5);
  huge.writeUInt16BE(65_535, at + 7);
  put('huge-sof.jpg', huge);
  put('empty.png', Buffer.alloc(0));
  put('noise.png', noise(2048));
  put('text.jpg', Buffer.from('this is not a picture\n'));
  // Special files and links where photos are expected.
  mkfifo(join(dir, 'pipe.png'));
  files.push(join(dir, 'pipe.png'));
  symlinkSync(join(dir, 'nowhere.png'), join(dir, 'dangling.png'));
  files.push(join(dir, 'dangling.png'));
  symlinkSync('loop.png', join(dir, 'loop.png'));
  files.push(join(dir, 'loop.png'));
  symlinkSync('/dev/zero', join(dir, 'zero.png'));
  files.push(join(dir, 'zero.png'));
  mkdirSync(join(dir, 'folder.png'));
  return files;
}

async function captionAbuse() {
  const dir = join(work, 'bad-images');
  const files = await badImages(dir);
  const socketPath = join(dir, 'socket.png');
  const server = createServer().listen(socketPath);
  await new Promise((r) => server.once('listening', r));
  files.push(socketPath);
  const home = join(work, 'caption-home');
  const r = await run([cli, 'caption', '--folder', dir, '--json', '--home', home]);
  server.close();
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type":"file"'))
    .map((l) => JSON.parse(l) as { path: string; status: string; message: string | null });
  const crashed = r.hung ? false : r.code !== 0;
  let clean = 0;
  for (const file of files) {
    const outcomes = events.filter((e) => e.path === file);
    const worded =
      outcomes.length === 1 &&
      (outcomes[0]!.status === 'captioned' ||
        ((outcomes[0]!.message ?? '').length > 10 && !/\n\s+at /.test(outcomes[0]!.message!)));
    if (worded && !crashed && !r.hung) clean++;
  }
  if (crashed)
    notes.push(`caption: exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop()}`);
  tallies.push({
    path: 'caption --folder (corrupt images, special files)',
    tried: files.length,
    clean,
    crashes: crashed ? 1 : 0,
    hangs: r.hung ? 1 : 0,
    peakBytes: r.peakBytes,
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Hostile model folders, through the real import (one child each) and list.

type Manifest = {
  tokenizer: { file: string; sha256: string };
  graphs: Record<string, { file: string; bytes: number }>;
  hf?: Record<string, unknown>;
  data: Record<string, unknown>;
  memory: { recommendedRamBytes: number };
};

const mkfifo = (path: string) => execFileSync('mkfifo', [path]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const passwd = existsSync('/etc/passwd')
  ? readFileSync('/etc/passwd')
  : Buffer.from('root:x:0:0\n');

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, '-');

/** The hostile model folders, made under `base`, each named for what is wrong with it. */
function hostileFolders(
  base: string,
): { name: string; dir: string; expect: 'refused' | 'warned' }[] {
  const out: { name: string; dir: string; expect: 'refused' | 'warned' }[] = [];
  const make = (
    name: string,
    change: (dir: string, m: Manifest) => void,
    expect: 'refused' | 'warned' = 'refused',
  ) => {
    const dir = join(base, slug(name));
    cpSync(shipped, dir, { recursive: true });
    const path = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    change(dir, m);
    // Unless the change replaced the manifest itself (by a link, a pipe, a folder, other bytes).
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (info?.isFile() === true && readFileSync(path, 'utf8').startsWith('{'))
      writeFileSync(path, JSON.stringify(m));
    out.push({ name, dir, expect });
  };
  const replace = (dir: string, file: string, by: (path: string) => void) => {
    rmSync(join(dir, file), { recursive: true, force: true });
    by(join(dir, file));
  };
  const fifo = (path: string) => mkfifo(path);
  make('tokenizer ../../etc/passwd with its sha256', (_d, m) => {
    m.tokenizer = { ...m.tokenizer, file: '../../../../../../etc/passwd', sha256: sha256(passwd) };
  });
  make('tokenizer /etc/passwd (absolute)', (_d, m) => {
    m.tokenizer = { ...m.tokenizer, file: '/etc/passwd', sha256: sha256(passwd) };
  });
  make('graph file ../decoder.onnx', (_d, m) => (m.graphs.decoder!.file = '../decoder.onnx'));
  make(
    'hf.folder ../..',
    (_d, m) => (m.hf = { ...(m.hf ?? {}), folder: '../..', model: 'x', sha256: sha256(passwd) }),
  );
  make('words.json links to /etc/passwd', (d, m) => {
    replace(d, 'words.json', (p) => symlinkSync('/etc/passwd', p));
    m.tokenizer.sha256 = sha256(passwd);
  });
  make('words.json links nowhere', (d) =>
    replace(d, 'words.json', (p) => symlinkSync('/no/such/file', p)),
  );
  make('decoder.onnx links to /dev/zero', (d) =>
    replace(d, 'decoder.onnx', (p) => symlinkSync('/dev/zero', p)),
  );
  make('manifest.json links to /etc/passwd', (d) =>
    replace(d, 'manifest.json', (p) => symlinkSync('/etc/passwd', p)),
  );
  make('manifest.json is a named pipe', (d) => replace(d, 'manifest.json', fifo));
  make('vq_decode.onnx is a named pipe', (d) => replace(d, 'vq_decode.onnx', fifo));
  make('manifest.json is a folder', (d) => replace(d, 'manifest.json', (p) => mkdirSync(p)));
  make('manifest.json of 8 MiB', (_d, m) => (m.data.padding = 'x'.repeat(8 * 1024 ** 2)));
  make('manifest.json nested 400k deep', (d) =>
    replace(d, 'manifest.json', (p) => writeFileSync(p, '['.repeat(400_000))),
  );
  make('manifest.json is binary noise', (d) =>
    replace(d, 'manifest.json', (p) => writeFileSync(p, noise(64 * 1024))),
  );
  make('manifest.json is /etc/passwd copied', (d) =>
    replace(d, 'manifest.json', (p) => writeFileSync(p, passwd)),
  );
  make('decoder.onnx truncated', (d) => {
    const bytes = readFileSync(join(d, 'decoder.onnx'));
    writeFileSync(join(d, 'decoder.onnx'), bytes.subarray(0, bytes.length >> 1));
  });
  make('graph sizes and types wrong', (_d, m) => {
    (m.graphs.decoder as unknown as Record<string, unknown>).bytes = -1;
    (m as unknown as Record<string, unknown>).family = { $gt: '' };
  });
  make('needs 1 PiB of memory', (_d, m) => (m.memory.recommendedRamBytes = 2 ** 50), 'warned');
  return out;
}

async function modelAbuse() {
  const folders = hostileFolders(join(work, 'hostile'));
  const env = { TESSERA_EMBEDDED_MODELS: join(work, 'no-embedded-models') };
  const importTally: Tally = {
    path: 'models:import (hostile model folders)',
    tried: 0,
    clean: 0,
    crashes: 0,
    hangs: 0,
    peakBytes: 0,
  };
  // The source folder itself a file, a pipe, missing.
  const oddSources = [
    join(work, 'hostile', 'a-file'),
    join(work, 'hostile', 'a-pipe'),
    join(work, 'hostile', 'missing'),
  ];
  writeFileSync(oddSources[0]!, 'x');
  mkfifo(oddSources[1]!);
  const cases = [
    ...folders.map((f) => ({ name: f.name, dir: f.dir, expect: f.expect })),
    ...oddSources.map((dir) => ({
      name: `source is ${dir.split('/').pop()}`,
      dir,
      expect: 'refused' as const,
    })),
  ];
  for (const c of cases) {
    importTally.tried++;
    const home = join(work, 'import-home', String(importTally.tried));
    const r = await run(
      ['--import', 'tsx', join(root, 'bench', 'abuse-files.ts'), '--import-one', c.dir, home],
      env,
      30_000,
    );
    importTally.peakBytes = Math.max(importTally.peakBytes, r.peakBytes);
    if (r.hung) {
      importTally.hangs++;
      notes.push(`import hung: ${c.name}`);
      continue;
    }
    if (r.code !== 0) {
      importTally.crashes++;
      notes.push(`import crashed: ${c.name}: ${r.stderr.trim().split('\n').pop()}`);
      continue;
    }
    const answer = JSON.parse(r.stdout) as {
      ok: boolean;
      code?: string;
      message?: string;
      kind?: string;
      warning?: string | null;
    };
    const leaks = LEAK.test(r.stdout) || (answer.message ?? '').includes('/etc/passwd');
    const good =
      c.expect === 'warned'
        ? answer.ok && typeof answer.warning === 'string'
        : !answer.ok && answer.kind === 'ModelImportError' && !leaks;
    if (good) importTally.clean++;
    else notes.push(`import answered badly: ${c.name}: ${r.stdout.slice(0, 200)}`);
  }
  tallies.push(importTally);

  // All of them placed under <home>/models at once, then `tessera models --json`.
  const home = join(work, 'list-home');
  mkdirSync(join(home, 'models'), { recursive: true });
  hostileFolders(join(home, 'models'));
  const r = await run([cli, 'models', '--json', '--home', home], env, 60_000);
  const listed =
    r.code === 0 && !r.hung
      ? (JSON.parse(r.stdout) as { dir: string; usable: boolean; problem?: string }[])
      : [];
  let clean = 0;
  for (const f of folders) {
    const row = listed.find((l) => l.dir.endsWith(`/${slug(f.name)}`));
    // Listing reads manifests only: a folder with a bad graph may list, and fails on use.
    const worded = row !== undefined && (row.usable || (row.problem ?? '').length > 10);
    if (worded && !LEAK.test(JSON.stringify(row))) clean++;
    else notes.push(`list: ${f.name}: ${row === undefined ? 'missing' : 'leaks'}`);
  }
  tallies.push({
    path: 'models list (the same folders under <home>/models)',
    tried: folders.length,
    clean,
    crashes: !r.hung && r.code !== 0 ? 1 : 0,
    hangs: r.hung ? 1 : 0,
    peakBytes: r.peakBytes,
  });
}

// ---------------------------------------------------------------------------------------------
// 3. kill -9 during folder captioning with --write-xmp.

const TEMPORARY = /^\..+\.xmp\.[0-9a-f]{12}\.tmp$/;
const leftoverNames = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) =>
    TEMPORARY.test(p.split('/').pop()!),
  );

async function killRounds() {
  const folder = join(work, 'photos');
  const home = join(work, 'kill-home');
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const hue = (i * 47) % 360;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="72"><rect width="96" height="72" fill="hsl(${(hue + 180) % 360},40%,85%)"/><circle cx="${20 + (i % 7) * 8}" cy="36" r="${10 + (i % 5) * 4}" fill="hsl(${hue},70%,50%)"/></svg>`;
    const path = join(folder, `photo ${i}.png`);
    await sharp(Buffer.from(svg)).png().toFile(path);
    files.push(path);
  }
  const args = [
    cli,
    'caption',
    '--folder',
    folder,
    '--write-xmp',
    '--json',
    '--threads',
    '1',
    '--home',
    home,
  ];
  let leftoversSeen = 0;
  let killed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const before = new Set(leftoverNames(folder));
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const after = 1 + Math.floor(random.uniform() * 3);
    const delay = random.uniform() * 30;
    let results = 0;
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      results = (out.match(/"status":"(captioned|suggestion|failed)"/g) ?? []).length;
      if (results >= after)
        setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // gone
          }
        }, delay);
    });
    const { signal } = await new Promise<{ signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (_c, s) => r({ signal: s })),
    );
    if (signal === 'SIGKILL') killed++;
    // The ones this kill left: not there before the run, and not planted.
    leftoversSeen += leftoverNames(folder).filter((n) => !before.has(n)).length;
    // Also leave one the way a kill between write and rename does, so resuming is tested
    // even when no kill lands in that window.
    const photo = files[round % files.length]!;
    writeFileSync(
      join(
        folder,
        `.${photo.split('/').pop()}.xmp.${createHash('md5').update(String(round)).digest('hex').slice(0, 12)}.tmp`,
      ),
      '<x:xmpmeta/>',
    );
  }
  const final = await run(args);
  const gallery = openGallery(join(home, 'library'));
  let lost = 0;
  let duplicated = 0;
  try {
    for (const file of files) {
      const sha = sha256(readFileSync(file));
      if (gallery.captionResult(sha, DEFAULT_MODEL_ID)?.status !== 'done') lost++;
      const id = gallery.findBySha(sha);
      const n =
        id === null ? 0 : gallery.getItem(id)!.captions.filter((c) => c.source === 'model').length;
      if (n > 1) duplicated++;
    }
  } finally {
    gallery.close();
  }
  return {
    rounds: ROUNDS,
    killed,
    finalExit: final.code,
    lost,
    duplicated,
    leftoversLeftByKills: leftoversSeen,
    leftoversPlanted: ROUNDS,
    leftoversAfterResume: leftoverNames(folder).length,
  };
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
try {
  await captionAbuse();
  await modelAbuse();
  const kills = await killRounds();
  const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;
  console.log(`abuse-files (seed ${SEED}), ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  console.log('path | bad files tried | clean errors | crashes | hangs | peak memory');
  console.log('---|---|---|---|---|---');
  for (const t of tallies)
    console.log(
      `${t.path} | ${t.tried} | ${t.clean} | ${t.crashes} | ${t.hangs} | ${mib(t.peakBytes)}`,
    );
  const all = tallies.reduce(
    (s, t) => ({
      tried: s.tried + t.tried,
      clean: s.clean + t.clean,
      crashes: s.crashes + t.crashes,
      hangs: s.hangs + t.hangs,
    }),
    { tried: 0, clean: 0, crashes: 0, hangs: 0 },
  );
  console.log(
    `all | ${all.tried} | ${all.clean} | ${all.crashes} | ${all.hangs} | ${mib(Math.max(...tallies.map((t) => t.peakBytes)))}`,
  );
  console.log(
    `\nkill -9 during caption --folder --write-xmp (${IMAGES} images): ${kills.rounds} rounds (${kills.killed} killed mid-run), lost ${kills.lost}, duplicated ${kills.duplicated}, temporary sidecars left by the kills ${kills.leftoversLeftByKills} + planted ${kills.leftoversPlanted}, left after resuming ${kills.leftoversAfterResume} (final run exit ${kills.finalExit})`,
  );
  for (const n of notes) console.log(`note: ${n}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
