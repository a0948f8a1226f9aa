import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  jobEventSchema,
  jobResultSchema,
  type JobEvent,
  type Sampling,
} from '../../../common/inference-contract.ts';
import type { JobControl } from '../types.ts';
import { captionImage, scoreTexts } from './caption.ts';
import { EntropyGrammar, type GrammarState } from './entropy-grammar.ts';
import { decodeBodyTokens, imageMcuTokens } from './image-tokens.ts';
import { runGenerate, runInfill } from './jobs.ts';
import { runMcus } from './loop.ts';
import { completionMask, maskedMcus } from './mcu-mask.ts';
import { JpegLmModel } from './model.ts';
import { requireTestModel, TEST_MODEL_DIR } from './testing/test-model.ts';

/**
 * app/media/jpeg's decoder matches Pillow's decode of valid bodies exactly (its tests hold it
 * to 0). A body with invalid MCUs is not compared pixel by pixel: Pillow conceals errors its
 * own way (it decodes what it can of the bad data) where the tolerant decoder paints grey.
 */
const CODEC_TOLERANCE = 0;
const SCORE_TOLERANCE = 1e-4;

interface Result {
  tokens: number[];
  bodySha256: string;
  image: { rgbBase64: string };
}
interface Common {
  prompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  settings: Sampling;
}
type GenerateCase = Common & Result & { task: 'generate'; promptIds: number[] };
type CompleteCase = Common &
  Result & { task: 'complete'; sourceRgbBase64: string; keepRows: number };
type InfillCase = Common &
  Result & { task: 'infill'; sourceRgbBase64: string; maskedMcus: number[] };
interface CaptionCase {
  task: 'caption';
  sourceRgbBase64: string;
  caption: string;
  scoreTexts: string[];
  scores: number[];
}
type Case = GenerateCase | CompleteCase | InfillCase | CaptionCase;

let model: JpegLmModel;
let cases: Case[] = [];
before(async () => {
  model = await JpegLmModel.load(requireTestModel(), { provider: 'cpu', threads: 2 });
  cases = (
    JSON.parse(readFileSync(join(TEST_MODEL_DIR, 'golden.json'), 'utf8')) as { cases: Case[] }
  ).cases;
});
after(async () => {
  await model?.release();
});

const rgbOf = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const layout = () => ({ ...model.manifest.image, mcuSize: model.jpeg.mcuSize });
const rows = () => model.jpeg.mcus / model.jpeg.mcusPerRow;

/** Every pixel of MCU m equals `value` in all three channels. */
function mcuIsPlain(rgb: Uint8Array, m: number, value: number): boolean {
  const { width } = model.manifest.image;
  const size = model.jpeg.mcuSize;
  const x0 = (m % model.jpeg.mcusPerRow) * size;
  const y0 = Math.floor(m / model.jpeg.mcusPerRow) * size;
  for (let y = y0; y < y0 + size; y++)
    for (let i = (y * width + x0) * 3; i < (y * width + x0 + size) * 3; i++)
      if (rgb[i] !== value) return false;
  return true;
}

