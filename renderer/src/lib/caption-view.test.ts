import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobView } from '../../../app/common/contract.ts';
import {
  captionJobsOf,
  controlsFor,
  emptyFilesMessage,
  filterFiles,
  folderOf,
} from './caption-view.ts';

test('captioning jobs only, newest first', () => {
  const jobs = [
    { id: 'a', kind: 'caption-folder' as const, createdAt: 1 },
    { id: 'b', kind: 'generate' as const, createdAt: 3 },
    { id: 'c', kind: 'caption-folder' as const, createdAt: 2 },
  ];
  assert.deepEqual(
    captionJobsOf(jobs).map((j) => j.id),
    ['c', 'a'],
  );
});

test('each status offers its own controls', () => {
  const cases: [JobView['status'], string[]][] = [
    ['queued', ['pause', 'cancel']],
    ['running', ['pause', 'cancel']],
    ['paused', ['resume', 'cancel']],
    ['failed', ['retry']],
    ['cancelled', ['retry']],
    ['interrupted', ['retry']],
    ['completed', []],
  ];
  for (const [status, controls] of cases) assert.deepEqual(controlsFor(status), controls, status);
});

test('a filter keeps the rows of its status; all keeps the same array', () => {
  const files = [{ status: 'captioned' as const }, { status: 'failed' as const }];
  assert.equal(filterFiles(files, 'all'), files);
  assert.deepEqual(filterFiles(files, 'failed'), [{ status: 'failed' }]);
  assert.deepEqual(filterFiles(files, 'skipped'), []);
});

test('the empty list says whether it is still reading, finished or waiting', () => {
  assert.equal(emptyFilesMessage('loading', 'completed'), 'Reading the results…');
  assert.equal(emptyFilesMessage('none', 'running'), 'Reading the results…');
  assert.match(emptyFilesMessage('loaded', 'completed'), /No files were reported/);
  assert.match(emptyFilesMessage('loaded', 'failed'), /No files were reported/);
  assert.match(emptyFilesMessage('loaded', 'running'), /appear here/);
});

test('a path folder with either separator; a bare name has none', () => {
  assert.equal(folderOf('/photos/2024/a.jpg'), '/photos/2024');
  assert.equal(folderOf('C:\\photos\\a.jpg'), 'C:\\photos');
  assert.equal(folderOf('a.jpg'), '');
  assert.equal(folderOf('/a.jpg'), '');
});
