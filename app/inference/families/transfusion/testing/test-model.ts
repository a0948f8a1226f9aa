/**
 * The transfusion exports the tests run against. `smoke/` is a real export of the smoke preset
 * (native-models: `python -m tessera_models.transfusion.train --config smoke`, then `.export`),
 * committed with its goldens because it is small; its pictures are noise, its numbers are what
 * the TypeScript loop must reproduce. testing/rebuild-fixture.sh writes it again (and the flow
 * goldens beside it) after the Python side changes. TESSERA_TRANSFUSION_DIR names another export
 * with golden.json (the shipped model, say) to hold the loop to instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SMOKE_DIR = join(import.meta.dirname, 'smoke');

export const TEST_MODEL_DIR = process.env.TESSERA_TRANSFUSION_DIR ?? SMOKE_DIR;

/** Goldens of the smoke weights under the flow objective (Euler, Heun, midpoint), from Python. */
export const FLOW_GOLDEN = join(import.meta.dirname, 'flow-golden.json');

export function requireTestModel(): string {
  if (!existsSync(join(TEST_MODEL_DIR, 'golden.json')))
    throw new Error(
      `no transfusion export with golden.json at ${TEST_MODEL_DIR}: restore ` +
        'app/inference/families/transfusion/testing/smoke from git, or run testing/rebuild-fixture.sh',
    );
  return TEST_MODEL_DIR;
}
