/**
 * The family as the host runs it: progress in steps with a preview after each, checkpoints the queue can resume from,
 * cancel and pause within one step, resume from the saved latent (the same bytes as an
 * uninterrupted run), a finished state replayed without sampling, infill masks refused or
 * composited, and settings outside the manifest's bounds refused before any work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  GenerateRequest,
  InfillRequest,
  JobEvent,
  JobResult,
} from '../../../common/inference-contract.ts';
import type { FamilyModel, JobControl } from '../types.ts';
import { transfusion } from './index.ts';
import { runGenerate } from './jobs.ts';
import { TransfusionModel } from './model.ts';
import { requireTestModel } from './testing/test-model.ts';

const dir = requireTestModel();
let model: FamilyModel;
before(async () => {
  model = await transfusion.load(dir, { provider: 'cpu', threads: 1 });
});
after(() => model.release());

const request = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
  task: 'generate',
  modelDir: dir,
  provider: 'cpu',
  threads: 1,
  prompt: 'red heart',
  negativePrompt: '',
  style: null,
  seed: 42,
  imageIndex: 0,
  sampling: {
    cfgScale: 3,
    temperature: 1,
    topK: 0,
    topP: 1,
    cdk: null,
    diffusion: { steps: 6, sampler: 'ddim' },
  },
  resumeFrom: null,
  ...over,
});

async function run(
  req: GenerateRequest,
  stopAfter: { step: number; how: 'cancel' | 'pause' } | null = null,
): Promise<{ result: JobResult | 'stopped'; events: JobEvent[] }> {
  const control: JobControl = { stop: null };
  const events: JobEvent[] = [];
  const result = await model.generate(req, control, (e) => {
    events.push(e);
    if (e.type === 'progress' && stopAfter !== null && e.done === stopAfter.step)
      control.stop = stopAfter.how;
  });
  return { result, events };
}

const image = (r: JobResult | 'stopped') => {
  assert.ok(r !== 'stopped' && r.task === 'generate');
  return r.imageRgb;
};

describe('transfusion jobs', () => {
  it('reports every step with a preview and a checkpoint, and replays byte for byte', async () => {
    const first = await run(request());
    const progress = first.events.filter((e) => e.type === 'progress');
    assert.deepEqual(
      progress.map((e) => [e.done, e.total, e.unit]),
      [1, 2, 3, 4, 5, 6].map((d) => [d, 6, 'step']),
    );
    const previews = first.events.filter((e) => e.type === 'preview');
    assert.equal(previews.length, 6);
    // A checkpoint after the first step, then at most one a second: the smoke model is faster.
    const checkpoints = first.events.filter((e) => e.type === 'checkpoint');
    assert.ok(
      checkpoints.length >= 1 && checkpoints.length < 6,
      `${checkpoints.length} checkpoints`,
    );
    const cp = checkpoints[0]!;
    assert.ok(cp.type === 'checkpoint');
    const fromCheckpoint = await run(request({ resumeFrom: cp.state }));
    assert.equal(image(fromCheckpoint.result), image(first.result));
    // The first preview is the step's x̂₀, not the final image: the preview moves.
    assert.notEqual(previews[0]!.type === 'preview' && previews[0]!.imageRgb, image(first.result));
    const again = await run(request());
    assert.equal(image(again.result), image(first.result));
    const other = await run(request({ seed: 43 }));
    assert.notEqual(image(other.result), image(first.result));
  });

  it('cancels within one step', async () => {
    const { result, events } = await run(request(), { step: 2, how: 'cancel' });
    assert.equal(result, 'stopped');
    assert.equal(Math.max(...events.flatMap((e) => (e.type === 'progress' ? [e.done] : []))), 2);
    assert.ok(!events.some((e) => e.type === 'paused'));
  });

  it('pauses, then resumes from the saved latent to the same bytes as an uninterrupted run', async () => {
    const whole = image((await run(request())).result);
    const paused = await run(request(), { step: 3, how: 'pause' });
    assert.equal(paused.result, 'stopped');
    const saved = paused.events.find((e) => e.type === 'paused');
    assert.ok(saved?.type === 'paused');
    // Through JSON, as the job queue stores a checkpoint across a restart.
    const state = JSON.parse(JSON.stringify(saved.state)) as { codes: number[] };
    const resumed = await run(request({ resumeFrom: state }));
    const steps = resumed.events.flatMap((e) => (e.type === 'progress' ? [e.done] : []));
    assert.deepEqual(steps, [4, 5, 6]);
    assert.equal(image(resumed.result), whole);
  });

  it('rebuilds a finished candidate from its record without sampling again', async () => {
    const done = await run(request());
    assert.ok(done.result !== 'stopped' && done.result.task === 'generate');
    const replay = await run(request({ resumeFrom: { codes: done.result.codes } }));
    assert.equal(replay.events.filter((e) => e.type === 'progress').length, 0);
    assert.equal(image(replay.result), image(done.result));
  });

  it('refuses a saved state made with another step count', async () => {
    const paused = await run(request(), { step: 2, how: 'pause' });
    const saved = paused.events.find((e) => e.type === 'paused');
    assert.ok(saved?.type === 'paused');
    const other = request({ resumeFrom: saved.state });
    other.sampling = { ...other.sampling, diffusion: { steps: 8, sampler: 'ddim' } };
    await assert.rejects(run(other), /not made by this transfusion model with these settings/);
  });

  it('refuses absurd steps, guidance and samplers with the bounds', async () => {
    const s = request().sampling;
    const bad = [
      [
        { ...s, diffusion: { steps: 100000, sampler: 'ddim' as const } },
        /steps must be .* between 1 and 250, not 100000/,
      ],
      [{ ...s, cfgScale: 45 }, /guidance must be between 0 and 20 for this model, not 45/],
      [{ ...s, diffusion: { steps: 4, sampler: 'heun' as const } }, /samples with ddim, not heun/],
    ] as const;
    for (const [sampling, message] of bad)
      await assert.rejects(run(request({ sampling })), (err: Error) => {
        assert.match(err.message, message);
        assert.equal((err as { code?: string }).code, 'bad-request');
        return true;
      });
  });

  const infill = (mask: Uint8Array, over: Partial<InfillRequest> = {}): InfillRequest => {
    const rgb = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 256;
    return {
      task: 'infill',
      modelDir: dir,
      provider: 'cpu',
      threads: 1,
      prompt: 'red heart',
      style: null,
      seed: 5,
      imageIndex: 0,
      sampling: { ...request().sampling, diffusion: { steps: 3, sampler: 'ddim', resample: 2 } },
      imageRgb: Buffer.from(rgb).toString('base64'),
      mask: Buffer.from(mask).toString('base64'),
      featherPx: 0,
      ...over,
    };
  };

  it('infills only the masked pixels (no feather) and refuses empty or full masks', async () => {
    const mask = new Uint8Array(32 * 32);
    for (let y = 8; y < 24; y++) mask.fill(1, y * 32 + 8, y * 32 + 24);
    const req = infill(mask);
    const out = await model.infill(req, { stop: null }, () => {});
    assert.ok(out !== 'stopped' && out.task === 'infill');
    const src = Buffer.from(req.imageRgb, 'base64');
    const got = Buffer.from(out.imageRgb, 'base64');
    let changedInside = 0;
    for (let p = 0; p < 32 * 32; p++)
      for (let c = 0; c < 3; c++) {
        if (mask[p] === 0) assert.equal(got[p * 3 + c], src[p * 3 + c]);
        else if (got[p * 3 + c] !== src[p * 3 + c]) changedInside++;
      }
    assert.ok(changedInside > 100, `only ${changedInside} masked values changed`);
    for (const [m, message] of [
      [new Uint8Array(32 * 32), /marks nothing to fill/],
      [new Uint8Array(32 * 32).fill(1), /covers the whole image: generate instead/],
    ] as const)
      await assert.rejects(
        model.infill(infill(m), { stop: null }, () => {}),
        (err: Error) => {
          assert.match(err.message, message);
          assert.equal((err as { code?: string }).code, 'bad-mask');
          return true;
        },
      );
  });

  it('captions and scores through the family', async () => {
    const rgb = Buffer.from(new Uint8Array(32 * 32 * 3).fill(200)).toString('base64');
    const cap = await model.caption({
      task: 'caption',
      modelDir: dir,
      provider: 'cpu',
      threads: 1,
      imageRgb: rgb,
      sampling: null,
    });
    assert.equal(cap.task, 'caption');
    const scored = await model.score(rgb, ['red heart', 'grinning face']);
    assert.ok(scored.task === 'score');
    assert.deepEqual(scored.tokens, [3, 3]);
    assert.ok(scored.logProbs.every((lp) => Number.isFinite(lp) && lp < 0));
  });
});

it('keeps its saved state in codes the queue and the library can store (non-negative Int32)', async () => {
  const { result } = await run(request());
  assert.ok(result !== 'stopped' && result.task === 'generate');
  assert.ok(result.codes.every((c) => Number.isInteger(c) && c >= 0 && c <= 0x7fffffff));
});

it('previews every step at no extra network call, and resumes in a freshly loaded model', async () => {
  const fresh = await TransfusionModel.load(dir, { provider: 'cpu', threads: 1 });
  try {
    const session = fresh.sessions.patch_out.session;
    const original = session.run.bind(session);
    let calls = 0;
    session.run = ((...args: Parameters<typeof original>) => {
      calls++;
      return original(...args);
    }) as typeof session.run;
    const events: JobEvent[] = [];
    const control: JobControl = { stop: null };
    const paused = await runGenerate(fresh, request(), control, (e) => {
      events.push(e);
      if (e.type === 'progress' && e.done === 4) control.stop = 'pause';
    });
    assert.equal(paused, 'stopped');
    assert.equal(events.filter((e) => e.type === 'preview').length, 4);
    assert.equal(calls, 4, 'one guided network call per step, previews included');
    const saved = events.find((e) => e.type === 'paused');
    assert.ok(saved?.type === 'paused');
    const resumed = await runGenerate(
      fresh,
      request({ resumeFrom: saved.state }),
      { stop: null },
      () => {},
    );
    assert.equal(calls, 6);
    assert.equal(image(resumed), image((await run(request())).result));
  } finally {
    await fresh.release();
  }
});
