import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullEvent } from '../../../app/common/contract.ts';
import {
  activePullId,
  applyPullEvent,
  canResume,
  IDLE,
  isBusy,
  pullLine,
  type PullView,
} from './model-pull.ts';

const progress = (pullId: string, doneBytes: number): PullEvent => ({
  type: 'progress',
  pullId,
  phase: 'downloading',
  file: 'onnx/language_model.onnx',
  doneBytes,
  totalBytes: 4 * 1024 ** 2,
  bytesPerSecond: 1024 ** 2,
  etaSeconds: 3,
});

test('progress of this pull runs the bar; another pull and an idle view ignore events', () => {
  const starting: PullView = { state: 'starting', repo: 'a/b', pullId: null };
  assert.equal(pullLine(starting).percent, null);
  const running = applyPullEvent(starting, progress('p1', 1024 ** 2));
  assert.equal(running.state, 'running');
  assert.deepEqual(pullLine(running), {
    percent: 25,
    text: '1.0 MB of 4.0 MB · 1.0 MB/s · ETA 3 s',
  });
  assert.equal(applyPullEvent(running, progress('p2', 3 * 1024 ** 2)), running);
  assert.equal(applyPullEvent(IDLE, progress('p1', 1)), IDLE);
  assert.ok(isBusy(running));
  assert.equal(activePullId(running), 'p1');
  // A start whose id is known ignores another pull's first event.
  const pinned: PullView = { state: 'starting', repo: 'a/b', pullId: 'p3' };
  assert.equal(applyPullEvent(pinned, progress('p1', 1)), pinned);
});

test('done carries the model; a stop says whether pulling again resumes', () => {
  const running = applyPullEvent(
    { state: 'starting', repo: 'a/b', pullId: 'p1' },
    progress('p1', 1),
  );
  const model = { id: 'x/y', name: 'Y', family: 'janus-pro', dir: '/m', warning: null };
  const done = applyPullEvent(running, { type: 'done', pullId: 'p1', model });
  assert.deepEqual(done, { state: 'done', repo: 'a/b', model });
  const cut = applyPullEvent(running, {
    type: 'failed',
    pullId: 'p1',
    error: { code: 'interrupted', message: 'stopped' },
  });
  assert.ok(canResume(cut) && !isBusy(cut));
  const missing = applyPullEvent(running, {
    type: 'failed',
    pullId: 'p1',
    error: { code: 'not-found', message: 'no repository' },
  });
  assert.ok(!canResume(missing));
});

test('the import phase fills the bar and says so', () => {
  const importing = applyPullEvent({ state: 'starting', repo: 'a/b', pullId: null }, {
    ...progress('p1', 4 * 1024 ** 2),
    phase: 'importing',
  } as PullEvent);
  assert.deepEqual(pullLine(importing), {
    percent: 100,
    text: 'Checking every file and installing…',
  });
});
