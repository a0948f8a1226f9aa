/**
 * The exported jpeg-lm model the tests run against: the shipped export, or the folder named by
 * TESSERA_JPEG_LM_DIR (any export with golden.json and golden-bpe.json, e.g. a smoke export).
 * Without either, the tests that need a model are skipped and say why.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORTS_DIR, findShippedModelDir } from '../../../../models/testing/shipped-models.ts';

export const SHIPPED_MODEL_DIR = findShippedModelDir('jpeg-lm') ?? join(EXPORTS_DIR, 'jpeg-lm');

export const TEST_MODEL_DIR = process.env.TESSERA_JPEG_LM_DIR ?? SHIPPED_MODEL_DIR;

/** false when the model is there, else the reason its tests are skipped. */
export const NO_TEST_MODEL: string | false = existsSync(join(TEST_MODEL_DIR, 'golden.json'))
  ? false
  : `no jpeg-lm export with golden.json at ${TEST_MODEL_DIR}: export one (python -m tessera_models.jpeg_lm.export) or set TESSERA_JPEG_LM_DIR`;
