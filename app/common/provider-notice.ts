/**
 * What to tell the user about a model's new jobs asking for an execution provider, given the
 * providers this onnxruntime build lists. Shared by the app (its answer to a choice) and the
 * studio UI (a choice stored earlier, shown again).
 */
import type { Provider, ProviderInfo } from './inference-contract.ts';

export const PROVIDER_LABELS: Record<Provider, string> = {
  cpu: 'CPU',
  webgpu: 'WebGPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
};

export function providerNotice(provider: Provider, available: ProviderInfo[]): string | null {
  if (provider === 'cpu') return null;
  const info = available.find((p) => p.name === provider);
  const label = PROVIDER_LABELS[provider];
  if (info === undefined)
    return `${label} is not in this build of onnxruntime (it offers ${available.map((p) => PROVIDER_LABELS[p.name]).join(', ')}): this model's jobs will run on the CPU`;
  if (!info.bundled)
    return `${label} loads its libraries from this computer when a job starts; where they are missing, the job runs on the CPU and says so`;
  return null;
}
