/**
 * The Compare sheet: one cell per model, the image scaled up with nearest-neighbour (so a
 * model's pixels stay pixels) above its label: model id, family, seconds per image, and the
 * model's own score of the prompt where it can score.
 */
import sharp, { type OverlayOptions } from 'sharp';

export interface SheetCell {
  png: Buffer;
  modelId: string;
  family: string;
  seconds: number;
  /** log p(prompt | image) per token, by the model itself; null where it cannot score */
  score: number | null;
}

const CELL = 192;
const LABEL = 76;
const GAP = 8;

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function label(cell: SheetCell): Buffer {
  const lines = [
    cell.modelId.replace(/^tessera\//, ''),
    cell.family,
    `${cell.seconds.toFixed(2)} s / image`,
    cell.score === null ? 'no self-score' : `self-score ${cell.score.toFixed(3)} / token`,
  ];
  const text = lines
    .map(
      (l, i) =>
        `<text x="4" y="${16 + i * 17}" font-family="sans-serif" font-size="${i === 0 ? 12 : 11}"${i === 0 ? ' font-weight="bold"' : ''}>${escape(l)}</text>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CELL}" height="${LABEL}"><rect width="100%" height="100%" fill="#ffffff"/><g fill="#1a1a1a">${text}</g></svg>`,
  );
}

/** The sheet as PNG bytes: cells left to right in the order given. */
export async function compareSheet(prompt: string, cells: SheetCell[]): Promise<Buffer> {
  const header = 28;
  const width = GAP + cells.length * (CELL + GAP);
  const height = header + CELL + LABEL + GAP;
  const title = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${header}"><text x="${GAP}" y="19" font-family="sans-serif" font-size="14" fill="#1a1a1a">${escape(prompt.slice(0, 120))}</text></svg>`,
  );
  const layers: OverlayOptions[] = [{ input: title, left: 0, top: 0 }];
  for (const [i, cell] of cells.entries()) {
    const left = GAP + i * (CELL + GAP);
    const image = await sharp(cell.png)
      .resize(CELL, CELL, { kernel: 'nearest', fit: 'contain', background: '#ffffff' })
      .png()
      .toBuffer();
    layers.push(
      { input: image, left, top: header },
      { input: label(cell), left, top: header + CELL },
    );
  }
  return sharp({ create: { width, height, channels: 3, background: '#f2f2f2' } })
    .composite(layers)
    .png()
    .toBuffer();
}
