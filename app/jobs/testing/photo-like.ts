/**
 * A photo-like picture at a size no model works at: smooth gradients with a disc and a bar on
 * top, so resampling and compositing errors show, as PNG and JPEG.
 */
import sharp from 'sharp';

export async function photoLike(
  width = 451,
  height = 300,
): Promise<{ png: Buffer; jpeg: Buffer; width: number; height: number }> {
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inDisc = (x - width * 0.3) ** 2 + (y - height * 0.4) ** 2 < (height * 0.2) ** 2;
      const inBar = y > height * 0.7 && y < height * 0.8;
      rgb[i] = inDisc ? 240 : Math.round((x / width) * 200);
      rgb[i + 1] = inBar ? 30 : Math.round((y / height) * 220);
      rgb[i + 2] = inDisc ? 40 : 90 + ((x + y) % 37);
    }
  const image = () => sharp(rgb, { raw: { width, height, channels: 3 } });
  return {
    png: await image().png().toBuffer(),
    jpeg: await image().jpeg({ quality: 90 }).toBuffer(),
    width,
    height,
  };
}

/** A white rectangle on black, `width`×`height`: the region to regenerate. */
export async function rectMask(
  width: number,
  height: number,
  rect: { x: number; y: number; width: number; height: number },
): Promise<Buffer> {
  const grey = Buffer.alloc(width * height);
  for (let y = rect.y; y < rect.y + rect.height; y++)
    grey.fill(255, y * width + rect.x, y * width + rect.x + rect.width);
  return sharp(grey, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

/** The picture's pixels as the library decodes them (EXIF-rotated, RGB). */
export async function rgbOf(bytes: Buffer | string): Promise<Buffer> {
  return sharp(bytes).rotate().removeAlpha().raw().toBuffer();
}
