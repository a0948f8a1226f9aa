import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobProgress } from './progress.ts';

const live = { done: 16, total: 64, unit: 'mcu', ratePerSecond: 8, etaSeconds: 6 };

test('a running job shows its live numbers, rate and ETA', () => {
  assert.deepEqual(jobProgress({ status: 'running', done: 0, total: 0 }, live, 'token'), {
    done: 16,
    total: 64,
    unit: 'mcu',
    value: 25,
    eta: '6 s',
    rate: '8 MCUs/s',
  });
});

test('a paused job keeps its live counts but shows no rate or ETA', () => {
  const p = jobProgress({ status: 'paused', done: 0, total: 0 }, live, 'token');
  assert.deepEqual([p.done, p.value, p.eta, p.rate], [16, 25, '', '']);
});

test('without live events the stored counts and unit are shown; unknown totals have no bar', () => {
  const p = jobProgress({ status: 'queued', done: 3, total: 12 }, null, 'file');
  assert.deepEqual([p.done, p.total, p.unit, p.value], [3, 12, 'file', 25]);
  assert.equal(jobProgress({ status: 'queued', done: 0, total: 0 }, null, 'token').value, null);
});

test('a completed job is full and uses its stored counts, whatever the last event said', () => {
  const p = jobProgress({ status: 'completed', done: 64, total: 64 }, live, 'token');
  assert.deepEqual([p.done, p.unit, p.value, p.eta, p.rate], [64, 'token', 100, '', '']);
});
