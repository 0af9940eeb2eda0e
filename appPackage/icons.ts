/**
 * Draws the two icons Teams asks for and writes them next to the manifest:
 * - `color.png`, 192×192: the glyph in white on a full-bleed accent background (Teams rounds the
 *   corners itself), the glyph inside the central area Teams keeps clear of its mask;
 * - `outline.png`, 32×32: the same glyph in pure white on transparent, as Teams requires for the
 *   app bar, where it tints the icon itself.
 *
 * The glyph, a rising bar chart on a baseline, is defined once in unit coordinates and
 * rasterised with 4×4 supersampling so the edges are smooth at both sizes.
 *
 * Run `tsx appPackage/icons.ts` to regenerate the PNGs after changing the drawing; the
 * generated files are committed, and a test checks they still match this code.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodePng, type RgbaImage } from './png.js';

/** The manifest's `accentColor`; also the colour icon's background. */
export const ACCENT_COLOR = '#0E6E62';

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Corner radius, in the same unit coordinates. */
  readonly r: number;
}

/** The glyph in a unit square, y pointing down: three ascending bars on a baseline. */
const GLYPH: readonly Box[] = [
  { x0: 0.1, y0: 0.56, x1: 0.3, y1: 0.82, r: 0.04 },
  { x0: 0.4, y0: 0.36, x1: 0.6, y1: 0.82, r: 0.04 },
  { x0: 0.7, y0: 0.12, x1: 0.9, y1: 0.82, r: 0.04 },
  { x0: 0.04, y0: 0.88, x1: 0.96, y1: 0.96, r: 0.04 },
];

function insideBox(b: Box, x: number, y: number): boolean {
  if (x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1) return false;
  // Outside the corner squares the box is solid; inside them, test the quarter circle.
  const cx = x < b.x0 + b.r ? b.x0 + b.r : x > b.x1 - b.r ? b.x1 - b.r : x;
  const cy = y < b.y0 + b.r ? b.y0 + b.r : y > b.y1 - b.r ? b.y1 - b.r : y;
  return (x - cx) ** 2 + (y - cy) ** 2 <= b.r ** 2;
}

const insideGlyph = (x: number, y: number): boolean => GLYPH.some((b) => insideBox(b, x, y));

const SUBSAMPLES = 4;

/**
 * Fraction (0..1) of each pixel covered by the glyph, with the glyph scaled into the square
 * `[inset, size - inset]` of a `size`×`size` image.
 */
function coverage(size: number, inset: number): Float64Array {
  const out = new Float64Array(size * size);
  const span = size - 2 * inset;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SUBSAMPLES - inset) / span;
          const y = (py + (sy + 0.5) / SUBSAMPLES - inset) / span;
          if (insideGlyph(x, y)) hits++;
        }
      }
      out[py * size + px] = hits / (SUBSAMPLES * SUBSAMPLES);
    }
  }
  return out;
}

function parseHex(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`Not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1] ?? '0', 16), parseInt(m[2] ?? '0', 16), parseInt(m[3] ?? '0', 16)];
}

/** 192×192, white glyph within the central 104 px on the accent colour. */
export function renderColorIcon(): RgbaImage {
  const size = 192;
  const [r, g, b] = parseHex(ACCENT_COLOR);
  const cover = coverage(size, 44);
  const pixels = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const c = cover[i] ?? 0;
    pixels[i * 4] = Math.round(r + (255 - r) * c);
    pixels[i * 4 + 1] = Math.round(g + (255 - g) * c);
    pixels[i * 4 + 2] = Math.round(b + (255 - b) * c);
    pixels[i * 4 + 3] = 255;
  }
  return { width: size, height: size, pixels };
}

/** 32×32, pure white glyph on transparent: anti-aliasing lives in the alpha channel only. */
export function renderOutlineIcon(): RgbaImage {
  const size = 32;
  const cover = coverage(size, 3);
  const pixels = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const alpha = Math.round((cover[i] ?? 0) * 255);
    if (alpha === 0) continue;
    pixels[i * 4] = pixels[i * 4 + 1] = pixels[i * 4 + 2] = 255;
    pixels[i * 4 + 3] = alpha;
  }
  return { width: size, height: size, pixels };
}

/** Writes `color.png` and `outline.png` into `dir`; returns their paths. */
export async function writeIcons(dir: string): Promise<string[]> {
  const files: Array<[string, RgbaImage]> = [
    ['color.png', renderColorIcon()],
    ['outline.png', renderOutlineIcon()],
  ];
  const paths: string[] = [];
  for (const [name, image] of files) {
    const path = join(dir, name);
    await writeFile(path, encodePng(image));
    paths.push(path);
  }
  return paths;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const written = await writeIcons(dirname(fileURLToPath(import.meta.url)));
  for (const path of written) console.log(`wrote ${path}`);
}
