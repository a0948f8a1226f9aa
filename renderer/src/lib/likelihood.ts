/**
 * How the Library shows an image's exact likelihood: its bits per dimension under a model whose
 * likelihood is exact, with one line saying what the number means. Pure.
 */
import type { ItemDetailView, ModelView } from '../../../app/common/contract.ts';

export const LIKELIHOOD_EXPLANATION =
  'How surprising this image is to the model: lower = more typical.';

/** "3.42 bits/dim" (two decimals: differences between images show in the second). */
export function formatBitsPerDim(bits: number): string {
  return `${bits.toFixed(2)} bits/dim`;
}

/** The row the detail panel shows, or null for an item never measured. */
export function likelihoodRow(
  item: Pick<ItemDetailView, 'likelihood'>,
  models: readonly Pick<ModelView, 'id' | 'name'>[],
): { value: string; model: string; explanation: string } | null {
  const l = item.likelihood;
  if (l === null) return null;
  const model = models.find((m) => m.id === l.modelId)?.name ?? l.modelId;
  return { value: formatBitsPerDim(l.bitsPerDim), model, explanation: LIKELIHOOD_EXPLANATION };
}

/** Installed models that can measure an image's exact likelihood. */
export function likelihoodModels<M extends Pick<ModelView, 'usable' | 'capabilities'>>(
  models: readonly M[],
): M[] {
  return models.filter((m) => m.usable && m.capabilities.likelihood === 'exact');
}
