// Lint rules, including which folder may import what (docs/architecture.md §Layering).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noNodeOrNative = ['electron', 'onnxruntime-node', 'better-sqlite3', 'node:*'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'native-models/.venv/',
      'native-models/.cache/',
      'native-models/runs/',
      'native-models/exports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      // With noUncheckedIndexedAccess every typed-array read is `T | undefined`; hot pixel and
      // logits loops assert in-bounds reads with `!` instead of branching per element.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Test support lives in testing/ folders (fakes, helpers, fixture builders) and fixture
    // data in fixtures/; only tests, test support, e2e and benchmarks may import them. A separate
    // rule name, so this layer stacks with the per-folder no-restricted-imports rules below.
    files: [
      'app/**/*.{ts,tsx,mjs}',
      'renderer/**/*.{ts,tsx}',
      'native-models/dataset/**/*.ts',
      'scripts/**/*.{ts,mjs}',
      'bin/**/*.mjs',
      'electron.config.ts',
    ],
    ignores: ['**/*.test.{ts,tsx}', '**/testing/**', '**/fixtures/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(testing|fixtures)(/|$)',
              message: 'Production code never imports test support (testing/, fixtures/).',
            },
            {
              regex: '\\.test(\\.[cm]?[jt]sx?)?$',
              message: 'Production code never imports a test file.',
            },
          ],
        },
      ],
    },
  },
  {
    // One folder owns SQL (docs/architecture.md §Layering): the rest uses the gallery's API.
    files: ['app/**/*.ts'],
    ignores: ['app/gallery/**/*.ts', 'app/inference/engine/ort.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'onnxruntime-node',
              message: 'Only app/inference/engine/ort.ts imports onnxruntime-node.',
            },
            { name: 'better-sqlite3', message: 'Only app/gallery talks to SQLite.' },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks may time a bare onnxruntime session against Tessera's loop, but not SQL.
    files: ['bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'better-sqlite3', message: 'Only app/gallery talks to SQLite.' }] },
      ],
    },
  },
  {
    files: ['app/gallery/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'onnxruntime-node', message: 'The gallery never runs inference.' },
            { name: 'electron', message: 'The gallery runs under plain Node too.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: noNodeOrNative, message: 'The renderer has no Node or native access.' },
            { group: ['**/app/!(common)/**'], message: 'The renderer may import app/common only.' },
          ],
        },
      ],
    },
  },
  {
    // Screens are compositions of small components and per-screen hooks; their logic lives in
    // pure modules under renderer/src/lib (docs/studio.md). A function past 150 lines is split.
    files: ['renderer/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Renderer unit tests run under Node's test runner; the code they test stays browser-only.
    files: ['renderer/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/app/!(common)/**'],
              message: 'The renderer may import app/common only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/common/**/*.ts'],
    ignores: ['app/common/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: noNodeOrNative, message: 'app/common is shared with the renderer: zod only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['app/main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'onnxruntime-node', message: 'The main process never runs inference.' },
            { name: 'better-sqlite3', message: 'Only app/gallery talks to SQLite.' },
          ],
          patterns: [
            {
              // Its tests may also use inference's test support (app/inference/testing/).
              regex: '/inference/(?!((client|transport-electron)\\.ts|testing/[^/]+)$)',
              message:
                'app/main reaches inference only through client.ts and transport-electron.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '../common/contract.ts',
              allowTypeImports: true,
              message: 'The preload takes only types from the contract (its bundle stays tiny).',
            },
          ],
          patterns: [
            {
              group: ['node:*', 'onnxruntime-node', 'better-sqlite3', 'sharp', 'zod'],
              message: 'A sandboxed preload can require only electron.',
            },
            {
              group: ['../*', '!../common', '../common/*', '!../common/contract.ts'],
              message: 'The preload may import only the contract, and only its types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/inference/**/*.ts'],
    ignores: ['app/inference/engine/ort.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              allowTypeImports: true,
              message: 'app/inference never calls Electron: main passes utilityProcess.fork in.',
            },
            {
              name: 'onnxruntime-node',
              message: 'Only app/inference/engine/ort.ts imports onnxruntime-node.',
            },
            { name: 'better-sqlite3', message: 'Only app/gallery talks to SQLite.' },
          ],
        },
      ],
    },
  },
);
