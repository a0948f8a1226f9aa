import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeClosesDetails } from './detail-keys.ts';

const press = (over: Partial<Parameters<typeof escapeClosesDetails>[0]> = {}) =>
  escapeClosesDetails({
    key: 'Escape',
    defaultPrevented: false,
    target: { tagName: 'BUTTON' },
    dialogOpen: false,
    ...over,
  });

test('Escape closes the details panel', () => {
  assert.equal(press(), true);
  assert.equal(press({ target: null }), true);
  assert.equal(press({ target: { tagName: 'INPUT', type: 'checkbox' } }), true);
});

test('but not another key, an open dialog, typing, or a key already handled', () => {
  assert.equal(press({ key: 'Enter' }), false);
  assert.equal(press({ dialogOpen: true }), false);
  assert.equal(press({ target: { tagName: 'INPUT', type: 'text' } }), false);
  assert.equal(press({ target: { tagName: 'TEXTAREA' } }), false);
  assert.equal(press({ defaultPrevented: true }), false);
});
