/** What every family's jobs do at their edges: images in and out as base64, and a yield. */
import type { ModelManifest } from '../../../common/model-manifest.ts';

/** One turn of the event loop, so cancel and pause messages are read between steps. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export const b64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** A request's base64 RGB image, refused unless it has the model's size. */
export function decodeRgb(
  model: { manifest: ModelManifest },
  base64: string,
  what: string,
): Uint8Array {
  const { width, height } = model.manifest.image;
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (bytes.length !== width * height * 3)
    throw new RangeError(
      `${what} must be ${width}×${height} RGB (${width * height * 3} bytes), got ${bytes.length}`,
    );
  return bytes;
}
