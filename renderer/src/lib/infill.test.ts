import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemDetailView, OpenedFileView } from '../../../app/common/contract.ts';
import { pushHistory } from './history.ts';
import {
  fileSource,
  infillKey,
  infillRequest,
  isTyping,
  itemSource,
  newSession,
  sessionForStorage,
  sessionFromStorage,
  type InfillSession,
  type KeyPress,
} from './infill.ts';
import { base64ToBytes, type Stroke } from './mask.ts';

const sampling = { cfgScale: 5, temperature: 0.7, topK: 20, topP: 0.8, cdk: null };
const item = {
  id: 7,
  sha256: 'a'.repeat(64),
  title: 'heart',
  width: 32,
  height: 32,
  recipe: { modelId: 'jpeg-lm/x', prompt: 'a red heart', style: 'noto', sampling },
  foreign: null,
} as unknown as ItemDetailView;
const file: OpenedFileView = { sha256: 'b'.repeat(64), name: 'cat.png', width: 451, height: 300 };
const models = [
  { id: 'vq-ar/x', usable: true, sampling: { defaults: { cfgScale: 2 } } },
  { id: 'jpeg-lm/x', usable: true, sampling: { defaults: { cfgScale: 4 } } },
  { id: 'broken', usable: false, sampling: { defaults: { cfgScale: 9 } } },
] as never[];

test('a library item and an opened file become sources keyed by what they are', () => {
  const a = itemSource(item);
  assert.equal(a.key, 'item:7');
  assert.equal(a.itemId, 7);
  assert.equal(a.prompt, 'a red heart');
  const photo = itemSource({ ...item, recipe: null, foreign: { prompt: 'sd prompt' } } as never);
  assert.equal(photo.prompt, 'sd prompt');
  assert.equal(itemSource({ ...item, recipe: null }).prompt, 'heart');
  const f = fileSource(file);
  assert.deepEqual(
    [f.key, f.itemId, f.title, f.width, f.height, f.recipe, f.prompt],
    [`file:${'b'.repeat(64)}`, null, 'cat.png', 451, 300, null, ''],
  );
});

test('a new session takes the recipe model when usable, else the first usable one', () => {
  const s = newSession(itemSource(item), models, 99);
  assert.equal(s.modelId, 'jpeg-lm/x');
  assert.equal(s.style, 'noto');
  assert.equal(s.cfgScale, 5);
  assert.equal(s.seed, 99);
  assert.equal(s.jobId, null);
  assert.deepEqual(s.history.present, []);
  const f = newSession(fileSource(file), models, 1);
  assert.deepEqual([f.modelId, f.style, f.cfgScale], ['vq-ar/x', null, 2]);
  const none = newSession(fileSource(file), [], 1);
  assert.deepEqual([none.modelId, none.cfgScale], ['', 3]);
  const recipeBroken = { ...item, recipe: { ...item.recipe!, modelId: 'broken' } };
  assert.equal(newSession(itemSource(recipeBroken), models, 1).modelId, 'vq-ar/x');
});

test('the request names the parent item, or the file by hash, and keeps the source sampling', () => {
  const model = {
    id: 'vq-ar/x',
    provider: 'cpu' as const,
    sampling: { defaults: { cfgScale: 2, temperature: 1, topK: 0, topP: 0.9 }, bounds: {} },
  };
  const mask = Uint8Array.from([0, 255, 255, 0]);
  const source = itemSource(item);
  const session = { ...newSession(source, models, 1), prompt: ' a hat ', cfgScale: 6 };
  const r = infillRequest(session, source, model, mask, 42);
  assert.deepEqual(
    { ...r, mask: undefined },
    {
      modelId: 'vq-ar/x',
      provider: 'cpu',
      prompt: 'a hat',
      style: 'noto',
      seed: 42,
      sampling: { ...sampling, cfgScale: 6 },
      parentId: 7,
      mask: undefined,
      featherPx: 2,
      boardId: null,
    },
  );
  assert.deepEqual([...base64ToBytes(r.mask)], [0, 255, 255, 0]);
  const fromFile = infillRequest(session, fileSource(file), model, mask, 42);
  assert.equal(fromFile.sourceSha256, 'b'.repeat(64));
  assert.equal('parentId' in fromFile, false);
  assert.deepEqual(fromFile.sampling, {
    cfgScale: 6,
    temperature: 1,
    topK: 0,
    topP: 0.9,
    cdk: null,
  });
});

test('shortcuts stay out of text fields but not sliders or checkboxes', () => {
  assert.equal(isTyping(null), false);
  assert.equal(isTyping({ tagName: 'TEXTAREA' }), true);
  assert.equal(isTyping({ tagName: 'INPUT', type: 'text' }), true);
  assert.equal(isTyping({ tagName: 'INPUT', type: 'range' }), false);
  assert.equal(isTyping({ tagName: 'INPUT', type: 'checkbox' }), false);
  assert.equal(isTyping({ tagName: 'CANVAS' }), false);
});

