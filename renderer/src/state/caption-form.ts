/** The Caption screen's form, kept across screen switches (the folder, options, job shown). */
import { createStore } from './store.ts';

export interface CaptionForm {
  folder: string;
  recursive: boolean;
  /** caption inside hidden folders too (otherwise each is listed as skipped) */
  includeHidden: boolean;
  writeXmp: boolean;
  retryFailed: boolean;
  modelId: string;
  /** the captioning job shown; null for the newest */
  jobId: string | null;
}

export const captionFormStore = createStore<CaptionForm>({
  folder: '',
  recursive: true,
  includeHidden: false,
  writeXmp: false,
  retryFailed: false,
  modelId: '',
  jobId: null,
});

export function setCaptionForm(patch: Partial<CaptionForm>): void {
  captionFormStore.set((s) => ({ ...s, ...patch }));
}
