// The size a PNG or JPEG file claims, read from its header before any decoding, and the
// file's structure walked to its end, so that a truncated file is refused with a clear
// message instead of being decoded in part.

/** Format and size of an image file, as its header gives them. */
export interface ImageHeader {
  readonly format: "png" | "jpeg";
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A chunk type's four letters. */
function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** Big-endian unsigned integer of `n` bytes. */
function uint(bytes: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + bytes[at + i]!;
  return v;
}

function pngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error("its PNG signature is damaged");
  }
  if (bytes.length < 8 + 8 + 13 || chunkType(bytes, 12) !== "IHDR" || uint(bytes, 8, 4) !== 13) {
    throw new Error("the PNG header (IHDR) is missing or cut short");
  }
  const width = uint(bytes, 16, 4), height = uint(bytes, 20, 4);
  // every chunk must lie inside the file, up to IEND
  let at = 8;
  for (;;) {
    if (at + 8 > bytes.length) {
      throw new Error(
        `the PNG data is cut short: it ends after ${bytes.length} bytes, before IEND`,
      );
    }
    const length = uint(bytes, at, 4), type = chunkType(bytes, at + 4);
    const end = at + 12 + length;
    if (end > bytes.length) {
      throw new Error(
        `the PNG data is cut short: chunk "${type}" at byte ${at} needs ${length} bytes but the file ends after ${bytes.length}`,
      );
    }
    if (type === "IEND") break;
    at = end;
  }
  return { format: "png", width, height };
}

/** JPEG start-of-frame markers (C4 is DHT, C8 is reserved, CC is DAC). */
function isFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
    marker !== 0xcc;
}

function jpegHeader(bytes: Uint8Array): ImageHeader {
  let width = 0, height = 0, frame = false;
  let at = 2; // after SOI
  const cut = (what: string): Error =>
    new Error(`the JPEG data is cut short: it ends after ${bytes.length} bytes, ${what}`);
  for (;;) {
    // the next marker: 0xFF (fill bytes may repeat it), then its code
    if (at >= bytes.length) {
      throw cut(frame ? "before the end-of-image marker" : "before its frame header");
    }
    if (bytes[at] !== 0xff) {
      throw new Error(`the JPEG data is corrupt: no marker at byte ${at}`);
    }
    while (at < bytes.length && bytes[at] === 0xff) at++;
    if (at >= bytes.length) throw cut("inside a marker");
    const marker = bytes[at++]!;
    if (marker === 0xd9) break; // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (at + 2 > bytes.length) throw cut("inside a segment header");
    const length = uint(bytes, at, 2);
    if (length < 2 || at + length > bytes.length) {
      throw cut(`inside a segment of ${length} bytes at byte ${at - 2}`);
    }
    if (isFrame(marker)) {
      if (length < 7) throw new Error("the JPEG frame header is too short");
      height = uint(bytes, at + 3, 2);
      width = uint(bytes, at + 5, 2);
      frame = true;
    }
    at += length;
    if (marker === 0xda) {
      if (!frame) throw new Error("the JPEG data is corrupt: a scan comes before the frame header");
      // entropy-coded data up to the next marker that is not a stuffed 0xFF00 or a restart
      while (at < bytes.length) {
        if (bytes[at] !== 0xff) {
          at++;
          continue;
        }
        const next = bytes[at + 1];
        if (next === undefined) break;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) at += 2;
        else if (next === 0xff) at++;
        else break; // a marker
      }
    }
  }
  if (!frame) throw new Error("the JPEG data has no frame header");
  return { format: "jpeg", width, height };
}

/**
 * Reads the format and size from the header of a PNG or JPEG file and checks that the file
 * is complete (every PNG chunk up to IEND, every JPEG segment up to the end-of-image marker),
 * without decoding any pixel. Throws an Error saying what is wrong (the caller names the
 * file).
 */
export function imageHeader(bytes: Uint8Array, png: boolean): ImageHeader {
  return png ? pngHeader(bytes) : jpegHeader(bytes);
}
