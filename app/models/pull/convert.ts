/**
 * `tessera models convert janus-pro SRC`: runs native-models' converter
 * (python -m tessera_models.janus.export) on a transformers checkpoint folder with the Python of
 * native-models/.venv, then installs what it wrote with the same verified import as a local
 * folder. The checkpoint is read first so that a folder of another kind is refused in words
 * before Python starts (which takes seconds, and minutes for a 7B checkpoint).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TesseraError } from '../../common/errors.ts';
import { importModelFolder, type ImportedModel } from '../import-model.ts';

export type ConvertRefusal =
  'unknown-family' | 'not-supported-yet' | 'not-a-checkpoint' | 'python-missing' | 'convert-failed';

export class ConvertError extends TesseraError<ConvertRefusal> {
  override readonly name = 'ConvertError';
}

/** native-models beside the sources (or the bundle built from them), or TESSERA_NATIVE_MODELS. */
export function nativeModelsDir(): string | null {
  const env = process.env.TESSERA_NATIVE_MODELS;
  if (env !== undefined && env !== '') return env;
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    if (existsSync(join(d, 'native-models', 'tessera_models'))) return join(d, 'native-models');
    if (dirname(d) === d) return null;
  }
}

export function venvPython(native: string): string {
  return process.platform === 'win32'
    ? join(native, '.venv', 'Scripts', 'python.exe')
    : join(native, '.venv', 'bin', 'python');
}

const CONVERTERS: Record<string, { module: string; modelType: string; architecture: string }> = {
  'janus-pro': {
    module: 'tessera_models.janus.export',
    modelType: 'janus',
    architecture: 'JanusForConditionalGeneration',
  },
};

/** Reads SRC/config.json and refuses anything that is not this family's transformers checkpoint. */
async function checkCheckpoint(family: string, src: string): Promise<void> {
  const want = CONVERTERS[family]!;
  const info = await stat(src).catch(() => null);
  if (info === null || !info.isDirectory())
    throw new ConvertError(
      'not-a-checkpoint',
      `${src} is not a folder: give the checkpoint's folder (the one holding config.json and the weights)`,
    );
  if (existsSync(join(src, 'manifest.json')))
    throw new ConvertError(
      'not-a-checkpoint',
      `${src} is already a Tessera model folder: install it with \`tessera models import ${src}\``,
    );
  let config: { model_type?: unknown; architectures?: unknown };
  try {
    config = JSON.parse(await readFile(join(src, 'config.json'), 'utf8')) as typeof config;
  } catch {
    throw new ConvertError(
      'not-a-checkpoint',
      `${src} has no readable config.json: give a transformers ${want.architecture} checkpoint folder`,
    );
  }
  if (config.model_type === 'multi_modality')
    throw new ConvertError(
      'not-a-checkpoint',
      `${src} is in DeepSeek's original format (MultiModalityCausalLM); the converter reads the transformers format (${want.architecture}): use the transformers edition of the checkpoint`,
    );
  if (config.model_type !== want.modelType)
    throw new ConvertError(
      'not-a-checkpoint',
      `${src} is not a ${family} checkpoint (its config.json says model_type ${JSON.stringify(config.model_type ?? null)}, not "${want.modelType}"): give a transformers ${want.architecture} checkpoint folder`,
    );
}

function runConverter(python: string, native: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { cwd: native, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', (err) =>
      fail(new ConvertError('python-missing', `cannot start ${python}: ${err.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) return done();
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      fail(
        new ConvertError(
          'convert-failed',
          `the converter stopped (exit ${code}): ${last}; nothing was installed`,
        ),
      );
    });
  });
}

export interface ConvertOptions {
  family: string;
  src: string;
  /** Where the converted folder is written and kept; a temporary folder when absent. */
  out?: string;
  /** The language model's weights: fp32 (default) or what the converter offers. */
  dtype?: string;
  /** native-models' folder (found beside the sources by default). */
  native?: string | null;
}

export async function convertCheckpoint(
  home: string,
  opts: ConvertOptions,
): Promise<ImportedModel & { out: string | null }> {
  if (opts.family === 'chameleon')
    throw new ConvertError(
      'not-supported-yet',
      'converting Chameleon checkpoints is not supported yet: only janus-pro checkpoints can be converted',
    );
  if (CONVERTERS[opts.family] === undefined)
    throw new ConvertError(
      'unknown-family',
      `cannot convert "${opts.family}" checkpoints: the converter handles janus-pro (tessera models convert janus-pro SRC)`,
    );
  const src = resolve(opts.src);
  await checkCheckpoint(opts.family, src);
  const native = opts.native === undefined ? nativeModelsDir() : opts.native;
  const python = native === null ? null : venvPython(native);
  if (native === null || python === null || !existsSync(python))
    throw new ConvertError(
      'python-missing',
      `converting needs native-models' Python environment${native === null ? '' : ` (${python} is missing)`}: run \`npm run setup:python\` in Tessera's source folder first`,
    );
  const out =
    opts.out === undefined
      ? join(home, 'downloads', `.convert-${randomBytes(6).toString('hex')}`)
      : resolve(opts.out);
  await mkdir(dirname(out), { recursive: true });
  const args = ['-m', CONVERTERS[opts.family]!.module, '--src', src, '--out', out];
  if (opts.dtype !== undefined) args.push('--dtype', opts.dtype);
  try {
    await runConverter(python, native, args);
    return { ...(await importModelFolder(home, out)), out: opts.out === undefined ? null : out };
  } finally {
    if (opts.out === undefined) await rm(out, { recursive: true, force: true });
  }
}
