import {
  _begin,
  _coordinates,
  _fail,
  _nonBlankLines,
  _number,
  _originShift,
  _quote,
} from "./_text.ts";
import type { TextReaderOptions } from "./types.ts";

/** Options of {@linkcode parse300wCsv}. */
export interface Parse300wCsvOptions extends TextReaderOptions {
  /** Expected number of landmarks K; the header must have 4 + 2K columns. Default 68. */
  readonly numPoints?: number | undefined;
}

/** One face of an HRNet-style 300W CSV. */
export interface Hrnet300wRecord {
  /** Image path, e.g. `helen/testset/3151235633_1.jpg`. */
  readonly image: string;
  /** HRNet crop scale (the crop box side is about 200 x scale px); not a 300W annotation. */
  readonly scale: number;
  /** HRNet crop centre `[center_w, center_h]`; not a 300W annotation. */
  readonly center: readonly [x: number, y: number];
  /** The K landmarks, x0, y0, ... (shape [K, 2]). */
  readonly landmarks: Float64Array;
}

const HEAD = ["image_name", "scale", "center_w", "center_h"];

/**
 * Parses the 300W CSV of HRNet-Facial-Landmark-Detection (`face_landmarks_300w_*.csv`): a
 * header row `image_name,scale,center_w,center_h,original_0_x,original_0_y,...`, then one
 * face per row with 4 + 2K comma-separated columns. Quoted fields are not supported (the
 * HRNet files have none). Blank lines are skipped; LF and CRLF are accepted.
 *
 * Values are NOT shifted unless `origin: 1` is passed: HRNet's 300W CSVs hold the raw,
 * 1-based (Matlab) `.pts` values, and `origin: 1` subtracts 1 from the landmarks and from
 * `center`.
 *
 * @param text The file contents.
 * @param options File name for errors, coordinate origin, expected number of points.
 * @returns One record per face, in file order.
 * @throws {SyntaxError} If the header or a row is malformed or there is no row; the message
 * names the file (`name`) and the 1-based line number.
 * @throws {TypeError} If `text` is not a string.
 * @throws {RangeError} If `origin` is not 0 or 1, or `numPoints` is not a positive integer.
 *
 * @example A 2-point CSV
 * ```ts
 * import { parse300wCsv } from "@facealign/awing/layouts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const csv = "image_name,scale,center_w,center_h,original_0_x,original_0_y," +
 *   "original_1_x,original_1_y\r\nibug/image_1.jpg,1.5,100,120,11,21,31,41\r\n";
 * const face = parse300wCsv(csv, { numPoints: 2, origin: 1 })[0]!;
 * equal(face.image, "ibug/image_1.jpg");
 * equal(face.scale, 1.5);
 * deepEqual(face.center, [99, 119]);
 * deepEqual(face.landmarks, new Float64Array([10, 20, 30, 40]));
 * ```
 */
export function parse300wCsv(
  text: string,
  options: Parse300wCsvOptions = {},
): Hrnet300wRecord[] {
  const { ctx, lines } = _begin("300W CSV", text, options);
  const shift = _originShift(ctx, options.origin);
  const k = options.numPoints ?? 68;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(
      `Cannot parse 300W CSV as numPoints must be a positive integer: current value is ${k}`,
    );
  }
  const columns = HEAD.length + 2 * k;
  let header = -1;
  const records: Hrnet300wRecord[] = [];
  for (const [n, line] of _nonBlankLines(lines)) {
    const fields = line.split(",");
    if (fields.some((f) => f.startsWith('"'))) {
      _fail(ctx, n, "has a quoted field, which this reader does not support");
    }
    if (header < 0) {
      header = n;
      for (let j = 0; j < HEAD.length; j++) {
        if (fields[j]?.trim() !== HEAD[j]) {
          _fail(
            ctx,
            n,
            `is not the HRNet header: column ${j + 1} is ${_quote(fields[j] ?? "")} but expected "${
              HEAD[j]
            }"`,
          );
        }
      }
      if (fields.length !== columns) {
        _fail(
          ctx,
          n,
          `(header) has ${fields.length} columns but expected ${columns} for ${k} points`,
        );
      }
      continue;
    }
    if (fields.length !== columns) {
      _fail(ctx, n, `has ${fields.length} fields but expected ${columns}`);
    }
    const image = fields[0]!.trim();
    if (image === "") _fail(ctx, n, "has an empty image_name");
    const scale = _number(ctx, n, "scale", fields[1]!.trim());
    const cx = _number(ctx, n, "center_w", fields[2]!.trim()) - shift;
    const cy = _number(ctx, n, "center_h", fields[3]!.trim()) - shift;
    const landmarks = _coordinates(ctx, n, fields, HEAD.length, 2 * k, shift, "column");
    records.push({ image, scale, center: Object.freeze([cx, cy] as const), landmarks });
  }
  if (header < 0) _fail(ctx, undefined, "the text is empty: no header row");
  if (records.length === 0) _fail(ctx, undefined, "the text holds a header but no face");
  return records;
}
