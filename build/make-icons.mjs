// Draws Tessera's icon (a 3×3 mosaic of tiles on a dark rounded square) and writes the PNG
// sizes electron-builder uses: build/icon.png (1024 px, from which it makes .icns and .ico)
// and build/icons/<n>x<n>.png for Linux. Run: node build/make-icons.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const COLORS = [
  '#f2b134',
  '#e4572e',
  '#4c9f70',
  '#3f88c5',
  '#f7f7f2',
  '#a05195',
  '#2ec4b6',
  '#ff9f1c',
  '#6a4c93',
];
const tiles = COLORS.map((color, i) => {
  const x = 196 + (i % 3) * 216;
  const y = 196 + Math.floor(i / 3) * 216;
  return `<rect x="${x}" y="${y}" width="200" height="200" rx="28" fill="${color}"/>`;
}).join('');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <rect x="64" y="64" width="896" height="896" rx="200" fill="#16171b"/>
  ${tiles}
</svg>`;

const master = await sharp(Buffer.from(svg)).png().toBuffer();
await sharp(master).toFile(join(here, 'icon.png'));
mkdirSync(join(here, 'icons'), { recursive: true });
for (const size of [16, 32, 48, 64, 128, 256, 512, 1024])
  await sharp(master)
    .resize(size, size)
    .png()
    .toFile(join(here, 'icons', `${size}x${size}.png`));
console.log('wrote build/icon.png and build/icons/*.png');
