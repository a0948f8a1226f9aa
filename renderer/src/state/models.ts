/** Installed models (`models:list`), loaded once and on demand. */
import type { ModelView } from '../../../app/common/contract.ts';
import { invoke } from '../bridge/index.ts';
import { reportError } from './app.ts';
import { createStore } from './store.ts';

export interface ModelsState {
  models: ModelView[];
  loaded: boolean;
  loading: boolean;
}

export const modelsStore = createStore<ModelsState>({ models: [], loaded: false, loading: false });

export async function loadModels(): Promise<void> {
  modelsStore.set((s) => ({ ...s, loading: true }));
  try {
    const models = await invoke('models:list', {});
    modelsStore.set({ models, loaded: true, loading: false });
  } catch (err) {
    modelsStore.set((s) => ({ ...s, loading: false, loaded: true }));
    reportError('Could not list the installed models', err);
  }
}

export function findModel(models: ModelView[], id: string): ModelView | undefined {
  return models.find((m) => m.id === id);
}

/** Whether a model can do a task, from its manifest capabilities. */
export function canDo(m: ModelView, task: 'generate' | 'infill' | 'caption'): boolean {
  const c = m.capabilities[task];
  if (task === 'infill') return typeof c === 'string' && c !== 'none';
  return c === true;
}
