import { checkOptions } from "../_validate.ts";
import { _quote } from "./_text.ts";
import { parse300wCsv } from "./parse_300w_csv.ts";
import { parseCofw68 } from "./parse_cofw68.ts";
import { parseNpy } from "./parse_npy.ts";
import { parsePts } from "./parse_pts.ts";
import { parseWflwList } from "./parse_wflw_list.ts";
import type { WflwAttributes } from "./wflw_attributes.ts";

/** The file formats {@linkcode parseLandmarkFile} reads. */
export type LandmarkFileFormat = "npy" | "pts" | "300w-csv" | "wflw" | "cofw68";

/** Options of {@linkcode parseLandmarkFile}. */
export interface ParseLandmarkFileOptions {
  /** File name: its extension picks the format (unless `format` is given) and errors quote it. */
  readonly name: string;
  /** The format; by default from the extension and, for text, the number of fields. */
  readonly format?: LandmarkFileFormat | undefined;
  /**
   * Index origin of the values for the text formats that have one (`.pts`, 300W CSV, COFW-68):
   * 1 subtracts 1 to give 0-based pixels. Default 0: values as written.
   */
  readonly origin?: 0 | 1 | undefined;
}

/** Landmarks of a set of faces, read from one file. */
export interface LandmarkFile {
  /** The format that was read. */
  readonly format: LandmarkFileFormat;
  /** Number of faces N. */
  readonly count: number;
  /** Landmarks per face K. */
  readonly numPoints: number;
  /** The landmarks `[N, K, 2]`. */
  readonly landmarks: Float64Array;
  /** Face boxes `[N, 4]` as x, y, w, h, where the format has them (full WFLW list, COFW-68). */
  readonly boxes: Float64Array | undefined;
  /** WFLW attribute flags per face, where the format has them (full WFLW list). */
  readonly attributes: readonly WflwAttributes[] | undefined;
  /** Image path per face, where the format has them (WFLW lists, 300W CSV). */
  readonly images: readonly string[] | undefined;
}

const FORMATS: readonly LandmarkFileFormat[] = ["npy", "pts", "300w-csv", "wflw", "cofw68"];

function stack(rows: readonly ArrayLike<number>[]): Float64Array {
  const k2 = rows[0]!.length;
  const out = new Float64Array(rows.length * k2);
  rows.forEach((r, i) => out.set(r, i * k2));
  return out;
}

function fromText(bytes: Uint8Array | string): string {
  return typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
}

/** Picks the format from the extension, or from the field count of the first text line. */
function detect(name: string, data: Uint8Array | string): LandmarkFileFormat {
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext === "npy") return "npy";
  if (ext === "pts") return "pts";
  if (ext === "csv") return "300w-csv";
  const text = fromText(typeof data === "string" ? data : data.subarray(0, 1 << 16));
  const first = text.split(/\r?\n/).find((l) => l.trim() !== "")?.trim() ?? "";
  if (first.startsWith("version:")) return "pts";
  const fields = first.split(/\s+/).length;
  if (fields === 207 || fields === 197) return "wflw";
  if (fields === 209) return "cofw68";
  throw new SyntaxError(
    `Cannot read landmarks ${
      _quote(name)
    }: unknown format (a .npy, .pts or .csv name, or a text file of 207 or 197 fields a line for WFLW, 209 for COFW-68); first line has ${fields} fields`,
  );
}

