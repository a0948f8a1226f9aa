import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { toModelRgb } from '../media/load-image.ts';
import { ScanRootError, scanFolder, type ScanEntry } from './folder-scan.ts';
import {
  expectedScan,
  makeJunkFolder,
  type JunkCase,
  type JunkFolder,
} from './testing/junk-folder.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

const dir = await mkdtemp(join(tmpdir(), 'tessera-scan-'));
await chmod(dir, 0o755); // the unprivileged child must reach the junk folder inside
let junk: JunkFolder;
before(async () => {
  junk = await makeJunkFolder(join(dir, 'junk'));
});
after(async () => {
  await junk?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function collect(root: string, options: Parameters<typeof scanFolder>[1]) {
  const entries: ScanEntry[] = [];
  for await (const entry of scanFolder(root, options)) entries.push(entry);
  return entries;
}

const isHidden = (c: JunkCase) => c.relPath.split('/').some((part) => part.startsWith('.'));

interface Reported {
  type: string;
  relPath: string;
  mime?: string;
  reason?: string;
}

/** Asserts the scan reported exactly the manifest's expectations, each entry once. */
function assertMatchesManifest(entries: Reported[], cases: JunkCase[], asRoot: boolean) {
  const seen = new Map<string, number>();
  for (const e of entries) seen.set(e.relPath, (seen.get(e.relPath) ?? 0) + 1);
  for (const [relPath, times] of seen) assert.equal(times, 1, `${relPath} reported ${times} times`);
  const known = new Set(cases.map((c) => c.relPath));
  for (const e of entries) assert.ok(known.has(e.relPath), `unexpected entry ${JSON.stringify(e)}`);
  for (const c of cases) {
    const expected = expectedScan(c, asRoot);
    const entry = entries.find((e) => e.relPath === c.relPath);
    if (expected.kind === 'silent') {
      assert.equal(entry, undefined, `${c.relPath} (${c.what}) should not be reported`);
      continue;
    }
    assert.ok(entry, `${c.relPath} (${c.what}) was not reported`);
    if (expected.kind === 'image')
      assert.deepEqual([entry.type, entry.mime], ['file', expected.mime], c.relPath);
    else assert.deepEqual([entry.type, entry.reason], ['problem', expected.reason], c.relPath);
  }
}

test(
  'a recursive scan reports every hard case of the junk folder as the manifest says',
  { timeout: 60_000 },
  async () => {
    const entries = await collect(junk.root, { recursive: true });
    assertMatchesManifest(entries, junk.cases, isRoot);
    for (const e of entries) {
      assert.equal(e.path, join(junk.root, ...e.relPath.split('/')));
      if (e.type === 'problem') assert.ok(e.message.includes(e.relPath), e.message);
      if (e.type === 'file') assert.ok(e.size > 0 && e.ino > 0 && e.mtimeMs > 0);
    }
  },
);

test(
  'the manifest’s decoding claims hold for the studio’s decoder',
  { timeout: 60_000 },
  async () => {
    for (const c of junk.cases) {
      if (
        c.decodes === undefined ||
        c.relPath === 'unreadable.png' ||
        c.relPath.startsWith('locked/')
      )
        continue;
      const path = join(junk.root, ...c.relPath.split('/'));
      const decoded = await toModelRgb(await readFile(path), 16, c.relPath).then(
        () => true,
        () => false,
      );
      assert.equal(decoded, c.decodes, `${c.relPath} (${c.what})`);
    }
  },
);

test('without recursion only the top folder’s files are reported', async () => {
  const entries = await collect(junk.root, { recursive: false });
  const topLevel = junk.cases.filter((c) => !c.relPath.includes('/') && !c.isFolder);
  assertMatchesManifest(entries, topLevel, isRoot);
});

test('hidden entries are reported when asked for; sidecars never are', async () => {
  const entries = await collect(junk.root, { recursive: true, includeHidden: true });
  const relPaths = entries.map((e) => e.relPath);
  for (const c of junk.cases.filter((c) => isHidden(c) && !c.isFolder))
    assert.ok(relPaths.includes(c.relPath), c.relPath);
  assert.ok(!entries.some((e) => e.type === 'problem' && e.reason === 'hidden-folder'));
  assert.ok(!relPaths.some((p) => p.toLowerCase().endsWith('.xmp')));
});

test('the order is deterministic: files by name, then subfolders by name', async () => {
  const entries = await collect(junk.root, { recursive: true });
  const first = entries.map((e) => e.relPath);
  const second = (await collect(junk.root, { recursive: true, concurrency: 1 })).map(
    (e) => e.relPath,
  );
  assert.deepEqual(first, second);
  // A hidden folder is named among the subfolders, before the first one is entered.
  const isFolderLine = (e: ScanEntry) => e.type === 'problem' && e.reason === 'hidden-folder';
  const top = entries
    .filter((e) => !e.relPath.includes('/') && !isFolderLine(e))
    .map((e) => e.relPath);
  assert.deepEqual(
    top,
    [...top].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const firstNested = entries.findIndex((e) => e.relPath.includes('/') || isFolderLine(e));
  assert.ok(
    entries.slice(firstNested).every((e) => e.relPath.includes('/') || isFolderLine(e)),
    'folders after files',
  );
});

test('the scan stops when its signal is aborted', async () => {
  const controller = new AbortController();
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const entry of scanFolder(junk.root, {
      recursive: true,
      signal: controller.signal,
    })) {
      seen.push(entry.relPath);
      controller.abort();
    }
  }, /abort/i);
  assert.equal(seen.length, 1);
});

