import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchSummary, queueRows } from './queue-groups.ts';

test('jobs of one batch share a row at the place of the first; lone jobs keep their own', () => {
  const jobs = [
    { id: 'a', status: 'running' as const, batchId: 'B' },
    { id: 'x', status: 'queued' as const },
    { id: 'b', status: 'queued' as const, batchId: 'B' },
    { id: 'y', status: 'queued' as const, batchId: 'C' },
    { id: 'c', status: 'queued' as const, batchId: 'B' },
  ];
  assert.deepEqual(
    queueRows(jobs).map((r) => [r.key, r.jobs.map((j) => j.id)]),
    [
      ['batch:B', ['a', 'b', 'c']],
      ['x', ['x']],
      ['batch:C', ['y']],
    ],
  );
  assert.deepEqual(queueRows([]), []);
});

test('a batch says how far it got, in words', () => {
  assert.equal(
    batchSummary([
      { status: 'completed' },
      { status: 'completed' },
      { status: 'running' },
      { status: 'queued' },
      { status: 'failed' },
    ]),
    '2 of 5 done · 1 running · 1 queued · 1 failed',
  );
  assert.equal(batchSummary([{ status: 'completed' }]), '1 of 1 done');
});
