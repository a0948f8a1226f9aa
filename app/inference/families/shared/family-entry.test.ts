/**
 * A registry entry built by familyEntry: a job the manifest does not declare is refused by name
 * before the family's job runs, a job without a need always runs, and the decoder's provider and
 * notice are what the host is told.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import type { LoadedSession } from '../../engine/ort.ts';
import { CapabilityError } from '../types.ts';
import { CAN_CAPTION, CAN_INFILL, CAN_SCORE, familyEntry } from './family-entry.ts';

function fakeModel(capabilities: Partial<ModelManifest['capabilities']>) {
  const manifest = {
    id: 'test/fake',
    capabilities: {
      generate: true,
      infill: 'none',
      caption: true,
      likelihood: 'none',
      ...capabilities,
    },
  } as unknown as ModelManifest;
  const session = { provider: 'cpu', notice: 'ran on the CPU' } as unknown as LoadedSession;
  return {
    manifest,
    session,
    released: false,
    async release() {
      this.released = true;
    },
  };
}

function entry(model: ReturnType<typeof fakeModel>, ran: string[]) {
  return familyEntry({
    family: 'vq-ar',
    progressUnit: 'token',
    load: async () => model,
    decoder: (m) => m.session,
    needs: {
      infill: CAN_INFILL,
      caption: CAN_CAPTION,
      score: [(c) => c.likelihood !== 'none', 'score texts'],
    },
    generate: async () => (ran.push('generate'), 'stopped'),
    infill: async () => (ran.push('infill'), 'stopped'),
    caption: async () => (ran.push('caption'), { task: 'caption', caption: 'a cat' }),
    score: async () => (ran.push('score'), { task: 'score', logProbs: [], tokens: [] }),
  });
}

test('jobs the manifest does not declare are refused by name; the others run', async () => {
  const ran: string[] = [];
  const model = fakeModel({ infill: 'none', likelihood: 'none', caption: true });
  const loaded = await entry(model, ran).load('/nowhere', { provider: 'cpu', threads: 1 });
  const control = { stop: null };
  await assert.rejects(
    loaded.infill({} as never, control, () => {}),
    (e) => e instanceof CapabilityError && e.message === 'test/fake cannot infill',
  );
  await assert.rejects(loaded.score('', []), /test\/fake cannot score texts/);
  assert.equal(await loaded.generate({} as never, control, () => {}), 'stopped');
  assert.deepEqual(await loaded.caption({} as never), { task: 'caption', caption: 'a cat' });
  assert.deepEqual(ran, ['generate', 'caption']);
  assert.equal(loaded.provider, 'cpu');
  assert.equal(loaded.providerNotice, 'ran on the CPU');
  await loaded.release();
  assert.equal(model.released, true);
});

test('a declared capability lets its job run', async () => {
  const ran: string[] = [];
  const model = fakeModel({ infill: 'native', likelihood: 'tokens' });
  const loaded = await entry(model, ran).load('/nowhere', { provider: 'cpu', threads: 1 });
  await loaded.infill({} as never, { stop: null }, () => {});
  await loaded.score('', []);
  assert.deepEqual(ran, ['infill', 'score']);
});

test('texts are scored by any model that captions, whatever it says of the image likelihood', () => {
  const [scores] = CAN_SCORE;
  const caps = (c: Partial<ModelManifest['capabilities']>) => fakeModel(c).manifest.capabilities;
  assert.equal(scores(caps({ caption: true, likelihood: 'none' })), true, 'a diffusion model');
  assert.equal(scores(caps({ caption: true, likelihood: 'tokens' })), true);
  assert.equal(scores(caps({ caption: false, likelihood: 'tokens' })), false);
});
