/**
 * What a new user notices first, in Chromium against web mode with the shipped models: the
 * prompt box says which words the model does not know and what falls past its word budget.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_MODEL_ID } from '../app/models/installed.ts';
import { openStudio, type Studio } from './harness.ts';

let studio: Studio;
before(async () => {
  studio = await openStudio();
});
after(async () => {
  await studio?.close();
});

test('the prompt box underlines unknown words and says what falls past the word budget', async () => {
  const { page } = studio;
  const byTestId = (id: string) => page.getByTestId(id);
  await byTestId('nav-generate').click();
  await byTestId('model-select').selectOption(DEFAULT_MODEL_ID);
  await byTestId('style-select').selectOption('');
  await byTestId('prompt-input').fill('xylophonic quasar zebrafish red heart');
  await byTestId('prompt-unknown').getByText('xylophonic, quasar, zebrafish').waitFor();
  assert.equal(await byTestId('prompt-budget').textContent(), '5 of 16 words');
  const underlined = page.locator('[data-testid="prompt-check"] .pw.unknown');
  assert.deepEqual(await underlined.allTextContents(), ['xylophonic', 'quasar', 'zebrafish']);
  assert.equal(
    await underlined.first().evaluate((el) => getComputedStyle(el).textDecorationLine),
    'underline',
  );
  assert.equal(await byTestId('prompt-dropped').count(), 0);

  const twenty = Array.from({ length: 20 }, (_, i) => (i < 16 ? 'apple' : 'heart')).join(' ');
  await byTestId('prompt-input').fill(twenty);
  await byTestId('prompt-dropped').getByText('heart heart heart heart').waitFor();
  assert.equal(await byTestId('prompt-budget').textContent(), 'Reads the first 16 of 20 words');
  await studio.shot('prompt-feedback');
});
