/**
 * The exported jpeg-lm model the tests run against: the shipped export, or the folder named by
 * TESSERA_JPEG_LM_DIR (any export with golden.json and golden-bpe.json, e.g. a smoke export).
 * The shipped export is committed, so a test that needs it and cannot find it fails, saying
 * what is missing and how to get it back.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORTS_DIR, findShippedModelDir } from '../../../../models/testing/shipped-models.ts';

export const SHIPPED_MODEL_DIR = findShippedModelDir('jpeg-lm') ?? join(EXPORTS_DIR, 'jpeg-lm');

export const TEST_MODEL_DIR = process.env.TESSERA_JPEG_LM_DIR ?? SHIPPED_MODEL_DIR;

/** TEST_MODEL_DIR, once it is known to hold an export with its goldens; else throws why. */
export function requireTestModel(): string {
  if (!existsSync(join(TEST_MODEL_DIR, 'golden.json')))
    throw new Error(
      `no jpeg-lm export with golden.json at ${TEST_MODEL_DIR}: the shipped export is committed ` +
        'under native-models/exports (restore it from git), or export one with ' +
        '`python -m tessera_models.jpeg_lm.export` and set TESSERA_JPEG_LM_DIR to its folder',
    );
  return TEST_MODEL_DIR;
}
