import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chmod,
  chown,
  lstat,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { buildXmp, parseXmp, writeSidecarCaption } from './xmp.ts';

const dir = await mkdtemp(join(tmpdir(), 'tessera-atomic-'));
const mode = async (path: string) => (await stat(path)).mode & 0o7777;

test('a replaced file keeps its mode, whatever the umask', async () => {
  const path = join(dir, 'private.txt');
  await writeFile(path, 'old');
  await chmod(path, 0o640);
  await writeFileAtomic(path, Buffer.from('new'));
  assert.equal(await readFile(path, 'utf8'), 'new');
  assert.equal((await mode(path)).toString(8), '640');
  await chmod(path, 0o600);
  await writeFileAtomic(path, Buffer.from('newer'));
  assert.equal((await mode(path)).toString(8), '600');
});

test('a new file gets the usual mode (0666 less the umask), no temporary file is left', async () => {
  const path = join(dir, 'fresh.txt');
  await writeFileAtomic(path, Buffer.from('x'));
  const umask = process.umask();
  assert.equal((await mode(path)).toString(8), (0o666 & ~umask).toString(8));
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
    [],
  );
});

test(
  'a replaced file keeps its owner and group',
  { skip: process.getuid?.() !== 0 ? 'only root can give a file to another user' : false },
  async () => {
    const path = join(dir, 'owned.txt');
    await writeFile(path, 'old');
    await chown(path, 4321, 4322);
    await writeFileAtomic(path, Buffer.from('new'));
    const info = await stat(path);
    assert.deepEqual([info.uid, info.gid], [4321, 4322]);
  },
);

test('writing through a symlink updates its target and leaves the link in place', async () => {
  const target = join(dir, 'real.txt');
  const link = join(dir, 'link.txt');
  await writeFile(target, 'old');
  await chmod(target, 0o640);
  await symlink('real.txt', link);
  await writeFileAtomic(link, Buffer.from('new'));
  assert.equal((await lstat(link)).isSymbolicLink(), true);
  assert.equal(await readlink(link), 'real.txt');
  assert.equal(await readFile(target, 'utf8'), 'new');
  assert.equal((await mode(target)).toString(8), '640');
});

test('a sidecar update keeps the sidecar’s mode and its symlink', async () => {
  const photo = join(dir, 'photo.jpg');
  await writeFile(photo, 'not read');
  // The user keeps sidecars in another folder and links them; this one holds their rating only.
  const kept = join(dir, 'kept.xmp');
  const theirs = buildXmp({ description: 'x', rating: 4 }).replace(
    /<dc:description>[\s\S]*<\/tiff:ImageDescription>\n/,
    '',
  );
  await writeFile(kept, theirs);
  await chmod(kept, 0o640);
  await symlink(kept, `${photo}.xmp`);
  const result = await writeSidecarCaption(photo, 'a red kite', 'model-a');
  assert.equal(result.written, true);
  assert.equal((await lstat(`${photo}.xmp`)).isSymbolicLink(), true);
  const text = await readFile(kept, 'utf8');
  assert.equal(parseXmp(text).description, 'a red kite');
  assert.match(text, /xmp:Rating="4"/);
  assert.equal((await mode(kept)).toString(8), '640');
});
