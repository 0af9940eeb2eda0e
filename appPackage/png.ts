/**
 * Just enough PNG for the app icons, on node:zlib alone: an encoder for 8-bit RGBA images and a
 * reader that checks what Teams requires of the icons it is given (size, and for the outline
 * icon, white on transparent). No image package is needed for two small pictures.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

/** An RGBA image, 4 bytes a pixel, rows top to bottom. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  readonly colorType: number;
  readonly interlaced: boolean;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel of each 8-bit colour type this reader decodes. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes an RGBA image as a non-interlaced 8-bit RGBA PNG (filter 0 on every row). */
export function encodePng(image: RgbaImage): Buffer {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Bad image size ${width}×${height}`);
  }
  if (pixels.length !== width * height * 4) {
    throw new RangeError(`Expected ${width * height * 4} bytes of RGBA, got ${pixels.length}`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // not interlaced
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Reads the signature and IHDR; throws a readable Error when the bytes are not a PNG. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(SIGNATURE)) {
    throw new Error('not a PNG file (bad signature)');
  }
  if (buf.readUInt32BE(8) !== 13 || buf.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG file (IHDR chunk missing)');
  }
  return {
    width: buf.readUInt32BE(16),
    height: buf.readUInt32BE(20),
    bitDepth: buf[24] ?? 0,
    colorType: buf[25] ?? 0,
    interlaced: buf[28] === 1,
  };
}

/**
 * Decodes a non-interlaced 8-bit PNG (grey, RGB, grey + alpha or RGBA) to RGBA. Palette,
 * 16-bit and interlaced images are refused: the icons this project ships are none of those.
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const header = readPngHeader(bytes);
  const channels = CHANNELS[header.colorType];
  if (header.bitDepth !== 8 || channels === undefined || header.interlaced) {
    throw new Error(
      `unsupported PNG layout (bit depth ${header.bitDepth}, colour type ${header.colorType}${header.interlaced ? ', interlaced' : ''})`,
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Buffer[] = [];
  let offset = 8;
  while (offset + 12 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > buf.length) throw new Error(`PNG chunk ${type} runs past the end of the file`);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (
      crc32(data, crc32(buf.subarray(offset + 4, offset + 8))) >>> 0 !==
      buf.readUInt32BE(end - 4)
    ) {
      throw new Error(`PNG chunk ${type} has a bad CRC`);
    }
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') break;
    offset = end;
  }
  const { width, height } = header;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== (stride + 1) * height) throw new Error('PNG image data has the wrong length');

  const out = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = new Uint8Array(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (row[x - channels] ?? 0) : 0;
      const up = previous[x] ?? 0;
      const upLeft = x >= channels ? (previous[x - channels] ?? 0) : 0;
      const value = row[x] ?? 0;
      switch (filter) {
        case 0:
          break;
        case 1:
          row[x] = value + left;
          break;
        case 2:
          row[x] = value + up;
          break;
        case 3:
          row[x] = value + ((left + up) >> 1);
          break;
        case 4:
          row[x] = value + paeth(left, up, upLeft);
          break;
        default:
          throw new Error(`PNG row ${y} has unknown filter ${filter}`);
      }
    }
    for (let x = 0; x < width; x++) {
      const p = x * channels;
      const o = (y * width + x) * 4;
      const at = (i: number): number => row[p + i] ?? 0;
      if (channels <= 2) {
        out[o] = out[o + 1] = out[o + 2] = at(0);
        out[o + 3] = channels === 2 ? at(1) : 255;
      } else {
        out[o] = at(0);
        out[o + 1] = at(1);
        out[o + 2] = at(2);
        out[o + 3] = channels === 4 ? at(3) : 255;
      }
    }
    previous = row;
  }
  return { width, height, pixels: out };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}
