import { checkOptions } from "../_validate.ts";
import { _fail, type _ParseContext, _quote } from "./_text.ts";

/** Options of {@linkcode parseNpy}. */
export interface ParseNpyOptions {
  /** File name, used in error messages only. */
  readonly name?: string | undefined;
}

/** An array read from a NumPy `.npy` file. */
export interface NpyArray {
  /** The shape, e.g. `[N, K, 2]`. */
  readonly shape: readonly number[];
  /** The values in C (row-major) order, as float64. */
  readonly data: Float64Array;
  /** The dtype as written, `"<f4"` or `"<f8"`. */
  readonly dtype: "<f4" | "<f8";
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Longest header read (NumPy's own default `max_header_size`): a float array's is ~120. */
const MAX_HEADER = 10000;

function field(ctx: _ParseContext, header: string, key: string, value: string): string {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*${value}`).exec(header);
  if (m === null) _fail(ctx, undefined, `the header has no valid "${key}" entry`);
  return m[1]!;
}

/**
 * Reads a NumPy `.npy` file (format versions 1, 2 and 3) holding a float32 or float64 array
 * in little-endian byte order and C order, the file `np.save("pred.npy", landmarks)` writes
 * for an `[N, K, 2]` array of landmarks (e.g. a PyTorch model's predictions). The values are
 * returned as float64. Other dtypes, big-endian data and Fortran order are rejected with a
 * message that says how to convert the array.
 *
 * @param bytes The file contents.
 * @param options File name for error messages.
 * @returns The shape, the values and the dtype.
 * @throws {TypeError} If `bytes` is not a Uint8Array, or the dtype or the order is not
 * supported.
 * @throws {SyntaxError} If the file is not a `.npy` file, its header is malformed or longer
 * than 10000 bytes (NumPy's own limit), or the data does not have the size the header
 * announces.
 *
 * @example A [1, 2, 2] float32 array
 * ```ts
 * import { parseNpy } from "@facealign/awing/layouts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }";
 * const padded = header.padEnd(117, " ") + "\n"; // 10 + 118 = 128 bytes
 * const bytes = new Uint8Array(128 + 16);
 * bytes.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0, 118, 0]);
 * bytes.set(new TextEncoder().encode(padded), 10);
 * bytes.set(new Uint8Array(new Float32Array([1, 2, 3.5, 4]).buffer), 128);
 * const { shape, data } = parseNpy(bytes);
 * deepEqual(shape, [1, 2, 2]);
 * deepEqual(data, new Float64Array([1, 2, 3.5, 4]));
 * ```
 */
export function parseNpy(bytes: Uint8Array, options: ParseNpyOptions = {}): NpyArray {
  checkOptions(options, "parse NumPy file");
  const ctx: _ParseContext = { kind: "NumPy file", name: options.name };
  const where = ctx.name === undefined ? "" : ` ${_quote(ctx.name)}`;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot parse NumPy file${where}: "bytes" must be a Uint8Array`);
  }
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    _fail(ctx, undefined, "the data does not start with the .npy magic string \\x93NUMPY");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  if (major < 1 || major > 3) _fail(ctx, undefined, `format version ${major} is not supported`);
  const lengthSize = major === 1 ? 2 : 4;
  const start = 8 + lengthSize;
  if (bytes.length < start) _fail(ctx, undefined, "the header is cut short");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_HEADER) {
    _fail(
      ctx,
      undefined,
      `the header is ${headerLength} bytes long, more than the ${MAX_HEADER} that NumPy itself reads`,
    );
  }
  const offset = start + headerLength;
  if (offset > bytes.length) _fail(ctx, undefined, "the header is cut short");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(start, offset),
  );
  const descrMatch = /['"]descr['"]\s*:\s*(['"][^'"]*['"]|\[)/.exec(header);
  if (descrMatch === null) _fail(ctx, undefined, `the header has no valid "descr" entry`);
  const descr = descrMatch[1] === "[" ? "a structured dtype" : descrMatch[1]!.slice(1, -1);
  if (descr !== "<f4" && descr !== "<f8") {
    const big = descr === ">f4" || descr === ">f8";
    throw new TypeError(
      `Cannot parse NumPy file${where}: dtype ${_quote(descr)} is not supported${
        big ? " (big-endian)" : ""
      }: save float32 or float64 little-endian, e.g. np.save(f, a.astype("<f4"))`,
    );
  }
  if (field(ctx, header, "fortran_order", "(True|False)") === "True") {
    throw new TypeError(
      `Cannot parse NumPy file${where}: Fortran order is not supported: save np.ascontiguousarray(a)`,
    );
  }
  const shapeText = field(ctx, header, "shape", "\\(([^)]*)\\)").trim();
  const dims = shapeText === "" ? [] : shapeText.replace(/,\s*$/, "").split(",");
  const shape = dims.map((d) => {
    const t = d.trim();
    if (!/^\d{1,15}L?$/.test(t)) {
      _fail(ctx, undefined, `the shape (${shapeText.slice(0, 80)}) is not a tuple of integers`);
    }
    return Number.parseInt(t, 10);
  });
  const itemSize = descr === "<f4" ? 4 : 8;
  const available = bytes.length - offset;
  let count = 1;
  for (const d of shape) count *= d;
  if (count * itemSize !== available) {
    _fail(
      ctx,
      undefined,
      `the shape (${shape.join(", ")}) needs ${
        count * itemSize
      } bytes of data but the file has ${available}`,
    );
  }
  const data = new Float64Array(count);
  if (itemSize === 4) {
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + 4 * i, true);
  } else for (let i = 0; i < count; i++) data[i] = view.getFloat64(offset + 8 * i, true);
  return { shape: Object.freeze(shape), data, dtype: descr };
}
