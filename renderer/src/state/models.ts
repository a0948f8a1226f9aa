/**
 * Installed models (`models:list`), loaded once and on demand, and the execution providers
 * the inference process's onnxruntime lists (`models:providers`, read when first needed).
 */
import type { ModelView } from '../../../app/common/contract.ts';
import type { Provider, ProviderInfo } from '../../../app/common/inference-contract.ts';
import { invoke } from '../bridge/index.ts';
import { reportError } from './app.ts';
import { createStore } from './store.ts';

export interface ModelsState {
  models: ModelView[];
  loaded: boolean;
  loading: boolean;
  /** null until read */
  providers: ProviderInfo[] | null;
}

export const modelsStore = createStore<ModelsState>({
  models: [],
  loaded: false,
  loading: false,
  providers: null,
});

export async function loadModels(): Promise<void> {
  modelsStore.set((s) => ({ ...s, loading: true }));
  try {
    const models = await invoke('models:list', {});
    modelsStore.set((s) => ({ ...s, models, loaded: true, loading: false }));
  } catch (err) {
    modelsStore.set((s) => ({ ...s, loading: false, loaded: true }));
    reportError('Could not list the installed models', err);
  }
}

let providersAsked = false;

export async function loadProviders(): Promise<void> {
  if (providersAsked) return;
  providersAsked = true;
  try {
    const { providers } = await invoke('models:providers', {});
    modelsStore.set((s) => ({ ...s, providers }));
  } catch (err) {
    providersAsked = false;
    reportError('Could not list the execution providers', err);
  }
}

/** Stores the provider for a model's new jobs; returns the app's notice about it, if any. */
export async function chooseProvider(modelId: string, provider: Provider): Promise<string | null> {
  const { notice } = await invoke('models:setProvider', { modelId, provider });
  modelsStore.set((s) => ({
    ...s,
    models: s.models.map((m) => (m.id === modelId ? { ...m, provider } : m)),
  }));
  return notice;
}

export function findModel(models: ModelView[], id: string): ModelView | undefined {
  return models.find((m) => m.id === id);
}

/** Whether a model has a retrieval memory (CM3Leon-style): Generate then offers Model memory. */
export function hasMemory(m: ModelView): boolean {
  return m.capabilities.retrieval === true;
}

/** Whether a model can do a task, from its manifest capabilities. */
export function canDo(m: ModelView, task: 'generate' | 'infill' | 'caption'): boolean {
  const c = m.capabilities[task];
  if (task === 'infill') return typeof c === 'string' && c !== 'none';
  return c === true;
}
