import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  bestPromptFollowing,
  describeMetrics,
  EXPERIMENTAL_BELOW_TOP5,
  experimentalReason,
  isExperimental,
} from './model-metrics.ts';

const shipped = (id: string) =>
  (
    JSON.parse(
      readFileSync(
        new URL(`../../../native-models/exports/${id}/manifest.json`, import.meta.url),
        'utf8',
      ),
    ) as { metrics: Record<string, unknown> }
  ).metrics;

const JPEG_LM = shipped('jpeg-lm-emoji64-cpu-2h');
const VQ_AR = shipped('vq-ar-emoji32-cpu-11h');

test('every metric of the shipped models is described in words, none left as a raw key', () => {
  for (const metrics of [JPEG_LM, VQ_AR]) {
    const { groups, unknown } = describeMetrics(metrics);
    assert.deepEqual(unknown, []);
    for (const line of groups.flatMap((g) => g.lines)) {
      assert.doesNotMatch(line.label, /[a-z][A-Z]|\w\.\w|_/, `label of ${line.key}: ${line.label}`);
      assert.ok(line.explain.length > 20, line.key);
      assert.ok(line.scale.length > 0, line.key);
    }
  }
});

test('the keys users could not read become plain names with their scale', () => {
  const lines = describeMetrics(VQ_AR).groups.flatMap((g) => g.lines);
  const byKey = (k: string) => lines.find((l) => l.key === k)!;
  assert.equal(byKey('split.testUnseen').label, 'Test images of subjects never seen in training');
  assert.equal(byKey('split.testUnseen').value, '493');
  assert.equal(byKey('fd.floorTrainVsTest').label, 'Distance between two sets of real images');
  assert.match(byKey('fd.floorTrainVsTest').scale, /lower is better/);
  assert.equal(
    byKey('adherence_cfg3.top5').label,
    'Draws what the prompt names (top 5 guesses) at guidance 3',
  );
  assert.equal(byKey('adherence_cfg3.top5').value, '35.1 %');
  assert.equal(byKey('fd.cfg3.interval95').value, '0.6161 – 0.8704');
});

test('groups come in the order a user asks about a model, empty ones left out', () => {
  assert.deepEqual(
    describeMetrics(VQ_AR).groups.map((g) => g.name),
    ['Follows prompts', 'Image quality', 'Captions', 'Speed', 'Evaluation'],
  );
  assert.deepEqual(
    describeMetrics({ date: '2026-01-01' }).groups.map((g) => g.name),
    ['Evaluation'],
  );
  assert.deepEqual(describeMetrics({ mystery: { x: 2 } }).unknown, [
    { key: 'mystery.x', value: '2' },
  ]);
});

test('jpeg-lm (adherence 0) is experimental; vq-ar (35 % at its best guidance) is not', () => {
  assert.equal(bestPromptFollowing(JPEG_LM), 0);
  assert.equal(isExperimental({ metrics: JPEG_LM }), true);
  assert.match(experimentalReason({ metrics: JPEG_LM })!, /0 % of the time/);
  assert.equal(bestPromptFollowing(VQ_AR), 0.3514285714285714);
  assert.equal(isExperimental({ metrics: VQ_AR }), false);
  assert.equal(experimentalReason({ metrics: VQ_AR }), null);
});

test('the threshold is strict and an unmeasured model is not labelled', () => {
  assert.equal(
    isExperimental({ metrics: { adherence: { top5: EXPERIMENTAL_BELOW_TOP5 } } }),
    false,
  );
  assert.equal(
    isExperimental({ metrics: { adherence: { top5: EXPERIMENTAL_BELOW_TOP5 - 0.01 } } }),
    true,
  );
  assert.equal(isExperimental({ metrics: {} }), false);
  // the best guidance counts: one good setting is enough
  assert.equal(
    isExperimental({ metrics: { adherence_cfg1: { top5: 0.01 }, adherence_cfg3: { top5: 0.4 } } }),
    false,
  );
});
