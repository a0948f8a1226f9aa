import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prng } from '../../engine/rng.ts';
import { guidedGaussian, normals, NonFiniteError, sampleToken } from './guided.ts';

/** log of p_c(z)^(1+w) · p_u(z)^(−w), unnormalised: the density the reference samples by rejection. */
function logTarget(z: number, muC: number, sdC: number, muU: number, sdU: number, w: number) {
  const logN = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s);
  return (1 + w) * logN(z, muC, sdC) - w * logN(z, muU, sdU);
}

/**
 * Rejection sampling of the guided density with a wide Gaussian proposal around the
 * conditional mean; the bound M is the ratio's maximum over a fine grid (plus a margin).
 */
function rejectionSamples(
  prng: Prng,
  count: number,
  [muC, sdC, muU, sdU, w]: readonly number[],
): number[] {
  const m = muC!;
  const s = 4 * Math.max(sdC!, sdU!);
  const logG = (z: number) => -0.5 * ((z - m) / s) ** 2 - Math.log(s);
  let logM = -Infinity;
  for (let z = m - 30 * s; z <= m + 30 * s; z += s / 2000)
    logM = Math.max(logM, logTarget(z, muC!, sdC!, muU!, sdU!, w!) - logG(z));
  logM += 1e-6;
  const out: number[] = [];
  while (out.length < count) {
    const z = m + s * prng.normalPair()[0];
    if (Math.log(prng.uniform()) < logTarget(z, muC!, sdC!, muU!, sdU!, w!) - logG(z) - logM)
      out.push(z);
  }
  return out;
}

/** Two-sample Kolmogorov–Smirnov statistic. */
function ks(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

const N = 4000;
/** KS critical value at α = 0.001 for two samples of N. */
const CRITICAL = 1.95 * Math.sqrt(2 / N);
const CASES = [
  [0.3, 0.8, -0.5, 1.1, 2], // the unconditional row wider: guidance sharpens and shifts
  [-1.2, 0.5, 0.4, 0.6, 0.5],
  [2, 1.5, 2.5, 3, 4],
  [0, 1, 0, 1, 1], // equal rows: guidance changes nothing
] as const;

test('the closed-form guided Gaussian agrees in distribution with rejection sampling', () => {
  for (const [k, params] of CASES.entries()) {
    const [muC, sdC, muU, sdU, w] = params;
    const g = guidedGaussian(muC, sdC, muU, sdU, w);
    assert.equal(g.fallback, false);
    const closed = Array.from(normals(new Prng(11, k), N), (e) => g.mean + g.std * e);
    const rejected = rejectionSamples(new Prng(12, k), N, params);
    const d = ks(closed, rejected);
    assert.ok(d < CRITICAL, `case ${k}: KS ${d.toFixed(4)} ≥ ${CRITICAL.toFixed(4)}`);
    // The test can tell densities apart: the conditional alone is not the guided density.
    if (w !== 1 || muC !== muU) {
      const conditional = Array.from(normals(new Prng(13, k), N), (e) => muC + sdC * e);
      assert.ok(ks(conditional, rejected) > CRITICAL, `case ${k}: guidance made no difference`);
    }
  }
});

test('where the guided product cannot be normalised the conditional Gaussian is used', () => {
  // λ = (1+w)/σ_c² − w/σ_u² ≤ 0 when the unconditional row is much narrower.
  const g = guidedGaussian(0.5, 2, 0, 0.5, 3);
  assert.deepEqual(g, { mean: 0.5, std: 2, fallback: true });
});

test('a token draws its component from the conditional mixture and then its guided dims', () => {
  // K = 2, d = 2; rows [cond, uncond]. The conditional mixture puts all mass on component 1.
  const head = {
    logits: Float32Array.from([-50, 50, 50, -50]),
    means: Float32Array.from([9, 9, 1, -1, 9, 9, 0, 0]),
    scales: Float32Array.from([1, 1, 0.5, 0.5, 1, 1, 1, 1]),
  };
  const settings = { cfgScale: 3, temperatureProbs: 1, temperatureScales: 1 };
  const prng = new Prng(5, 1);
  const out = sampleToken(head, true, settings, prng);
  assert.equal(out.component, 1);
  assert.equal(prng.counter, 2, 'one uniform and one normal pair for d = 2');
  const again = new Prng(5, 1);
  again.uniform();
  const eps = normals(again, 2);
  const g0 = guidedGaussian(1, 0.5, 0, 1, 2);
  assert.ok(Math.abs(out.dims[0]! - Math.fround(g0.mean + g0.std * eps[0]!)) < 1e-6);
});

test('NaN from the head is refused with what to do', () => {
  const head = {
    logits: Float32Array.from([0, NaN]),
    means: Float32Array.from([0, 0]),
    scales: Float32Array.from([1, 1]),
  };
  const settings = { cfgScale: 1, temperatureProbs: 1, temperatureScales: 1 };
  assert.throws(() => sampleToken(head, false, settings, new Prng(1, 1)), NonFiniteError);
  head.logits[1] = 0;
  head.means.fill(Infinity);
  assert.throws(
    () => sampleToken(head, false, settings, new Prng(1, 1)),
    /non-finite.*re-export it/,
  );
});
