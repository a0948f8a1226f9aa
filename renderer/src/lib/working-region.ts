/**
 * The working region as the mask canvas draws it: the part of the image an infill works on
 * (app/common/infill-square.ts, the same computation the job runs), placed over the image as
 * the stage shows it (fitted inside a square and centred). Pure.
 */
import { workingRegion, worksOnRegion, type Region } from '../../../app/common/infill-square.ts';

/** A box as fractions (0–1) of the square stage's side. */
export interface StageBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The region an infill of `image` would work on for the mask painted so far, or null when the
 * model takes the whole image (it is at the model's size) or nothing is painted.
 */
export function regionForMask(
  mask: Uint8Array,
  model: { width: number; height: number },
  image: { width: number; height: number },
): Region | null {
  if (!worksOnRegion(image, model)) return null;
  return workingRegion(mask, model.width, image.width, image.height)?.region ?? null;
}

/** Where a region of the image's pixels lies on the stage. */
export function stageBox(region: Region, image: { width: number; height: number }): StageBox {
  const side = Math.max(image.width, image.height);
  const offX = (side - image.width) / 2;
  const offY = (side - image.height) / 2;
  return {
    left: (offX + region.x) / side,
    top: (offY + region.y) / side,
    width: region.width / side,
    height: region.height / side,
  };
}