/**
 * Reads the landmarks of a set of faces from the contents of one file, in any format the
 * readers know: NumPy `.npy` `[N, K, 2]` (float32 or float64, as `np.save` writes
 * predictions), a `.pts` file (one face), HRNet's 300W CSV, a WFLW list (full or subset
 * format) or the COFW-68 text. The format comes from the extension (`.npy`, `.pts`, `.csv`)
 * or, for other text, from the number of fields of the first line (207 or 197: WFLW; 209:
 * COFW-68); `format` overrides it. Pure: the caller reads the file.
 *
 * @param data The file contents (bytes, or text for the text formats).
 * @param options The file name (required), optional format and origin.
 * @returns The landmarks `[N, K, 2]` as float64, with boxes, attributes and image names where
 * the format has them.
 * @throws {SyntaxError} If the format cannot be told or the contents are malformed (the
 * message names the file).
 * @throws {TypeError} If a `.npy` array is not `[N, K, 2]` float32/float64, or an option has a
 * wrong type.
 * @throws {RangeError} If `format` or `origin` is unknown.
 *
 * @example A WFLW subset line and a COFW-68 line
 * ```ts
 * import { parseLandmarkFile } from "@facealign/awing/layouts";
 * import { equal } from "node:assert/strict";
 *
 * const wflw = Array.from({ length: 196 }, (_, i) => i).join(" ") + " 1--a/b.jpg\n";
 * const one = parseLandmarkFile(wflw, { name: "test.txt" });
 * equal(one.format, "wflw");
 * equal(one.numPoints, 98);
 * equal(one.landmarks[3], 3);
 * equal(one.images?.[0], "1--a/b.jpg");
 * ```
 */
export function parseLandmarkFile(
  data: Uint8Array | string,
  options: ParseLandmarkFileOptions,
): LandmarkFile {
  checkOptions(options, "read landmarks");
  const name = options?.name;
  if (typeof name !== "string") {
    throw new TypeError(`Cannot read landmarks: "options.name" must be a string`);
  }
  if (typeof data !== "string" && !(data instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot read landmarks ${_quote(name)}: "data" must be a Uint8Array or a string`,
    );
  }
  const format = options.format ?? detect(name, data);
  if (!FORMATS.includes(format)) {
    throw new RangeError(
      `Cannot read landmarks as format must be one of ${FORMATS.join(", ")}: current value is ${
        String(format)
      }`,
    );
  }
  const origin = options.origin;
  const base = { format, boxes: undefined, attributes: undefined, images: undefined };
  switch (format) {
    case "npy": {
      if (typeof data === "string") {
        throw new TypeError(`Cannot read landmarks ${_quote(name)}: a .npy file is bytes`);
      }
      const { shape, data: values } = parseNpy(data, { name });
      if (shape.length !== 3 || shape[2] !== 2 || shape[0] === 0 || shape[1] === 0) {
        throw new TypeError(
          `Cannot read landmarks ${_quote(name)}: the array has shape (${
            shape.join(", ")
          }) but landmarks are [N, K, 2] with N, K > 0`,
        );
      }
      return { ...base, count: shape[0]!, numPoints: shape[1]!, landmarks: values };
    }
    case "pts": {
      const landmarks = parsePts(fromText(data), { name, origin });
      return { ...base, count: 1, numPoints: landmarks.length / 2, landmarks };
    }
    case "300w-csv": {
      const text = fromText(data);
      const header = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
      const columns = header.split(",").length;
      const numPoints = Math.max(1, Math.floor((columns - 4) / 2));
      const records = parse300wCsv(text, { name, origin, numPoints });
      return {
        ...base,
        count: records.length,
        numPoints,
        landmarks: stack(records.map((r) => r.landmarks)),
        images: records.map((r) => r.image),
      };
    }
    case "wflw": {
      const records = parseWflwList(fromText(data), { name });
      const full = records[0]!.box !== undefined;
      return {
        ...base,
        count: records.length,
        numPoints: 98,
        landmarks: stack(records.map((r) => r.landmarks)),
        boxes: full
          ? stack(
            records.map(({ box: [x0, y0, x1, y1] = [0, 0, 0, 0] }) => [x0, y0, x1 - x0, y1 - y0]),
          )
          : undefined,
        attributes: full ? records.map((r) => r.attributes!) : undefined,
        images: records.map((r) => r.image),
      };
    }
    case "cofw68": {
      const records = parseCofw68(fromText(data), { name, origin });
      return {
        ...base,
        count: records.length,
        numPoints: 68,
        landmarks: stack(records.map((r) => r.landmarks)),
        boxes: stack(records.map((r) => r.box)),
      };
    }
  }
}
