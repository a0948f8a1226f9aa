import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUNNABLE_FAMILIES } from '../../common/model-manifest.ts';
import { FAMILY_REGISTRY } from './registry.ts';

test('the registry runs exactly the families the app offers as runnable', () => {
  assert.deepEqual(Object.keys(FAMILY_REGISTRY).sort(), [...RUNNABLE_FAMILIES].sort());
  assert.equal(FAMILY_REGISTRY['jpeg-lm']?.progressUnit, 'mcu');
  assert.equal(FAMILY_REGISTRY['vq-ar']?.progressUnit, 'token');
  assert.equal(FAMILY_REGISTRY.transfusion?.progressUnit, 'step');
});
