/**
 * The caption slot of a `vq-ar` layout (the twin of Vocab.slotted in native-models): a prompt
 * caption, or its unconditional row, left-padded with the pad token to the manifest's
 * `tokenizer.captionSlot`, so that every later part of the layout starts at a fixed position.
 * Models without a slot keep the caption's own length.
 */
export function slotCaption(
  ids: readonly number[],
  slot: number | undefined,
  pad: number,
): number[] {
  if (slot === undefined) return [...ids];
  if (ids.length > slot) {
    throw new RangeError(`${ids.length} caption tokens do not fit this model's slot of ${slot}`);
  }
  return [...Array<number>(slot - ids.length).fill(pad), ...ids];
}
