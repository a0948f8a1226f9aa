/**
 * Which files a pull fetches for a manifest: every graph, the external-data file a graph keeps
 * its weights in, the tokenizer, and the licence and readme; a repository whose listing lacks a
 * named file, or lists another sha256 for it, is refused before anything is fetched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest } from '../../common/model-manifest.ts';
import { shippedVqArManifest } from '../testing/shipped-models.ts';
import type { HubFile } from './hub.ts';
import { filesToFetch } from './plan.ts';

const DATA_SHA = 'e'.repeat(64);

function manifestWithExternalData() {
  const raw = shippedVqArManifest() as { graphs: Record<string, Record<string, unknown>> };
  raw.graphs.decoder!.externalData = { file: 'decoder.onnx_data', sha256: DATA_SHA, bytes: 1234 };
  const parsed = parseManifest(JSON.stringify(raw), 'the test manifest');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value;
}

const listed = (m: ReturnType<typeof manifestWithExternalData>): HubFile[] => [
  ...Object.values(m.graphs).flatMap((g) => [
    { path: g.file, size: g.bytes, sha256: g.sha256, gitOid: null },
    ...(g.externalData === undefined
      ? []
      : [
          {
            path: g.externalData.file,
            size: g.externalData.bytes,
            sha256: g.externalData.sha256,
            gitOid: null,
          },
        ]),
  ]),
  { path: m.tokenizer.file, size: 10, sha256: null, gitOid: 'a'.repeat(40) },
  { path: 'README.md', size: 10, sha256: null, gitOid: 'b'.repeat(40) },
  { path: 'golden.json', size: 10, sha256: null, gitOid: 'c'.repeat(40) },
];

test('a graph that keeps its weights in external data brings its data file along', () => {
  const m = manifestWithExternalData();
  const paths = filesToFetch('a/b', listed(m), m).map((f) => f.path);
  assert.ok(paths.includes('decoder.onnx_data'), paths.join());
  assert.ok(paths.includes('README.md'));
  assert.ok(!paths.includes('golden.json'));
});

test('a named file missing from the repository, or with another sha256, is refused', () => {
  const m = manifestWithExternalData();
  const files = listed(m);
  assert.throws(
    () =>
      filesToFetch(
        'a/b',
        files.filter((f) => f.path !== 'decoder.onnx_data'),
        m,
      ),
    /names decoder\.onnx_data, which the repository does not have/,
  );
  const other = files.map((f) =>
    f.path === 'decoder.onnx_data' ? { ...f, sha256: 'f'.repeat(64) } : f,
  );
  assert.throws(() => filesToFetch('a/b', other, m), /does not match its decoder\.onnx_data/);
});
