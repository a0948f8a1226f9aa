/**
 * One error map for every surface: each error Tessera throws on purpose reaches the studio with
 * its own code and words (never `internal`), and the command line prints the same sentence
 * (never "unexpected error"), because both read describeError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { describeError } from '../common/errors.ts';
import { GalleryError } from '../gallery/index.ts';
import { CapabilityError, InfillMaskError, ModelLoadError } from '../inference/families/types.ts';
import { ScanRootError } from '../jobs/folder-scan.ts';
import { FileReadError } from '../jobs/read-regular-file.ts';
import { ReplayRefusedError } from '../jobs/replay-job.ts';
import { ImageReadError } from '../media/load-image.ts';
import { ModelImportError } from '../models/import-model.ts';
import { ModelUnavailableError } from '../models/installed.ts';
import { CliError } from '../cli/errors.ts';
import { dispatch } from './router.ts';

const thrown: [Error, string][] = [
  [new ModelLoadError('m is damaged: re-export it'), 'model-invalid'],
  [new InfillMaskError('the mask is empty: paint the region'), 'bad-mask'],
  [new CapabilityError('m cannot caption'), 'unsupported'],
  [new ScanRootError('/x does not exist: check the folder path'), 'bad-folder'],
  [new FileReadError('permission denied: allow reading it'), 'unreadable-file'],
  [new ModelImportError('model-damaged', 'a.onnx is damaged: copy it again'), 'model-damaged'],
  [
    new ReplayRefusedError('model-not-installed', 'import that model, then replay'),
    'model-not-installed',
  ],
  [new ImageReadError('x.png is not a readable image'), 'unreadable-image'],
  [new ModelUnavailableError('no installed model "x"'), 'model-unavailable'],
  [new GalleryError('invalid', 'a board name is required'), 'invalid'],
  [new CliError('--seed must be a whole number'), 'bad-request'],
];

test('every error thrown on purpose reaches the studio with its own code and message', async () => {
  for (const [err, code] of thrown) {
    const r = await dispatch({ 'boards:list': () => Promise.reject(err) }, 'boards:list', {});
    assert.deepEqual(
      r,
      { ok: false, error: { code, message: err.message, retryable: false } },
      err.constructor.name,
    );
  }
});

test('a bug is internal; a raw SQLite constraint message is never shown', async () => {
  const bug = await dispatch({ 'boards:list': () => ({}) as never }, 'boards:list', {});
  assert.equal(bug.ok === false && bug.error.code, 'internal');
  const sqlite = Object.assign(new Error('CHECK constraint failed: length(name) > 0'), {
    code: 'SQLITE_CONSTRAINT_CHECK',
  });
  const described = describeError(sqlite);
  assert.equal(described.code, 'invalid');
  assert.doesNotMatch(described.message, /CHECK|constraint failed/);
  assert.equal(describeError(new z.ZodError([])).code, 'bad-request');
});

test('a busy library and a full disk may be retried; a bad input may not', () => {
  assert.equal(describeError(new GalleryError('disk-full', 'the disk is full')).retryable, true);
  assert.equal(describeError(Object.assign(new Error('x'), { code: 'ENOSPC' })).code, 'disk-full');
  assert.equal(describeError(new ModelLoadError('x')).retryable, false);
});