/** Largest channel difference over the pixels of MCU m. */
function mcuDifference(a: Uint8Array, b: Uint8Array, m: number): number {
  const { width } = model.manifest.image;
  const size = model.jpeg.mcuSize;
  const x0 = (m % model.jpeg.mcusPerRow) * size;
  const y0 = Math.floor(m / model.jpeg.mcusPerRow) * size;
  let max = 0;
  for (let y = y0; y < y0 + size; y++)
    for (let i = (y * width + x0) * 3; i < (y * width + x0 + size) * 3; i++)
      max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * Walks a body through the MCU grammar: every token is one the grammar allows, and an MCU
 * closes before its six blocks are complete only where its marker was forced (the per-MCU
 * limit, the context guard, or a dead end: a state from which no data token continues).
 * Returns the MCUs closed incomplete, the only ones that may fail to decode.
 */
function incompleteMcus(tokens: readonly number[], prefixLength: number, what: string): number[] {
  const g = model.grammar;
  const out: number[] = [];
  let m = 0;
  let count = 0;
  let state: GrammarState | null = g.start;
  tokens.forEach((token, i) => {
    if (token !== g.marker(m)) {
      state = g.after(state, token);
      assert.ok(state !== null, `${what}: token ${i} (MCU ${m}) breaks the entropy grammar`);
      count++;
      return;
    }
    if (!EntropyGrammar.complete(state!)) {
      const forced =
        g.mustClose(m, count, prefixLength + i) || g.entropy.allowedData(state!).length === 0;
      assert.ok(forced, `${what}: MCU ${m} closed incomplete while data could continue it`);
      out.push(m);
    }
    m++;
    count = 0;
    state = g.start;
  });
  assert.equal(m, model.jpeg.mcus, `${what}: every MCU closes with its marker`);
  return out;
}

/**
 * Tokens and body bytes identical to the reference; the body decodes with no missing MCU and
 * no corrupt one except where the grammar had to close an MCU incomplete; pixels as the codec
 * promises: every MCU that decodes equals Pillow's exactly, and invalid MCUs are grey. Returns
 * how many MCUs were compared and which were closed incomplete.
 */
function assertMatches(
  tokens: readonly number[],
  c: Result,
  what: string,
  prefixLength: number,
): { compared: number; incomplete: number[] } {
  assert.deepEqual(tokens, c.tokens, `${what}: tokens`);
  const decoded = decodeBodyTokens(model, tokens);
  assert.equal(sha256(decoded.body), c.bodySha256, `${what}: body sha256`);
  const incomplete = incompleteMcus(tokens, prefixLength, what);
  assert.equal(
    decoded.mcusDecoded + decoded.corruptMcus.length,
    model.jpeg.mcus,
    `${what}: no MCU is missing`,
  );
  assert.deepEqual(decoded.corruptMcus, incomplete, `${what}: corrupt MCUs`);
  // The missing MCUs always come after every decoded or invalid one.
  const reached = decoded.mcusDecoded + decoded.corruptMcus.length;
  const grey = new Set(decoded.corruptMcus);
  for (let m = reached; m < model.jpeg.mcus; m++) grey.add(m);
  const expected = rgbOf(c.image.rgbBase64);
  assert.equal(decoded.rgb.length, expected.length);
  let compared = 0;
  for (let m = 0; m < model.jpeg.mcus; m++) {
    if (grey.has(m)) {
      assert.ok(mcuIsPlain(decoded.rgb, m, 128), `${what}: invalid MCU ${m} must be grey`);
      continue;
    }
    const diff = mcuDifference(decoded.rgb, expected, m);
    assert.ok(diff <= CODEC_TOLERANCE, `${what}: MCU ${m} differs from Pillow's by ${diff}`);
    compared++;
  }
  return { compared, incomplete };
}

test('generate, complete and infill reproduce every golden case token for token', async (t) => {
  const sampled = cases.filter((c) => c.task !== 'caption');
  assert.ok(
    sampled.filter((c) => c.task === 'generate').length >= 3,
    'golden.json lacks generate cases',
  );
  let compared = 0;
  for (const c of sampled) {
    const captionIds = model.promptIds(c.prompt, c.style);
    const run = { captionIds, seed: c.seed, imageIndex: c.imageIndex, settings: c.settings };
    let known: (number[] | null)[];
    if (c.task === 'generate') {
      assert.deepEqual(captionIds, c.promptIds, `prompt ids of "${c.prompt}"`);
      known = new Array<null>(model.jpeg.mcus).fill(null);
    } else {
      const source = imageMcuTokens(model, rgbOf(c.sourceRgbBase64));
      const masked =
        c.task === 'infill'
          ? source.map((_, m) => c.maskedMcus.includes(m))
          : c.keepRows >= rows()
            ? source.map(() => false) // keeps the whole image: nothing to sample
            : maskedMcus(completionMask(layout(), c.keepRows), layout());
      known = source.map((tokens, m) => (masked[m] ? null : tokens));
    }
    const { body } = await runMcus(model, { ...run, known });
    const what = `${c.task} "${c.prompt}" seed ${c.seed}`;
    const { compared: mcus, incomplete } = assertMatches(body, c, what, captionIds.length + 2);
    compared += mcus;
    // No golden case runs into the length or context guard, so every MCU must be complete:
    // the grammar never leaves one it cannot finish.
    assert.deepEqual(incomplete, [], `${what}: MCUs closed incomplete`);
    t.diagnostic(`${what}: ${mcus} of ${model.jpeg.mcus} MCUs decode, equal to Pillow's`);
  }
  assert.ok(compared >= 1, 'no golden MCU was valid JPEG data, so no pixels were compared');
});

test('another seed samples another body; greedy decoding ignores the seed', async () => {
  const generates = cases.filter((c): c is GenerateCase => c.task === 'generate');
  const sampled = generates.filter((c) => c.settings.temperature > 0);
  const greedy = generates.filter((c) => c.settings.temperature === 0);
  assert.ok(sampled.length >= 1 && greedy.length >= 1, 'golden.json lacks sampled or greedy cases');
  for (const c of [...sampled, ...greedy]) {
    const seed = (c.seed + 1) % 2 ** 32;
    const { body } = await runMcus(model, {
      captionIds: c.promptIds,
      known: new Array<null>(model.jpeg.mcus).fill(null),
      seed,
      imageIndex: c.imageIndex,
      settings: c.settings,
    });
    const what = `"${c.prompt}" at temperature ${c.settings.temperature}, seed ${seed}`;
    if (c.settings.temperature > 0) assert.notDeepEqual(body, c.tokens, `${what}: same body`);
    else assert.deepEqual(body, c.tokens, `${what}: greedy body changed with the seed`);
  }
});

test('a prefix completion is an infill whose mask covers the rows below the kept ones', async (t) => {
  const c = cases.find((x): x is CompleteCase => x.task === 'complete');
  assert.ok(c !== undefined, 'golden.json has no completion');
  // A golden completion that keeps every row samples nothing: complete from one row less
  // and hold the infill to the loop run directly.
  const keepRows = Math.min(c.keepRows, rows() - 1);
  let expected = c.tokens;
  if (keepRows !== c.keepRows) {
    t.diagnostic(`the golden completion keeps all ${c.keepRows} rows; completing from ${keepRows}`);
    const source = imageMcuTokens(model, rgbOf(c.sourceRgbBase64));
    const perRow = model.jpeg.mcusPerRow;
    const run = await runMcus(model, {
      captionIds: model.promptIds(c.prompt, c.style),
      known: source.map((tokens, m) => (m < keepRows * perRow ? tokens : null)),
      seed: c.seed,
      imageIndex: c.imageIndex,
      settings: c.settings,
    });
    expected = run.body;
  }
  const mask = completionMask(layout(), keepRows);
  const events: JobEvent[] = [];
  const result = await runInfill(
    model,
    {
      task: 'infill',
      modelDir: TEST_MODEL_DIR,
      provider: 'cpu',
      threads: 2,
      prompt: c.prompt,
      style: c.style,
      seed: c.seed,
      imageIndex: c.imageIndex,
      sampling: c.settings,
      imageRgb: c.sourceRgbBase64,
      mask: b64(mask),
      featherPx: 0,
    },
    { stop: null },
    (e) => events.push(e),
  );
  assert.ok(result !== 'stopped' && result.task === 'infill');
  // Like a generation: progress in MCUs up to all of them, and a preview after each MCU.
  const total = model.jpeg.mcus;
  const progress = events.filter(
    (e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress',
  );
  assert.deepEqual(
    progress.map((e) => e.done),
    Array.from({ length: total }, (_, i) => i + 1),
  );
  assert.ok(progress.every((e) => e.unit === 'mcu' && e.total === total));
  assert.equal(events.filter((e) => e.type === 'preview').length, total);
  const offset = model.vocab.jpegOffset;
  assert.deepEqual(
    result.codes,
    expected.map((id) => id - offset),
    'codes are the body tokens',
  );
  // Kept rows are the source's own pixels; the rest is the decoded completion.
  const out = rgbOf(result.imageRgb);
  const source = rgbOf(c.sourceRgbBase64);
  const decoded = decodeBodyTokens(model, expected).rgb;
  const cut = keepRows * model.jpeg.mcuSize * model.manifest.image.width * 3;
  assert.deepEqual(out.subarray(0, cut), source.subarray(0, cut));
  assert.deepEqual(out.subarray(cut), decoded.subarray(cut));
});

test('captions equal the reference and scores agree within 1e-4', async () => {
  const captions = cases.filter((c): c is CaptionCase => c.task === 'caption');
  assert.ok(captions.length >= 2, 'golden.json lacks caption cases');
  for (const c of captions) {
    const tokens = imageMcuTokens(model, rgbOf(c.sourceRgbBase64));
    assert.equal(await captionImage(model, tokens), c.caption);
    const scores = await scoreTexts(model, tokens, c.scoreTexts);
    scores.forEach((s, i) => {
      const mean = s.logProb / s.tokens;
      assert.ok(
        Math.abs(mean - c.scores[i]!) <= SCORE_TOLERANCE,
        `score of "${c.scoreTexts[i]}": ${mean} vs ${c.scores[i]}`,
      );
    });
  }
});

const firstGenerate = () => cases.find((c): c is GenerateCase => c.task === 'generate')!;
const generateRequest = (c: GenerateCase, codes: number[] | null) => ({
  task: 'generate' as const,
  modelDir: TEST_MODEL_DIR,
  provider: 'cpu' as const,
  threads: 2,
  prompt: c.prompt,
  negativePrompt: '',
  style: c.style,
  seed: c.seed,
  imageIndex: c.imageIndex,
  sampling: c.settings,
  resumeFrom: codes === null ? null : { codes },
});

test('a run stopped mid-MCU resumes to the identical body', async () => {
  const c = firstGenerate();
  const run = {
    captionIds: c.promptIds,
    known: new Array<null>(model.jpeg.mcus).fill(null),
    seed: c.seed,
    imageIndex: c.imageIndex,
    settings: c.settings,
  };
  const stopAt = Math.floor(c.tokens.length / 2);
  const markers = new Set(
    Array.from({ length: model.jpeg.mcus }, (_, m) => model.grammar.marker(m)),
  );
  assert.ok(
    !markers.has(c.tokens[stopAt - 1]!),
    'the stop falls mid-MCU: the resumed MCU rebuilds its grammar state',
  );
  const partial = await runMcus(model, { ...run, afterToken: (body) => body.length < stopAt });
  assert.equal(partial.body.length, stopAt);
  assert.deepEqual(partial.body, c.tokens.slice(0, stopAt));
  const resumed = await runMcus(model, { ...run, resumeFrom: partial.body });
  assert.deepEqual(resumed.body, c.tokens, 'a resumed run must equal the uninterrupted one');
  const forged = [...partial.body];
  forged[forged.length - 1] = model.manifest.specialTokens.eos;
  await assert.rejects(runMcus(model, { ...run, resumeFrom: forged }), /breaks the MCU grammar/);
  // The open MCU's marker before its blocks are complete breaks the grammar too.
  const open = model.grammar.marker(c.tokens.slice(0, stopAt).filter((t) => markers.has(t)).length);
  forged[forged.length - 1] = open;
  await assert.rejects(runMcus(model, { ...run, resumeFrom: forged }), /breaks the MCU grammar/);
});

test('a paused job resumes from its state to identical bytes; progress and previews are per MCU', async () => {
  const c = firstGenerate();
  const M = model.jpeg.mcus;
  const control: JobControl = { stop: null };
  const events: JobEvent[] = [];
  const stopped = await runGenerate(model, generateRequest(c, null), control, (e) => {
    events.push(e);
    if (e.type === 'progress' && e.done === 1) control.stop = 'pause';
  });
  assert.equal(stopped, 'stopped');
  const paused = events.find((e) => e.type === 'paused');
  assert.ok(paused?.type === 'paused', 'a paused job reports its state');
  const offset = model.vocab.jpegOffset;
  const expected = c.tokens.map((t) => t - offset);
  assert.deepEqual(paused.state.codes, expected.slice(0, paused.state.codes.length));

  const later: JobEvent[] = [];
  const done = await runGenerate(
    model,
    generateRequest(c, paused.state.codes),
    { stop: null },
    (e) => later.push(e),
  );
  assert.ok(done !== 'stopped' && done.task === 'generate');
  assert.deepEqual(done.codes, expected, 'resumed codes equal the uninterrupted run');
  assert.deepEqual(rgbOf(done.imageRgb), decodeBodyTokens(model, c.tokens).rgb);

  for (const e of [...events, ...later]) jobEventSchema.parse(e); // what the host sends on
  jobResultSchema.parse(done);
  const progress = later.filter((e) => e.type === 'progress');
  assert.deepEqual(
    progress.map((e) => e.done),
    Array.from({ length: M }, (_, m) => m + 1),
  );
  assert.ok(progress.every((e) => e.unit === 'mcu' && e.total === M));
  const previews = later.filter((e) => e.type === 'preview');
  assert.equal(previews.length, M);
  const checkpoints = later.filter((e) => e.type === 'checkpoint');
  assert.equal(checkpoints.length, M);
  // The first preview shows MCU 0 only: every later MCU is still grey.
  const first = rgbOf(previews[0]!.imageRgb);
  for (let m = 1; m < M; m++) assert.ok(mcuIsPlain(first, m, 128), `MCU ${m} grey in preview 1`);
  assert.deepEqual(rgbOf(previews[M - 1]!.imageRgb), rgbOf(done.imageRgb));
});

test('cancel stops the job within the MCU it arrives in', async () => {
  const c = firstGenerate();
  let reads = 0;
  // Cancel arrives a few tokens into the first MCU.
  const control = {
    get stop(): JobControl['stop'] {
      reads++;
      return reads > 3 ? 'cancel' : null;
    },
  } as JobControl;
  const events: JobEvent[] = [];
  const result = await runGenerate(model, generateRequest(c, null), control, (e) => events.push(e));
  assert.equal(result, 'stopped');
  assert.equal(
    events.filter((e) => e.type === 'progress').length,
    0,
    'no MCU finished after cancel',
  );
  assert.equal(events.filter((e) => e.type === 'paused').length, 0);
});
