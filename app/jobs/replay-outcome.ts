/**
 * What makes a generate or infill job a replay: it runs only on the decoder that made the
 * original, links its result to the original with op `replay`, and checks that it reproduced
 * the original exactly: its PNG without the replay note must hash to the original's sha256.
 */
import { identityGraph } from '../common/model-manifest.ts';
import type { ReplaySource } from '../common/queue-contract.ts';
import type { NewGeneration } from '../gallery/index.ts';
import type { ExecutionContext, ExecutionOutcome } from './execution.ts';
import { pngOf, sha256, type ImageOutcome } from './outcome-png.ts';

/** A failure when the resolved model is not the one that made the original. */
export function wrongModel(ctx: ExecutionContext, replay: ReplaySource): ExecutionOutcome | null {
  const actual = identityGraph(ctx.model.manifest)?.sha256 ?? '';
  if (actual === replay.modelSha256) return null;
  return {
    status: 'failed',
    code: 'model-changed',
    message: `item ${replay.assetId} was made by decoder ${replay.modelSha256.slice(0, 10)}, but ${ctx.model.manifest.id} now has decoder ${actual.slice(0, 10)}: install the model version that made it, then replay again`,
    retryable: false,
  };
}

/** The lineage link to the original (none if it was deleted for good meanwhile). */
export function replayParent(ctx: ExecutionContext, replay: ReplaySource): NewGeneration['parent'] {
  return ctx.gallery.getItem(replay.assetId) === null
    ? null
    : { assetId: replay.assetId, op: 'replay', maskSha256: null };
}

/** Whether the replay reproduced its original byte for byte, apart from the replay note. */
export function reproducesOriginal(outcome: ImageOutcome, replay: ReplaySource): boolean {
  return sha256(pngOf({ ...outcome, replayOf: null })) === replay.sha256;
}

export function replaySummary(replay: ReplaySource, identical: boolean): string {
  return identical
    ? `replay of item ${replay.assetId}: the same image, byte for byte (apart from the replay note in its recipe)`
    : `replay of item ${replay.assetId}: the result differs from the original (another onnxruntime build or machine can round differently)`;
}
