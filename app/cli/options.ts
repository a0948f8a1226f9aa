/** Parsing and range checks for the options every image command shares. */
import {
  DECODING_WINDOW,
  PROVIDERS,
  type Decoding,
  type Sampling,
} from '../common/inference-contract.ts';
import { diffusionProblem, resolveDiffusion } from '../common/diffusion-settings.ts';
import type { ModelManifest } from '../common/model-manifest.ts';
import { parallelDecoding, parallelDecodingRefusal } from '../common/parallel-decoding.ts';
import { CliError } from './errors.ts';

export type Values = Record<string, string | boolean | undefined>;

export function numberOption(
  values: Values,
  name: string,
  fallback: number,
  [min, max]: readonly [number, number],
  integer = false,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new CliError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'}, got "${String(raw)}"`,
      2,
    );
  }
  if (value < min || value > max)
    throw new CliError(`--${name} must be between ${min} and ${max}, got ${value}`, 2);
  return value;
}

export function samplingFromOptions(values: Values, manifest: ModelManifest): Sampling {
  const d = manifest.sampling.defaults;
  const b = manifest.sampling.bounds;
  return {
    cfgScale: numberOption(values, 'cfg', d.cfgScale, b.cfgScale),
    temperature: numberOption(values, 'temperature', d.temperature, b.temperature),
    topK: numberOption(values, 'top-k', d.topK, b.topK, true),
    topP: numberOption(values, 'top-p', d.topP, b.topP),
    cdk: values.cdk === true ? d.cdk : null,
  };
}

/**
 * --steps N and --sampler NAME (an infill also --resample N): a diffusion model's denoising
 * settings, its manifest's defaults where not given, checked against its bounds and samplers.
 * A model that writes its image token by token refuses them.
 */
export function diffusionFromOptions(
  values: Values,
  manifest: ModelManifest,
  sampling: Sampling,
  task: 'generate' | 'infill',
): Sampling {
  if (task === 'generate' && values.resample !== undefined)
    throw new CliError('--resample applies to infill: it retakes each step around the hole', 2);
  const whole = (name: string): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value))
      throw new CliError(`--${name} must be a whole number, got "${String(raw)}"`, 2);
    return value;
  };
  const asked = {
    steps: whole('steps'),
    sampler: typeof values.sampler === 'string' ? values.sampler : undefined,
    resample: whole('resample'),
  };
  const given = Object.values(asked).some((v) => v !== undefined);
  const problem = diffusionProblem(manifest, asked);
  if (given && problem !== null) throw new CliError(problem, 2);
  const diffusion = resolveDiffusion(manifest, given ? asked : undefined);
  return diffusion === undefined ? sampling : { ...sampling, diffusion };
}

/**
 * --decoding plain|parallel and --window N. A model that cannot decode in parallel is told
 * apart by `warn` and decodes one token per run, as its recipe then records.
 */
export function decodingOption(
  values: Values,
  manifest: ModelManifest,
  warn: (message: string) => void,
): Decoding | undefined {
  const mode = values.decoding ?? 'plain';
  if (mode !== 'plain' && mode !== 'parallel')
    throw new CliError(`--decoding must be plain or parallel, got "${String(mode)}"`, 2);
  if (mode === 'plain') {
    if (values.window !== undefined)
      throw new CliError('--window sets the parallel decoding window: add --decoding parallel', 2);
    return undefined;
  }
  const fallback = parallelDecoding(manifest.family).window;
  const window = numberOption(values, 'window', fallback, DECODING_WINDOW, true);
  const refusal = parallelDecodingRefusal(manifest);
  if (refusal !== null) {
    warn(`${refusal}; decoding one token per run instead`);
    return undefined;
  }
  return parallelDecoding(manifest.family, window);
}

export function providerOption(values: Values): (typeof PROVIDERS)[number] {
  const raw = values.provider ?? 'cpu';
  if (!(PROVIDERS as readonly string[]).includes(String(raw))) {
    throw new CliError(
      `--provider must be one of ${PROVIDERS.join(', ')}, got "${String(raw)}"`,
      2,
    );
  }
  return raw as (typeof PROVIDERS)[number];
}

export function styleOption(values: Values, manifest: ModelManifest): string | null {
  const raw = values.style;
  if (raw === undefined || raw === '') return null;
  const styles = Object.keys(manifest.tokenizer.styles);
  if (!styles.includes(String(raw)))
    throw new CliError(`--style must be one of ${styles.join(', ')}, got "${String(raw)}"`, 2);
  return String(raw);
}

export function promptOption(values: Values, name = 'prompt'): string {
  const raw = values[name];
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new CliError(`--${name} is required: describe the image`, 2);
  if (raw.length > 2000)
    throw new CliError(`--${name} is ${raw.length} characters; the limit is 2,000`, 2);
  return raw;
}

export function outOption(values: Values): string {
  const raw = values.out;
  if (typeof raw !== 'string' || raw === '') throw new CliError('--out FILE.png is required', 2);
  if (!raw.toLowerCase().endsWith('.png'))
    throw new CliError(`--out must name a .png file, got "${raw}"`, 2);
  return raw;
}
