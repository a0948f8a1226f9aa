// The lint layer that keeps test support out of the product: production files may not import
// from a testing/ or fixtures/ folder or a *.test.ts file; tests, test support, e2e and
// benchmarks may. Linted as text under made-up paths, so no file in the tree changes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const RULE = '@typescript-eslint/no-restricted-imports';
const eslint = new ESLint({ cwd: join(import.meta.dirname, '..') });

/** The messages of the test-support rule for `source` linted as the file at `path`. */
async function testSupportErrors(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path });
  return result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

const violations: [path: string, source: string][] = [
  ['app/server/probe.ts', "export { tempGallery } from '../gallery/testing/helpers.ts';"],
  [
    'app/main/probe.ts',
    "export { fakeUtilityFork } from '../inference/testing/transport-electron-fake.ts';",
  ],
  ['app/gallery/migrations/probe.ts', "export { FIXTURE } from '../fixtures/make-fixtures.ts';"],
  ['renderer/src/probe.tsx', "export * from './lib/grid-math.test.ts';"],
  ['bin/probe.mjs', "export * from '../app/models/testing/shipped-models.ts';"],
  ['app/jobs/probe.ts', "import './testing';"],
];

for (const [path, source] of violations) {
  test(`production ${path} may not import test support: ${source}`, async () => {
    const errors = await testSupportErrors(path, source);
    assert.equal(errors.length, 1, `expected one ${RULE} error, got ${JSON.stringify(errors)}`);
    assert.match(errors[0]!, /Production code never imports (test support|a test file)/);
  });
}

const allowed: [path: string, source: string][] = [
  ['app/gallery/probe.test.ts', "export { tempGallery } from './testing/helpers.ts';"],
  [
    'app/main/testing/probe.ts',
    "export { fakeUtilityFork } from '../../inference/testing/transport-electron-fake.ts';",
  ],
  ['e2e/probe.ts', "export * from '../app/models/testing/shipped-models.ts';"],
  ['bench/probe.ts', "export { sampleRecipe } from '../app/common/testing/sample-recipe.ts';"],
  ['app/server/probe.ts', "export { openGallery } from '../gallery/gallery.ts';"],
];

for (const [path, source] of allowed) {
  test(`${path} may import: ${source}`, async () => {
    assert.deepEqual(await testSupportErrors(path, source), []);
  });
}

test('the folder layers still apply beside it (the rules stack, neither replaces the other)', async () => {
  const [result] = await eslint.lintText(
    "import '../inference/testing/transport-electron-fake.ts';\nimport '../inference/host.ts';",
    { filePath: 'app/main/probe.ts' },
  );
  assert.deepEqual(
    result!.messages.map((m) => [m.line, m.ruleId]),
    [
      [1, RULE],
      [2, 'no-restricted-imports'],
    ],
  );
});
