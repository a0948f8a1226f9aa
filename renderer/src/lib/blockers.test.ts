import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  captionBlocker,
  firstBlocker,
  generateBlocker,
  infillBlocker,
  modelBlocker,
  PROMPT_MAX,
} from './blockers.ts';

const usable = { usable: true, problem: null };
const broken = { usable: false, problem: 'needs a newer Tessera' };
const rule = { missing: 'none installed', unusable: 'cannot run' };

test('the first rule that holds is the reason; none holding means nothing blocks', () => {
  assert.equal(firstBlocker([]), null);
  assert.equal(
    firstBlocker([
      [false, 'a'],
      [true, 'b'],
      [true, 'c'],
    ]),
    'b',
  );
});

test('a model blocks while the list loads, when missing, and when it cannot run', () => {
  assert.equal(modelBlocker(undefined, false, rule), 'Loading models…');
  assert.equal(modelBlocker(undefined, true, rule), 'none installed');
  assert.equal(modelBlocker(broken, true, rule), 'needs a newer Tessera');
  assert.equal(modelBlocker({ usable: false, problem: null }, true, rule), 'cannot run');
  assert.equal(modelBlocker(usable, true, rule), null);
});

test('Generate needs a usable model and a prompt of at most PROMPT_MAX characters', () => {
  assert.equal(
    generateBlocker({ model: undefined, loaded: false, prompt: 'x' }),
    'Loading models…',
  );
  assert.match(generateBlocker({ model: undefined, loaded: true, prompt: 'x' })!, /Models screen/);
  assert.equal(
    generateBlocker({ model: broken, loaded: true, prompt: '' }),
    'needs a newer Tessera',
  );
  assert.equal(
    generateBlocker({ model: usable, loaded: true, prompt: '  \n' }),
    'Write a prompt to generate.',
  );
  assert.equal(
    generateBlocker({ model: usable, loaded: true, prompt: 'x'.repeat(PROMPT_MAX) }),
    null,
  );
  assert.equal(
    generateBlocker({ model: usable, loaded: true, prompt: 'x'.repeat(PROMPT_MAX + 1) }),
    'The prompt is over 2000 characters: shorten it.',
  );
});

test('Infill needs a prompt unless the model completes prefixes, and a painted mask', () => {
  const plain = { ...usable, capabilities: { infill: 'ar-mask' } };
  const prefix = { ...usable, capabilities: { infill: 'ar-mask', prefixCompletion: true } };
  assert.match(infillBlocker({ model: undefined, prompt: 'x', painted: true })!, /can infill/);
  assert.equal(
    infillBlocker({
      model: { ...plain, usable: false, problem: null },
      prompt: 'x',
      painted: true,
    }),
    'This model cannot run.',
  );
  assert.equal(
    infillBlocker({ model: plain, prompt: ' ', painted: true }),
    'Write a prompt for the masked region.',
  );
  assert.equal(
    infillBlocker({ model: prefix, prompt: '', painted: false }),
    'Paint the region to regenerate.',
  );
  assert.equal(infillBlocker({ model: prefix, prompt: '', painted: true }), null);
  assert.equal(infillBlocker({ model: plain, prompt: 'a hat', painted: true }), null);
});

test('Caption needs a usable captioning model and a folder path', () => {
  assert.equal(
    captionBlocker({ model: undefined, loaded: false, folder: '/x' }),
    'Loading models…',
  );
  assert.match(
    captionBlocker({ model: undefined, loaded: true, folder: '/x' })!,
    /caption capability/,
  );
  assert.equal(
    captionBlocker({ model: usable, loaded: true, folder: ' ' }),
    'Type the path of a folder to caption.',
  );
  assert.equal(captionBlocker({ model: usable, loaded: true, folder: '/photos' }), null);
});
