// A file's header is a claim: decodeImage reads the size from the PNG or JPEG header and
// refuses an oversized image before decoding a pixel, and a truncated or corrupt file is
// one complete line naming what is wrong (never a partly decoded image).
import { equal, match, ok, throws } from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import { decodeImage } from "../src/train/mod.ts";

/** CRC-32 of PNG chunks. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG with this IHDR size (8-bit RGB) and these IDAT bytes. */
function png(width: number, height: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A JPEG's bytes with the frame header's size replaced. */
function withJpegSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 2; i < out.length - 8; i++) {
    if (out[i] === 0xff && out[i + 1] === 0xc0) {
      new DataView(out.buffer).setUint16(i + 5, height);
      new DataView(out.buffer).setUint16(i + 7, width);
      return out;
    }
  }
  throw new Error("no SOF0");
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    ok(e instanceof Error);
    ok(!e.message.includes("\n"), `one line: ${JSON.stringify(e.message)}`);
    return e.message;
  }
  throw new Error("no error");
}

const JPEG = new Uint8Array(
  jpeg.encode({ width: 16, height: 8, data: new Uint8Array(16 * 8 * 4).fill(120) }, 90).data,
);

Deno.test("decodeImage refuses an oversized PNG or JPEG from its header, before decoding", () => {
  // IDAT holds no zlib stream at all: only a refusal from the header comes before its error
  const garbage = new Uint8Array(64).fill(7);
  const claims: [number, number][] = [[12000, 12000], [20000, 10], [10, 16385], [0, 5]];
  for (const [w, h] of claims) {
    const text = message(() => decodeImage(png(w, h, garbage), "big.png"));
    match(
      text,
      new RegExp(`^Cannot decode image "big.png": its header gives (a size of )?${w} x ${h}`),
    );
  }
  const big = message(() => decodeImage(withJpegSize(JPEG, 60000, 60000), "big.jpg"));
  equal(
    big,
    'Cannot decode image "big.jpg": its header gives 60000 x 60000 pixels, more than the limit of 100 megapixels and 16384 pixels a side',
  );
});

Deno.test("decodeImage: a truncated or corrupt file is one complete line", () => {
  const good = encodePng({
    width: 32,
    height: 32,
    data: new Uint8Array(32 * 32 * 3).map((_, i) => (i * 31) % 251),
    channels: 3,
  });
  equal(decodeImage(good).width, 32);
  // cut inside IDAT, and just before IEND
  for (const n of [40, good.length - 20, good.length - 5]) {
    match(
      message(() => decodeImage(good.slice(0, n), "cut.png")),
      /^Cannot decode image "cut.png": the PNG (data|header \(IHDR\)) is (cut short|missing or cut short)/,
    );
  }
  match(
    message(() => decodeImage(good.slice(0, 20), "cut.png")),
    /^Cannot decode image "cut.png": the PNG header \(IHDR\) is missing or cut short$/,
  );
  // a damaged deflate stream: fast-png's message ends in ":" and the reason is its cause
  const bad = png(4, 4, new Uint8Array([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01]));
  const text = message(() => decodeImage(bad, "bad.png"));
  match(text, /^Cannot decode image "bad.png": Error while decompressing the data: \S.+/);
  // JPEG: cut before the end-of-image marker, or before the frame header
  equal(decodeImage(JPEG).height, 8);
  for (const n of [4, 30, JPEG.length - 40, JPEG.length - 1]) {
    match(
      message(() => decodeImage(JPEG.slice(0, n), "cut.jpg")),
      /^Cannot decode image "cut.jpg": the JPEG data is cut short: it ends after \d+ bytes/,
    );
  }
  match(
    message(() => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), "empty.jpg")),
    /^Cannot decode image "empty.jpg": the JPEG data has no frame header$/,
  );
  throws(() => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2]), "x.jpg"), Error);
});
