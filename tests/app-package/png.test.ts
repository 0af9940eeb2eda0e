import { describe, expect, it } from '@jest/globals';
import { deflateSync } from 'node:zlib';
import { decodePng, encodePng, readPngHeader, type RgbaImage } from '../../appPackage/png.js';

/** CRC-32 (IEEE), the slow table-free way: an independent check of the encoder's chunk CRCs. */
function referenceCrc(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunks(png: Buffer): Array<{ type: string; data: Buffer; crc: number }> {
  const out = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    out.push({
      type: png.toString('latin1', offset + 4, offset + 8),
      data: png.subarray(offset + 8, offset + 8 + length),
      crc: png.readUInt32BE(offset + 8 + length),
    });
    offset += 12 + length;
  }
  return out;
}

function gradient(width: number, height: number): RgbaImage {
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    pixels.set([(i * 7) & 255, (i * 13) & 255, (i * 29) & 255, (i * 3) & 255], i * 4);
  }
  return { width, height, pixels };
}

/** Builds a PNG by hand, with the given filter applied to every row, to exercise the decoder. */
function handMadePng(image: RgbaImage, filter: number): Buffer {
  const { width, height, pixels } = image;
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const at = (yy: number, xx: number): number =>
        yy < 0 || xx < 0 ? 0 : (pixels[yy * stride + xx] ?? 0);
      const a = at(y, x - 4);
      const b = at(y - 1, x);
      const c = at(y - 1, x - 4);
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      raw[y * (stride + 1) + 1 + x] = ((pixels[y * stride + x] ?? 0) - predictor) & 255;
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(referenceCrc(Buffer.concat([Buffer.from(type, 'latin1'), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG encoder and reader', () => {
  it('writes a PNG whose header, chunk order and CRCs follow the format', () => {
    const png = encodePng(gradient(5, 3));
    expect(png.subarray(0, 8)).toEqual(Buffer.from('89504e470d0a1a0a', 'hex'));
    const found = chunks(png);
    expect(found.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of found) {
      expect(c.crc).toBe(referenceCrc(Buffer.concat([Buffer.from(c.type, 'latin1'), c.data])));
    }
    expect(readPngHeader(png)).toEqual({
      width: 5,
      height: 3,
      bitDepth: 8,
      colorType: 6,
      interlaced: false,
    });
  });

  it('round-trips every pixel, alpha included', () => {
    const image = gradient(17, 11);
    const back = decodePng(encodePng(image));
    expect(back.width).toBe(17);
    expect(back.height).toBe(11);
    expect(Buffer.from(back.pixels)).toEqual(Buffer.from(image.pixels));
  });

  it.each([
    [1, 'sub'],
    [2, 'up'],
    [3, 'average'],
    [4, 'paeth'],
  ])('decodes rows written with filter %i (%s)', (filter) => {
    const image = gradient(9, 7);
    const back = decodePng(handMadePng(image, filter));
    expect(Buffer.from(back.pixels)).toEqual(Buffer.from(image.pixels));
  });

  it('refuses pixel data of the wrong length and impossible sizes', () => {
    expect(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(15) })).toThrow(
      /16 bytes/,
    );
    expect(() => encodePng({ width: 0, height: 2, pixels: new Uint8Array(0) })).toThrow(/size/);
  });

  it('says clearly when the bytes are not a PNG', () => {
    expect(() => readPngHeader(Buffer.from('GIF89a, not a png at all, padded to length'))).toThrow(
      /not a PNG file/,
    );
    expect(() => readPngHeader(Buffer.alloc(4))).toThrow(/not a PNG file/);
  });

  it('refuses a PNG whose chunk was damaged', () => {
    const png = encodePng(gradient(4, 4));
    const damaged = Buffer.from(png);
    const idatAt = damaged.indexOf('IDAT', 0, 'latin1');
    damaged[idatAt + 6] = (damaged[idatAt + 6] ?? 0) ^ 0xff;
    expect(() => decodePng(damaged)).toThrow(/bad CRC/);
  });

  it('refuses a chunk that claims to run past the end of the file', () => {
    const png = encodePng(gradient(4, 4));
    expect(() => decodePng(png.subarray(0, png.length - 20))).toThrow(/past the end/);
  });

  it('refuses layouts it does not decode (16-bit)', () => {
    const png = Buffer.from(encodePng(gradient(2, 2)));
    png[24] = 16;
    expect(() => decodePng(png)).toThrow(/unsupported PNG layout/);
  });
});
