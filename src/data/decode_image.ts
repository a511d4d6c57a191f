// Exported from `@facealign/awing/train`, not from `./data`: it imports the npm image codecs,
// and the `./data` export has no dependency.
import { convertIndexedToRgb, decode as decodePng } from "fast-png";
import jpeg from "jpeg-js";
import { oneLine } from "../_one_line.ts";
import { MAX_SIDE } from "./_check.ts";
import { imageHeader } from "./_image_header.ts";
import type { RasterImage } from "./types.ts";

/** Largest image accepted, in megapixels (a header cannot make the decoder allocate more). */
const MAX_MEGAPIXELS = 100;

/**
 * Decodes a JPEG or PNG file (recognised by its signature, not its name) into an 8-bit,
 * channel-last image, with pure-JS codecs from npm (`jpeg-js`, `fast-png`): JPEG gives RGB;
 * PNG gives grey, RGB or RGBA (grey + alpha becomes RGBA, palettes are expanded, 16-bit
 * samples keep their high byte, 1-, 2- and 4-bit samples are scaled to 0..255).
 *
 * @param bytes The file's bytes.
 * @param name File name for error messages.
 * @returns The image (`Uint8Array` data, 1, 3 or 4 channels).
 * @throws {Error} One line naming the file: not a JPEG or PNG, cut short or corrupt, or
 * larger than 100 megapixels or 16384 pixels a side. The size comes from the header and is
 * checked before anything is decoded, and the file's structure is walked to its end first
 * (every PNG chunk up to IEND, every JPEG segment up to the end-of-image marker), so a
 * truncated file is refused rather than decoded in part.
 * @throws {TypeError} If `bytes` is not a Uint8Array.
 *
 * @example A 2 x 1 PNG
 * ```ts
 * import { decodeImage } from "@facealign/awing/train";
 * import { encode } from "fast-png";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const png = encode({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]), channels: 3 });
 * const image = decodeImage(png, "red-blue.png");
 * equal(image.channels, 3);
 * deepEqual(Array.from(image.data), [255, 0, 0, 0, 0, 255]);
 * ```
 */
export function decodeImage(
  bytes: Uint8Array,
  name = "image",
): RasterImage & { readonly data: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot decode image "${name}": "bytes" must be a Uint8Array`);
  }
  const png = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e &&
    bytes[3] === 0x47;
  const jpg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpg) {
    throw new Error(`Cannot decode image "${name}": it is neither a PNG nor a JPEG file`);
  }
  try {
    // the header's size is a claim: it is checked before the codec allocates anything
    const { width, height } = imageHeader(bytes, png);
    if (!(width >= 1 && height >= 1)) {
      throw new Error(`its header gives a size of ${width} x ${height} pixels`);
    }
    if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_MEGAPIXELS * 1e6) {
      throw new Error(
        `its header gives ${width} x ${height} pixels, more than the limit of ${MAX_MEGAPIXELS} megapixels and ${MAX_SIDE} pixels a side`,
      );
    }
    return png ? fromPng(bytes) : fromJpeg(bytes);
  } catch (e) {
    throw new Error(`Cannot decode image "${name}": ${oneLine(e)}`);
  }
}

function fromJpeg(bytes: Uint8Array): RasterImage & { readonly data: Uint8Array } {
  const { width, height, data } = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    maxResolutionInMP: MAX_MEGAPIXELS,
    maxMemoryUsageInMB: 1024,
  });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width,
    height,
    channels: 3,
  };
}

function fromPng(bytes: Uint8Array): RasterImage & { readonly data: Uint8Array } {
  const png = decodePng(bytes);
  const { width, height } = png;
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length === width * height * 4 ? 4 : 3;
    return { data: rgb, width, height, channels };
  }
  const c = png.channels;
  const n = width * height * c;
  let samples: Uint8Array;
  if (png.depth === 8) samples = png.data as Uint8Array;
  else if (png.depth === 16) samples = Uint8Array.from(png.data as Uint16Array, (v) => v >> 8);
  else {
    // 1, 2 or 4 bits, packed, each row starting on a byte
    const depth = png.depth, max = (1 << depth) - 1, rowBytes = Math.ceil((width * c * depth) / 8);
    const packed = png.data as Uint8Array;
    samples = new Uint8Array(n);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width * c; j++) {
        const bit = j * depth;
        const byte = packed[i * rowBytes + (bit >> 3)]!;
        const v = (byte >> (8 - depth - (bit & 7))) & max;
        samples[i * width * c + j] = Math.round((v * 255) / max);
      }
    }
  }
  if (c === 2) {
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const g = samples[2 * p]!;
      rgba.set([g, g, g, samples[2 * p + 1]!], 4 * p);
    }
    return { data: rgba, width, height, channels: 4 };
  }
  if (c !== 1 && c !== 3 && c !== 4) throw new Error(`${c} channels are not supported`);
  return { data: samples, width, height, channels: c };
}
