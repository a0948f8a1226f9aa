/**
 * The jetformer export the tests run against: the smoke preset, trained and exported by
 * native-models' own code (build-smoke.py) into native-models/.cache on first use — its graphs
 * are about 2.4 MB, too big to commit — and rebuilt whenever the Python family's sources change
 * (a stamp of their hashes sits beside it). Its pictures are noise; its goldens are what the
 * TypeScript loop must reproduce. TESSERA_JETFORMER_DIR names another export with golden.json
 * (the shipped model, say) to hold the loop to instead.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, pythonBuiltModel } from '../../shared/testing/python-built-model.ts';

export function smokeModelDir(): string {
  const override = process.env.TESSERA_JETFORMER_DIR;
  if (override !== undefined) return override;
  return pythonBuiltModel({
    name: 'jetformer-smoke',
    usedBy: 'the jetformer tests',
    script: join(import.meta.dirname, 'build-smoke.py'),
    packages: ['jetformer', 'common'],
    marker: 'golden.json',
  });
}

/** A copy of the smoke export in a fresh temporary folder, for tests that change it. */
export function copyOfSmokeModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-jetformer-'));
  cpSync(smokeModelDir(), dir, { recursive: true });
  return dir;
}

/** Damages one graph's weights in a copied export, keeping its interface (damage-graph.py). */
export function damageGraph(dir: string, role: string, mode: 'shift' | 'nan'): void {
  execFileSync(PYTHON, [join(import.meta.dirname, 'damage-graph.py'), dir, role, mode], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
