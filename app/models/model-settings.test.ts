/**
 * A settings.json that cannot be used is reported, not silently replaced: models keep their
 * defaults, a change is refused with what is wrong and what to do, and the user's file is left
 * byte for byte as it was. Once it is removed, changes work again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeError } from '../common/errors.ts';
import { readSettings, setModelProvider, settingsPath } from './model-settings.ts';

const home = mkdtempSync(join(tmpdir(), 'tessera-settings-'));
after(() => rmSync(home, { recursive: true, force: true }));

test('a damaged settings.json is reported and kept, never overwritten', async () => {
  const cases: [string, RegExp][] = [
    ['{"modelProviders": {"a/b": "cuda"', /settings\.json is not valid JSON/],
    ['{"modelProviders": {"a/b": "quantum"}}', /settings\.json has modelProviders\.a\/b: /],
  ];
  for (const [text, problem] of cases) {
    writeFileSync(settingsPath(home), text);
    const read = await readSettings(home);
    assert.deepEqual(read.settings, { modelProviders: {} }, 'models run on their defaults');
    assert.match(read.problem ?? '', problem);
    let caught: unknown;
    await setModelProvider(home, 'a/b', 'cpu').catch((err: unknown) => (caught = err));
    const described = describeError(caught);
    assert.equal(described.code, 'settings-damaged');
    assert.match(described.message, problem);
    assert.match(
      described.message,
      /Tessera keeps your model settings there and did not change it; repair the file, or delete it to start from the defaults, then try again$/,
    );
    assert.equal(readFileSync(settingsPath(home), 'utf8'), text, 'the file is untouched');
  }
  rmSync(settingsPath(home));
  assert.equal((await readSettings(home)).problem, null, 'no file is no problem');
  await setModelProvider(home, 'a/b', 'cuda');
  assert.deepEqual((await readSettings(home)).settings.modelProviders, { 'a/b': 'cuda' });
});
