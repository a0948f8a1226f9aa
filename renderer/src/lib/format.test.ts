import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  baseName,
  flattenMetrics,
  formatBytes,
  formatEta,
  formatNumber,
  formatRate,
  unitLabel,
  percent,
} from './format.ts';

test('bytes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(250 * 1024 * 1024), '250 MB');
  assert.equal(formatBytes(-1), '—');
});

test('eta', () => {
  assert.equal(formatEta(null), '');
  assert.equal(formatEta(Infinity), '');
  assert.equal(formatEta(12.4), '12 s');
  assert.equal(formatEta(65), '1:05');
  assert.equal(formatEta(3720), '1 h 02 min');
});

test('rates and numbers', () => {
  assert.equal(formatRate(0, 'token'), '');
  assert.equal(formatRate(1, 'file'), '1 file/s');
  assert.equal(formatRate(152.7, 'token'), '153 tokens/s');
  assert.equal(formatRate(3.21, 'mcu'), '3.21 MCUs/s');
  assert.equal(unitLabel('mcu', 1), 'MCU');
  assert.equal(unitLabel('step', 16), 'steps');
  assert.equal(formatNumber(1234567), '1,234,567');
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(0.0000123), '1.230e-5');
});

test('percent', () => {
  assert.equal(percent(1, 0), null);
  assert.equal(percent(5, 10), 50);
  assert.equal(percent(20, 10), 100);
});

test('metrics flatten to dotted keys', () => {
  const rows = flattenMetrics({
    psnr: 24.3891,
    caption: { exact: 0.0028, rank: 0.1 },
    list: [1, 2],
    name: 'x',
    none: null,
  });
  assert.deepEqual(rows, [
    { key: 'psnr', value: '24.39' },
    { key: 'caption.exact', value: '0.0028' },
    { key: 'caption.rank', value: '0.1' },
    { key: 'list', value: '1, 2' },
    { key: 'name', value: 'x' },
    { key: 'none', value: '—' },
  ]);
  assert.deepEqual(flattenMetrics({ a: { b: { c: 1 } } }, 1), [
    { key: 'a', value: '{"b":{"c":1}}' },
  ]);
});

test('base names of both path styles', () => {
  assert.equal(baseName('/a/b/c.png'), 'c.png');
  assert.equal(baseName('C:\\x\\y.jpg'), 'y.jpg');
});
