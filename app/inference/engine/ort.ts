/**
 * The only module that imports onnxruntime-node. Sessions, tensors and execution-provider
 * fallback live here so the rest of the engine speaks plain typed arrays.
 */
import * as ort from 'onnxruntime-node';

export type Provider = 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';

export interface SessionOptions {
  provider: Provider;
  threads: number;
}

export interface LoadedSession {
  session: ort.InferenceSession;
  /** The provider that actually loaded; differs from the request after a fallback. */
  provider: Provider;
  notice: string | null;
}

export type Feed = Record<string, ort.Tensor>;
export type Outputs = Record<string, ort.Tensor>;
export type { InferenceSession, Tensor } from 'onnxruntime-node';

const ORT_NAMES: Record<Provider, string> = {
  cpu: 'cpu',
  webgpu: 'webgpu',
  cuda: 'cuda',
  dml: 'dml',
  coreml: 'coreml',
};

/**
 * The execution providers this onnxruntime-node build lists, among those Tessera can ask for.
 * `bundled: false` means the build knows the provider but loads its libraries (CUDA, say) from
 * the system at session start, where they may be missing: the session then falls back to CPU.
 */
export function supportedProviders(): { name: Provider; bundled: boolean }[] {
  const known = new Set<string>(Object.keys(ORT_NAMES));
  return ort
    .listSupportedBackends()
    .filter((b) => known.has(b.name))
    .map((b) => ({ name: b.name as Provider, bundled: b.bundled }));
}

export async function loadSession(path: string, options: SessionOptions): Promise<LoadedSession> {
  const create = (provider: Provider) =>
    ort.InferenceSession.create(path, {
      executionProviders: [ORT_NAMES[provider]],
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  if (options.provider === 'cpu')
    return { session: await create('cpu'), provider: 'cpu', notice: null };
  try {
    return { session: await create(options.provider), provider: options.provider, notice: null };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return {
      session: await create('cpu'),
      provider: 'cpu',
      notice: `The ${options.provider} provider could not start (${reason}); running on the CPU instead.`,
    };
  }
}

export function int64Tensor(values: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(Array.from(values), (v) => BigInt(v)),
    dims,
  );
}

/** A bool tensor (onnxruntime keeps bools as one byte each); nonzero = true. */
export function boolTensor(
  values: ArrayLike<number | boolean>,
  dims: readonly number[],
): ort.Tensor {
  return new ort.Tensor(
    'bool',
    Uint8Array.from(Array.from(values), (v) => (v ? 1 : 0)),
    dims,
  );
}

export function float32Tensor(values: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', values, dims);
}

export async function run(session: ort.InferenceSession, feed: Feed): Promise<Outputs> {
  return (await session.run(feed)) as Outputs;
}

export function floatData(t: ort.Tensor): Float32Array {
  return t.data as Float32Array;
}

export function int64Data(t: ort.Tensor): number[] {
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}
