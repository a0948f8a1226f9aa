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

/** int64 values as numbers, or already as a BigInt64Array (taken as it is, not copied). */
export function int64Tensor(
  values: ArrayLike<number> | BigInt64Array,
  dims: readonly number[],
): ort.Tensor {
  const data =
    values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
  return new ort.Tensor('int64', data, dims);
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

/**
 * Outputs a run asks for: their names (the others are not copied out), or tensors to write them
 * into (their buffers reused from run to run, null for one left to onnxruntime to allocate).
 */
export type Fetches = readonly string[] | Record<string, ort.Tensor | null>;

// Not async: the session's promise is handed on as it is, with no extra turn per run.
export function run(
  session: ort.InferenceSession,
  feed: Feed,
  fetches?: Fetches,
): Promise<Outputs> {
  return (
    fetches === undefined
      ? session.run(feed)
      : session.run(feed, fetches as ort.InferenceSession.FetchesType)
  ) as Promise<Outputs>;
}

export function floatData(t: ort.Tensor): Float32Array {
  return t.data as Float32Array;
}

export function int64Data(t: ort.Tensor): number[] {
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}
