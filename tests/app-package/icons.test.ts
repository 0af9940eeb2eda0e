import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACCENT_COLOR,
  renderColorIcon,
  renderOutlineIcon,
  writeIcons,
} from '../../appPackage/icons.js';
import { checkIcons } from '../../appPackage/package-app.js';
import { decodePng, readPngHeader } from '../../appPackage/png.js';

const dir = join(process.cwd(), 'appPackage');

describe('app icons', () => {
  it('the committed PNGs are exactly what icons.ts draws (regenerate with tsx appPackage/icons.ts)', async () => {
    const color = decodePng(await readFile(join(dir, 'color.png')));
    const outline = decodePng(await readFile(join(dir, 'outline.png')));
    expect(Buffer.from(color.pixels).equals(Buffer.from(renderColorIcon().pixels))).toBe(true);
    expect(Buffer.from(outline.pixels).equals(Buffer.from(renderOutlineIcon().pixels))).toBe(true);
  });

  it('the colour icon is 192×192, opaque, on the accent colour with a white glyph', () => {
    const { width, height, pixels } = renderColorIcon();
    expect([width, height]).toEqual([192, 192]);
    const accent = [1, 3, 5].map((i) => parseInt(ACCENT_COLOR.slice(i, i + 2), 16));
    let white = 0;
    let seeThrough = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] !== 255) seeThrough++;
      if (pixels[i] === 255 && pixels[i + 1] === 255 && pixels[i + 2] === 255) white++;
    }
    expect(seeThrough).toBe(0);
    expect([...pixels.subarray(0, 3)]).toEqual(accent);
    // The glyph is there, and stays a symbol rather than a white square.
    expect(white).toBeGreaterThan(192 * 192 * 0.05);
    expect(white).toBeLessThan(192 * 192 * 0.4);
  });

  it('the outline icon is 32×32, white only, on a transparent background', () => {
    const { width, height, pixels } = renderOutlineIcon();
    expect([width, height]).toEqual([32, 32]);
    let transparent = 0;
    let coloured = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] === 0) transparent++;
      else if (pixels[i] !== 255 || pixels[i + 1] !== 255 || pixels[i + 2] !== 255) coloured++;
    }
    expect(coloured).toBe(0);
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(transparent).toBeLessThan(32 * 32);
  });

  it('writeIcons writes PNGs that pass the package checks', async () => {
    const out = await mkdtemp(join(tmpdir(), 'icons-'));
    try {
      const [colorPath, outlinePath] = await writeIcons(out);
      const color = await readFile(colorPath ?? '');
      const outline = await readFile(outlinePath ?? '');
      expect(readPngHeader(color)).toMatchObject({ width: 192, height: 192 });
      expect(readPngHeader(outline)).toMatchObject({ width: 32, height: 32, colorType: 6 });
      expect(checkIcons(color, outline)).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
