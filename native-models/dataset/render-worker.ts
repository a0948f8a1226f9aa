/**
 * Child process that renders SVGs to RGB on white. It runs apart from the builder because
 * resvg-js panics in Rust on a few icons and aborts its whole process, which no try/catch can
 * intercept; the builder notices the death and skips the icon that was being rendered.
 */
import { Resvg } from '@resvg/resvg-js';

export interface RenderRequest {
  index: number;
  svg: string;
}
export interface RenderReply {
  index: number;
  /** size×size×3 RGB bytes, or an error message when the SVG could not be rendered. */
  rgb?: Uint8Array;
  error?: string;
}

export function renderRgbOnWhite(svg: string): { rgb: Uint8Array; width: number; height: number } {
  const image = new Resvg(svg, { background: 'white', fitTo: { mode: 'original' } }).render();
  const { width, height } = image;
  const rgba = image.pixels;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    // The white background makes every pixel opaque; alpha is dropped.
    rgb[p * 3] = rgba[p * 4]!;
    rgb[p * 3 + 1] = rgba[p * 4 + 1]!;
    rgb[p * 3 + 2] = rgba[p * 4 + 2]!;
  }
  return { rgb, width, height };
}

if (process.send !== undefined) {
  process.on('message', (batch: RenderRequest[]) => {
    for (const request of batch) {
      let reply: RenderReply;
      try {
        reply = { index: request.index, rgb: renderRgbOnWhite(request.svg).rgb };
      } catch (err) {
        reply = { index: request.index, error: String(err) };
      }
      process.send!(reply);
    }
    process.send!('batch-done');
  });
}