test('the mask editor keys undo, redo, pick tools and size the brush within 1–16', () => {
  const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
    key,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...mods,
  });
  const dab: Stroke = { mode: 'fill' };
  const painted = pushHistory(newSession(itemSource(item), models, 1).history, [dab]);
  const session = { history: painted, brush: 4 };
  const undone = infillKey(session, press('z', { ctrlKey: true }))!;
  assert.equal(undone.preventDefault, true);
  assert.deepEqual(undone.patch.history!.present, []);
  const back = { history: undone.patch.history!, brush: 4 };
  assert.deepEqual(
    infillKey(back, press('Z', { metaKey: true, shiftKey: true }))!.patch.history!.present,
    [dab],
  );
  assert.deepEqual(infillKey(back, press('y', { ctrlKey: true }))!.patch.history!.present, [dab]);
  assert.deepEqual(infillKey(session, press('B')), {
    patch: { tool: 'paint' },
    preventDefault: false,
  });
  assert.deepEqual(infillKey(session, press('e')), {
    patch: { tool: 'erase' },
    preventDefault: false,
  });
  assert.deepEqual(infillKey(session, press('['))!.patch, { brush: 3 });
  assert.deepEqual(infillKey(session, press(']'))!.patch, { brush: 5 });
  assert.deepEqual(infillKey({ ...session, brush: 1 }, press('['))!.patch, { brush: 1 });
  assert.deepEqual(infillKey({ ...session, brush: 16 }, press(']'))!.patch, { brush: 16 });
  assert.equal(infillKey(session, press('b', { ctrlKey: true })), null);
  assert.equal(infillKey(session, press('x')), null);
});

test('a session kept in storage reads back with its mask and job, without its undo steps', () => {
  const s: InfillSession = {
    sourceKey: 'item:4',
    history: {
      past: [[]],
      present: [
        { mode: 'paint', radius: 2, points: [[1, 2]] },
        { mode: 'below', fraction: 0.5 },
      ],
      future: [],
    },
    prompt: 'red heart',
    seed: 7,
    seedLocked: false,
    featherPx: 2,
    brush: 4,
    tool: 'paint',
    modelId: 'm',
    style: null,
    cfgScale: 3,
    denoising: { steps: 12, sampler: 'heun' },
    resample: 3,
    jobId: 'job-1',
  };
  const back = sessionFromStorage(sessionForStorage(s));
  assert.deepEqual(back, { ...s, history: { past: [], present: s.history.present, future: [] } });
  // kept before steps and resampling were infill settings, or damaged: the defaults apply
  const older: Partial<InfillSession> = { ...s };
  delete older.denoising;
  delete older.resample;
  assert.deepEqual(
    [
      sessionFromStorage(JSON.stringify(older))?.denoising,
      sessionFromStorage(JSON.stringify(older))?.resample,
    ],
    [null, 1],
  );
  const damaged = sessionFromStorage(
    JSON.stringify({ ...s, denoising: { steps: 1.5, sampler: 'plms' }, resample: 99 }),
  );
  assert.deepEqual([damaged?.denoising, damaged?.resample], [null, 20]);
  assert.equal(sessionFromStorage(null), null);
  assert.equal(sessionFromStorage('nope'), null);
  assert.equal(sessionFromStorage(JSON.stringify({ ...s, jobId: 3 })), null);
  assert.equal(
    sessionFromStorage(
      JSON.stringify({ ...s, history: { past: [], present: [{ mode: 'boom' }], future: [] } }),
    ),
    null,
  );
});

test("a diffusion model's infill takes the session's steps, sampler and resampling", () => {
  const diffusionModel = {
    id: 'transfusion/x',
    usable: true,
    provider: 'cpu' as const,
    sampling: {
      defaults: { cfgScale: 3, temperature: 1, topK: 0, topP: 1 },
      bounds: {},
      diffusion: {
        samplers: ['euler', 'heun'],
        defaults: { steps: 16, sampler: 'euler' },
        bounds: { steps: [1, 64] },
      },
    },
  } as never as Parameters<typeof infillRequest>[2] & { usable: boolean };
  const made = {
    ...item,
    recipe: {
      ...item.recipe!,
      modelId: 'transfusion/x',
      sampling: { ...sampling, diffusion: { steps: 8, sampler: 'heun', resample: 2 } },
    },
  } as unknown as ItemDetailView;
  const source = itemSource(made);
  const fresh = newSession(source, [diffusionModel] as never[], 1);
  assert.deepEqual([fresh.denoising, fresh.resample], [{ steps: 8, sampler: 'heun' }, 2]);
  const mask = Uint8Array.from([255]);
  assert.deepEqual(infillRequest(fresh, source, diffusionModel, mask, 1).sampling.diffusion, {
    steps: 8,
    sampler: 'heun',
    resample: 2,
  });
  const chosen = { ...fresh, denoising: { steps: 500, sampler: 'euler' as const }, resample: 1 };
  assert.deepEqual(
    infillRequest(chosen, source, diffusionModel, mask, 1).sampling.diffusion,
    { steps: 64, sampler: 'euler' },
    'steps pulled into the bounds; resampling once is the plain sampler and is not recorded',
  );
  const ddim = { ...fresh, denoising: { steps: 8, sampler: 'ddim' as const } };
  assert.deepEqual(
    infillRequest(ddim, fileSource(file), diffusionModel, mask, 1).sampling.diffusion,
    { steps: 16, sampler: 'euler', resample: 2 },
    "a sampler the model lacks falls back to the model's defaults",
  );
  const tokenModel = {
    id: 'vq-ar/x',
    provider: 'cpu' as const,
    sampling: { defaults: { cfgScale: 2, temperature: 1, topK: 0, topP: 0.9 }, bounds: {} },
  };
  assert.equal('diffusion' in infillRequest(fresh, source, tokenModel, mask, 1).sampling, false);
});