test('a root that is missing, a file or a FIFO is a clear error', async () => {
  const scanRoot = (root: string) => collect(root, { recursive: true });
  await assert.rejects(scanRoot(join(dir, 'no-such-folder')), (err: Error) => {
    assert.ok(err instanceof ScanRootError);
    assert.match(err.message, /does not exist: check the folder path/);
    return true;
  });
  await assert.rejects(scanRoot(join(junk.root, 'photo.png')), /is a file, not a folder/);
  await assert.rejects(scanRoot(join(junk.root, 'pipe.jpg')), /named pipe \(FIFO\), not a folder/);
  await assert.rejects(scanRoot(join(junk.root, 'self-loop.png')), /leads back to itself/);
});

test('a smaller size limit is honoured', async () => {
  const entries = await collect(junk.root, { recursive: false, maxFileBytes: 100 });
  const photo = entries.find((e) => e.relPath === 'photo.png');
  assert.equal(photo?.type === 'problem' && photo.reason, 'too-large');
});

test(
  'thousands of files in many folders: all found, none twice, handles bounded',
  { timeout: 120_000 },
  async () => {
    const big = join(dir, 'big');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const folders = 20;
    const perFolder = 500;
    for (let f = 0; f < folders; f++) {
      await mkdir(join(big, `f${f}`), { recursive: true });
      await Promise.all(
        Array.from({ length: perFolder }, (_, i) =>
          writeFile(join(big, `f${f}`, `img-${i}.png`), png),
        ),
      );
    }
    const started = Date.now();
    const entries = await collect(big, { recursive: true, concurrency: 64 });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(entries.length, folders * perFolder);
    assert.ok(entries.every((e) => e.type === 'file'));
    assert.equal(new Set(entries.map((e) => e.relPath)).size, entries.length);
    console.log(`# scanned ${entries.length} files in ${seconds.toFixed(2)} s`);
    assert.ok(seconds < 60, `took ${seconds} s`);
  },
);

/** Whether the unprivileged user can load this repository's code (a home checkout may not be). */
function nobodyCanLoadCode(): string | null {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const fs = require('fs');
       fs.accessSync(${JSON.stringify(join(repoRoot, 'app/jobs/folder-scan.ts'))}, fs.constants.R_OK);
       fs.accessSync(${JSON.stringify(join(repoRoot, 'node_modules/tsx/package.json'))}, fs.constants.R_OK);`,
    ],
    { uid: NOBODY, gid: NOBODY, encoding: 'utf8' },
  );
  return probe.status === 0
    ? null
    : (probe.stderr.split('\n').find((l) => l.includes('Error')) ?? 'unknown');
}

test(
  'without privileges: unreadable folders and files are reported and the scan goes on',
  { timeout: 60_000 },
  async (t) => {
    if (!isRoot) {
      // Already unprivileged: the in-process scans above checked these cases with chmod 000.
      const entries = await collect(junk.root, { recursive: true });
      assertMatchesManifest(entries, junk.cases, false);
      return;
    }
    const blocked = nobodyCanLoadCode();
    if (blocked !== null) {
      t.skip(
        `user nobody cannot read the repository at ${repoRoot} (${blocked}), so it cannot run the scan`,
      );
      return;
    }
    const script = join(dir, 'scan-as-nobody.mts');
    await writeFile(
      script,
      `import { scanFolder } from ${JSON.stringify(join(repoRoot, 'app/jobs/folder-scan.ts'))};
const entries = [];
for await (const e of scanFolder(process.argv[2], { recursive: true })) entries.push(e);
console.log(JSON.stringify(entries));`,
    );
    await chmod(script, 0o644);
    const home = join(dir, 'nobody-home');
    await mkdir(home);
    await chmod(home, 0o777);
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, junk.root], {
      cwd: repoRoot,
      uid: NOBODY,
      gid: NOBODY,
      env: { ...process.env, HOME: home, TMPDIR: home },
      encoding: 'utf8',
      timeout: 50_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const entries = JSON.parse(run.stdout.trim().split('\n').pop()!) as ScanEntry[];
    assertMatchesManifest(entries, junk.cases, false);
    const locked = entries.find((e) => e.relPath === 'locked');
    assert.match(
      locked?.type === 'problem' ? locked.message : '',
      /cannot be read \(permission denied\)/,
    );
  },
);

test('without privileges: an unreadable root is a clear error', { timeout: 60_000 }, async (t) => {
  if (!isRoot) {
    await assert.rejects(
      collect(join(junk.root, 'locked'), { recursive: true }),
      /permission denied/,
    );
    return;
  }
  const blocked = nobodyCanLoadCode();
  if (blocked !== null) {
    t.skip(`user nobody cannot read the repository at ${repoRoot} (${blocked})`);
    return;
  }
  const script = join(dir, 'root-as-nobody.mts');
  await writeFile(
    script,
    `import { scanFolder } from ${JSON.stringify(join(repoRoot, 'app/jobs/folder-scan.ts'))};
try { for await (const e of scanFolder(process.argv[2], { recursive: true })) void e; console.log('no error'); }
catch (err) { console.log(err.constructor.name + ': ' + err.message); }`,
  );
  await chmod(script, 0o644);
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', script, join(junk.root, 'locked')],
    {
      cwd: repoRoot,
      uid: NOBODY,
      gid: NOBODY,
      env: { ...process.env, HOME: dir, TMPDIR: join(dir, 'nobody-home') },
      encoding: 'utf8',
    },
  );
  assert.match(out, /ScanRootError: .*locked cannot be read \(permission denied\): pick a folder/);
});
