/**
 * A request's GMM sampling settings: cfgScale as every family reads it (the guided density is
 * p_c^cfgScale · p_u^(1 − cfgScale)), the request's temperature as the scale temperature, and
 * the mixture temperature from the manifest. Anything outside the manifest's bounds, and the
 * token-model settings a GMM has no use for, are refused with what to do.
 */
import type { Sampling } from '../../../common/inference-contract.ts';
import { TesseraError } from '../../../common/errors.ts';
import type { GmmSettings } from './guided.ts';
import type { JetFormerModel } from './model.ts';

export class GmmSettingsError extends TesseraError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

function within(value: number, [lo, hi]: readonly [number, number], what: string): number {
  if (!Number.isFinite(value) || value < lo || value > hi)
    throw new GmmSettingsError(`${what} must be from ${lo} to ${hi} for this model, not ${value}`);
  return value;
}

export function gmmSettingsOf(model: JetFormerModel, sampling: Sampling): GmmSettings {
  const m = model.manifest;
  const g = model.gmm;
  if (sampling.decoding !== undefined || sampling.diffusion !== undefined)
    throw new GmmSettingsError(
      'a jetformer model samples one soft token per step from its mixture head: leave the decoding and diffusion settings out',
    );
  if (sampling.topK !== 0 || sampling.topP !== 1)
    throw new GmmSettingsError(
      'top-k and top-p pick among token ids, which a jetformer model does not have: use top-k 0 and top-p 1 (its defaults), and the temperature to cool its samples',
    );
  return {
    cfgScale: within(sampling.cfgScale, m.sampling.bounds.cfgScale, 'the guidance scale'),
    temperatureScales: within(sampling.temperature, g.bounds.temperatureScales, 'the temperature'),
    temperatureProbs: within(
      g.defaults.temperatureProbs,
      g.bounds.temperatureProbs,
      'the mixture temperature',
    ),
  };
}
