/**
 * The prompt check with the shipped models' own tokenizers: the words they do not know, the
 * budget (a style takes a place), and what falls past it; an unknown model is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_MODEL_ID, ModelUnavailableError } from './installed.ts';
import { checkPrompt } from './prompt-check.ts';

const home = mkdtempSync(join(tmpdir(), 'tessera-prompt-check-'));
after(() => rmSync(home, { recursive: true, force: true }));

test('unknown words are named, and words past the budget are marked as dropped', async () => {
  const check = await checkPrompt(home, {
    modelId: DEFAULT_MODEL_ID,
    prompt: 'xylophonic quasar zebrafish red heart',
    style: null,
  });
  assert.deepEqual(
    check.words.map((w) => [w.text, w.known]),
    [
      ['xylophonic', false],
      ['quasar', false],
      ['zebrafish', false],
      ['red', true],
      ['heart', true],
    ],
  );
  assert.deepEqual([check.budget, check.used], [16, 5]);
  assert.ok(check.words.every((w) => w.kept));

  const long = Array.from({ length: 20 }, () => 'apple').join(' ');
  const styled = await checkPrompt(home, {
    modelId: DEFAULT_MODEL_ID,
    prompt: long,
    style: 'noto',
  });
  assert.equal(styled.budget, 15, 'the style token takes one place');
  assert.equal(styled.words.filter((w) => !w.kept).length, 5);
  // A style the model does not have is not counted (generation refuses it on its own).
  assert.equal(
    (await checkPrompt(home, { modelId: DEFAULT_MODEL_ID, prompt: long, style: 'nope' })).budget,
    16,
  );
});

test('a model that is not installed is refused with what to do', async () => {
  await assert.rejects(
    checkPrompt(home, { modelId: 'nobody/none', prompt: 'red', style: null }),
    (err: Error) => err instanceof ModelUnavailableError && /installed:/.test(err.message),
  );
});
