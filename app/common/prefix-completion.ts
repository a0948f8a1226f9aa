/**
 * Prefix completion ("continue from the top", the JPEG-LM paper's partial-image task) is an
 * infill whose mask covers every pixel row below the kept band. One definition serves the
 * CLI, the studio and the family runner, so "keep N rows" means the same pixels everywhere.
 * A row is the model's own row of MCUs (or code cells): `manifest.image.patch` pixels high.
 */
export interface PrefixLayout {
  width: number;
  height: number;
  /** Height of one model row in pixels (16 for an MCU at 4:2:0). */
  rowHeight: number;
}

export function prefixRows(layout: PrefixLayout): number {
  return Math.floor(layout.height / layout.rowHeight);
}

/** The mask (1 = regenerate, row-major H×W) that keeps the top `keepRows` model rows. */
export function prefixCompletionMask(layout: PrefixLayout, keepRows: number): Uint8Array {
  const rows = prefixRows(layout);
  if (!Number.isInteger(keepRows) || keepRows < 1 || keepRows >= rows)
    throw new RangeError(`keep 1 to ${rows - 1} rows from the top, not ${keepRows}`);
  const mask = new Uint8Array(layout.width * layout.height);
  mask.fill(1, keepRows * layout.rowHeight * layout.width);
  return mask;
}
