/**
 * `tessera models import DIR` through the real CLI: a hostile folder is refused with the
 * import's own sentence (the one error map, never "unexpected error") and exit 1, a good one
 * is imported and then listed by `tessera models`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_MODEL_ID, resolveModel } from '../models/installed.ts';
import { TESSERA_CLI } from './testing/built-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tessera-cli-models-import-'));
const home = join(work, 'home');
const shipped = (await resolveModel(home, DEFAULT_MODEL_ID)).dir;
after(() => rmSync(work, { recursive: true, force: true }));

function tessera(...args: string[]) {
  const r = spawnSync(process.execPath, [TESSERA_CLI, ...args, '--home', home], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: work,
    // No embedded models, so the shipped one imports as if downloaded.
    env: { ...process.env, TESSERA_EMBEDDED_MODELS: join(work, 'none') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a hostile model folder is refused in words; a good one imports and is listed', () => {
  cpSync(shipped, join(work, 'hostile'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(work, 'hostile', 'manifest.json'), 'utf8'));
  manifest.tokenizer.file = '../../../../etc/passwd';
  writeFileSync(join(work, 'hostile', 'manifest.json'), JSON.stringify(manifest));
  const refused = tessera('models', 'import', 'hostile');
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^tessera: the manifest\.json of .*hostile is not a usable model manifest: tokenizer\.file: the tokenizer file must sit in the model folder itself/,
  );
  assert.doesNotMatch(refused.stderr, /unexpected error/);

  const imported = tessera('models', 'import', shipped, '--json');
  assert.equal(imported.code, 0, imported.stderr);
  const dir = (JSON.parse(imported.stdout) as { dir: string }).dir;
  const listed = JSON.parse(tessera('models', '--json').stdout) as { dir: string }[];
  assert.deepEqual(
    listed.map((m) => m.dir),
    [dir],
  );
  assert.match(tessera('models', 'import').stderr, /models import needs the model folder/);
});
