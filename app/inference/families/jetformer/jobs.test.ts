import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  jobEventSchema,
  type GenerateRequest,
  type JobEvent,
  type JobResult,
} from '../../../common/inference-contract.ts';
import type { JobControl } from '../types.ts';
import { runGenerate, runInfill } from './jobs.ts';
import { JetFormerModel } from './model.ts';
import { psnr } from './testing/psnr.ts';
import { smokeModelDir } from './testing/smoke-model.ts';

let model: JetFormerModel;
let dir: string;
before(async () => {
  dir = smokeModelDir();
  model = await JetFormerModel.load(dir, { provider: 'cpu', threads: 2 });
});
after(() => model.release());

function request(over: Partial<GenerateRequest> = {}): GenerateRequest {
  const d = model.manifest.sampling.defaults;
  return {
    task: 'generate',
    modelDir: dir,
    provider: 'cpu',
    threads: 2,
    prompt: 'red heart',
    negativePrompt: '',
    style: 'noto',
    seed: 42,
    imageIndex: 0,
    sampling: { cfgScale: d.cfgScale, temperature: d.temperature, topK: 0, topP: 1, cdk: null },
    resumeFrom: null,
    ...over,
  };
}

/** Runs a generation, stopping it (`stop`) once `after` tokens are done. */
async function generate(
  req: GenerateRequest,
  stopAt?: { after: number; stop: 'cancel' | 'pause' },
  on: JetFormerModel = model,
): Promise<{ events: JobEvent[]; out: JobResult | 'stopped' }> {
  const control: JobControl = { stop: null };
  const events: JobEvent[] = [];
  const out = await runGenerate(on, req, control, (e) => {
    events.push(jobEventSchema.parse(e));
    if (stopAt !== undefined && e.type === 'progress' && e.done === stopAt.after)
      control.stop = stopAt.stop;
  });
  return { events, out };
}

const rgbOf = (out: JobResult | 'stopped') => {
  assert.ok(out !== 'stopped' && out.task === 'generate');
  return new Uint8Array(Buffer.from(out.imageRgb, 'base64'));
};

test('a generation reports every token, previews the flow of the tokens so far, and replays byte for byte', async () => {
  const first = await generate(request());
  const progress = first.events.filter((e) => e.type === 'progress');
  assert.equal(progress.length, model.gmm.tokens);
  const previews = first.events.filter((e) => e.type === 'preview');
  assert.ok(previews.length >= 8 && previews.at(-1)!.done === model.gmm.tokens);
  // An early preview is mostly the zero soft token; the last one is the image itself.
  assert.notEqual(previews[0]!.imageRgb, previews.at(-1)!.imageRgb);
  assert.equal(previews.at(-1)!.imageRgb, Buffer.from(rgbOf(first.out)).toString('base64'));
  const again = await generate(request());
  assert.deepEqual(rgbOf(again.out), rgbOf(first.out));
  const other = await generate(request({ seed: 43 }));
  assert.notDeepEqual(rgbOf(other.out), rgbOf(first.out));
});

test('cancel stops within one token', async () => {
  const { events, out } = await generate(request(), { after: 5, stop: 'cancel' });
  assert.equal(out, 'stopped');
  assert.equal(events.filter((e) => e.type === 'progress').length, 5);
});

test('pause, then resume from the saved soft tokens (also in a freshly loaded model) ends where an uninterrupted run does', async () => {
  const whole = await generate(request());
  const paused = await generate(request(), { after: 20, stop: 'pause' });
  assert.equal(paused.out, 'stopped');
  const state = paused.events.find((e) => e.type === 'paused');
  assert.ok(state?.type === 'paused');
  assert.equal(state.state.codes[1], 20);
  const fresh = await JetFormerModel.load(dir, { provider: 'cpu', threads: 1 });
  try {
    const resumed = await generate(request({ resumeFrom: state.state }), undefined, fresh);
    const progress = resumed.events.filter((e) => e.type === 'progress');
    assert.equal(progress[0]!.type === 'progress' && progress[0]!.done, 21);
    const p = psnr(rgbOf(resumed.out), rgbOf(whole.out));
    assert.ok(p >= 45, `resumed image PSNR ${p.toFixed(1)} dB`);
    const done = resumed.out !== 'stopped' && resumed.out.task === 'generate' ? resumed.out : null;
    assert.ok(done !== null);
    // The resumed run keeps the paused soft tokens' exact bits.
    assert.ok(
      done.codes.every((c) => c >= 0 && c <= 0x7fffffff),
      'codes fit the library',
    );
    assert.deepEqual(
      done.codes.slice(4, 4 + 2 * 20 * model.gmm.arDims),
      state.state.codes.slice(4),
    );
  } finally {
    await fresh.release();
  }
});

test('a saved state from another model or format is refused', async () => {
  await assert.rejects(
    generate(request({ resumeFrom: { codes: [1, 2, 3] } })),
    /not made by this jetformer model/,
  );
});

test('absurd temperatures, guidance and token-model settings are refused with the bounds', async () => {
  const s = request().sampling;
  await assert.rejects(
    generate(request({ sampling: { ...s, temperature: 4.5 } })),
    /temperature must be from 0.05 to 2/,
  );
  await assert.rejects(
    generate(request({ sampling: { ...s, cfgScale: 45 } })),
    /guidance scale must be from 0 to 20/,
  );
  await assert.rejects(generate(request({ sampling: { ...s, topK: 5 } })), /top-k 0 and top-p 1/);
  await assert.rejects(generate(request({ negativePrompt: 'cat' })), /negative prompt empty/);
});

test('infill keeps every known pixel outside the mask exactly', async () => {
  const { width, height } = model.manifest.image;
  const source = new Uint8Array(width * height * 3);
  for (let i = 0; i < source.length; i++) source[i] = (i * 7) & 0xff;
  const mask = new Uint8Array(width * height);
  for (let y = 8; y < 20; y++) for (let x = 10; x < 22; x++) mask[y * width + x] = 1;
  const control: JobControl = { stop: null };
  const req = {
    ...request(),
    task: 'infill' as const,
    imageRgb: Buffer.from(source).toString('base64'),
    mask: Buffer.from(mask).toString('base64'),
    featherPx: 0,
  };
  const out = await runInfill(model, req, control, () => {});
  assert.ok(out !== 'stopped' && out.task === 'infill');
  const rgb = new Uint8Array(Buffer.from(out.imageRgb, 'base64'));
  let changedInside = 0;
  for (let p = 0; p < width * height; p++)
    for (let c = 0; c < 3; c++) {
      if (mask[p] === 0) assert.equal(rgb[p * 3 + c], source[p * 3 + c], `pixel ${p}`);
      else if (rgb[p * 3 + c] !== source[p * 3 + c]) changedInside++;
    }
  assert.ok(changedInside > 0, 'the masked region was redrawn');
  await assert.rejects(
    runInfill(
      model,
      { ...req, mask: Buffer.from(new Uint8Array(width * height)).toString('base64') },
      control,
      () => {},
    ),
    /marks nothing to fill/,
  );
  // Infill reads its settings as a generation does: absurd ones are refused with the bounds.
  await assert.rejects(
    runInfill(model, { ...req, sampling: { ...req.sampling, cfgScale: 45 } }, control, () => {}),
    /guidance scale must be from 0 to 20/,
  );
  await assert.rejects(
    runInfill(model, { ...req, sampling: { ...req.sampling, temperature: 0 } }, control, () => {}),
    /temperature must be from 0.05 to 2/,
  );
});
