/**
 * What an infill job gives the model and how its answer becomes the result. An image at the
 * model's resolution is worked on whole, as it always was (so earlier infills replay to the same
 * bytes); any other image is worked on in a square around the mask (infill-region.ts) and the
 * result is the full-resolution original with that region filled in.
 */
import type { InfillJob } from '../common/queue-contract.ts';
import { toModelRgb } from '../media/load-image.ts';
import type { ExecutionOutcome } from './execution.ts';
import {
  maskBounds,
  maskFromModel,
  modelMaskBounds,
  visiblePart,
  workingSquare,
  worksOnRegion,
  type Region,
  type Square,
} from '../common/infill-square.ts';
import {
  compositeIntoOriginal,
  decodeFull,
  maskToModel,
  modelToSquare,
  squareToModel,
} from './infill-region.ts';

export interface InfillPlan {
  modelRgb: Uint8Array;
  modelMask: Uint8Array;
  /** the mask the recipe names (and a replay is given back) */
  keptMask: Uint8Array;
  /** the square the model worked on, and the part of it inside the image; null: the whole image */
  square: Square | null;
  region: Region | null;
  /** The result's pixels (and its size when it is not the model's) from the model's answer. */
  finish(
    modelRgb: Uint8Array,
  ): Promise<{ rgb: Uint8Array; size?: { width: number; height: number } }>;
}

const failed = (code: string, message: string): ExecutionOutcome => ({
  status: 'failed',
  code,
  message,
  retryable: false,
});

export async function planInfill(
  source: { bytes: Buffer; name: string },
  req: Pick<InfillJob, 'mask' | 'maskWidth' | 'maskHeight' | 'featherPx'>,
  width: number,
  height: number,
): Promise<InfillPlan | ExecutionOutcome> {
  const mask = new Uint8Array(Buffer.from(req.mask, 'base64'));
  const full = await decodeFull(source.bytes, source.name);
  const ownSize = req.maskWidth !== undefined || req.maskHeight !== undefined;
  if (ownSize) {
    if (req.maskWidth !== full.width || req.maskHeight !== full.height)
      return failed(
        'bad-mask',
        `the mask is ${req.maskWidth ?? '?'}×${req.maskHeight ?? '?'} but ${source.name} is ${full.width}×${full.height}: paint the mask over this image again`,
      );
    if (mask.length !== full.width * full.height)
      return failed(
        'bad-mask',
        `the mask has ${mask.length} pixels, not ${full.width}×${full.height}: paint the mask again`,
      );
  } else if (mask.length !== width * height)
    return failed(
      'bad-mask',
      `the mask has ${mask.length} pixels but this model works at ${width}×${height}: paint the mask again for this model`,
    );
  if (!worksOnRegion(full, { width, height }))
    return {
      modelRgb: await toModelRgb(source.bytes, width, source.name),
      modelMask: mask,
      keptMask: mask,
      square: null,
      region: null,
      finish: async (rgb) => ({ rgb }),
    };
  const fullMask = ownSize ? mask : maskFromModel(mask, width, full.width, full.height);
  // A mask painted over the model's view is bounded as the studio's canvas bounds it.
  const box = ownSize
    ? maskBounds(fullMask, full.width, full.height)
    : modelMaskBounds(mask, width, full.width, full.height);
  if (box === null) return failed('bad-mask', 'the mask is empty: paint white where to regenerate');
  const square = workingSquare(box, full.width, full.height, width);
  // The feather is asked for in model pixels; over the original it spans as many of the model's.
  const featherPx = (req.featherPx * square.side) / width;
  return {
    modelRgb: await squareToModel(full, square, width),
    modelMask: maskToModel(fullMask, full.width, full.height, square, width),
    keptMask: fullMask,
    square,
    region: visiblePart(square, full.width, full.height),
    finish: async (rgb) => ({
      rgb: compositeIntoOriginal(
        full,
        await modelToSquare(rgb, width, square),
        square,
        fullMask,
        featherPx,
      ),
      size: { width: full.width, height: full.height },
    }),
  };
}
