import { _begin, _coordinates, _fail, _flag, _nonBlankLines, _number } from "./_text.ts";
import { WFLW_ATTRIBUTES, type WflwAttributes } from "./wflw_attributes.ts";

/** Options of {@linkcode parseWflwList}. */
export interface ParseWflwListOptions {
  /** File name, used in error messages only. */
  readonly name?: string | undefined;
}

/** One face of a WFLW annotation list. */
export interface WflwRecord {
  /** The 98 landmarks, x0, y0, ..., x97, y97 (shape [98, 2]), as written in the file. */
  readonly landmarks: Float64Array;
  /**
   * The face rectangle `[xMin, yMin, xMax, yMax]` (upper-left and lower-right corners), only
   * in the full 207-field format. Note the metrics take boxes as `x, y, w, h`
   * (w = xMax - xMin, h = yMax - yMin).
   */
  readonly box?: readonly [xMin: number, yMin: number, xMax: number, yMax: number] | undefined;
  /** The six attribute flags, only in the full 207-field format. */
  readonly attributes?: WflwAttributes | undefined;
  /** Image path relative to `WFLW_images/`, e.g. `51--Dancer/51_Dancer_Dancer_51_931.jpg`. */
  readonly image: string;
}

const COORDS = 196;
const FULL = COORDS + 4 + 6 + 1;
const SUBSET = COORDS + 1;

/**
 * Parses a WFLW annotation list, one face per line, fields separated by white space. Two
 * formats are read (all lines of one text must use the same one):
 *
 * - full list (`list_98pt_rect_attr_{train,test}.txt`), 207 fields: 196 coordinates
 *   `x0 y0 ... x97 y97`, the face rectangle `xMin yMin xMax yMax`, the six 0/1 attribute
 *   flags (pose, expression, illumination, make-up, occlusion, blur), the image name;
 * - subset list (`list_98pt_test/list_98pt_test_*.txt`), 197 fields: 196 coordinates and the
 *   image name; `box` and `attributes` are then absent.
 *
 * Coordinates are returned as written (WFLW documents no origin; they are usually read as
 * 0-based pixels). Blank lines are skipped; LF and CRLF are accepted.
 *
 * @param text The file contents.
 * @param options File name for error messages.
 * @returns One record per face, in file order.
 * @throws {SyntaxError} If a line has the wrong number of fields, a bad number or flag, the
 * lines mix the two formats, or the text has no face; the message names the file (`name`)
 * and the 1-based line number.
 * @throws {TypeError} If `text` is not a string.
 *
 * @example A subset-list line and the same face in the full format
 * ```ts
 * import { parseWflwList } from "@facealign/awing/layouts";
 * import { deepEqual, equal, throws } from "node:assert/strict";
 *
 * const coords = Array.from({ length: 196 }, (_, i) => (i * 0.5).toFixed(6)).join(" ");
 * const subset = parseWflwList(`${coords} 51--Dancer/a.jpg\n`)[0]!;
 * equal(subset.image, "51--Dancer/a.jpg");
 * equal(subset.landmarks[3], 1.5);
 * equal(subset.box, undefined);
 *
 * const full = parseWflwList(`${coords} 10 20 110 140 1 0 0 0 1 0 51--Dancer/a.jpg\n`)[0]!;
 * deepEqual(full.box, [10, 20, 110, 140]);
 * equal(full.attributes?.pose, true);
 * equal(full.attributes?.occlusion, true);
 * equal(full.attributes?.blur, false);
 *
 * throws(
 *   () => parseWflwList("1 2 3 a.jpg", { name: "x.txt" }),
 *   { message: 'Cannot parse WFLW list "x.txt": line 1 has 4 fields but expected 207 or 197' },
 * );
 * ```
 */
export function parseWflwList(
  text: string,
  options: ParseWflwListOptions = {},
): WflwRecord[] {
  const { ctx, lines } = _begin("WFLW list", text, options);
  const records: WflwRecord[] = [];
  let format: number | undefined;
  let formatLine = 0;
  for (const [n, line] of _nonBlankLines(lines)) {
    const fields = line.split(/\s+/);
    if (fields.length !== FULL && fields.length !== SUBSET) {
      _fail(ctx, n, `has ${fields.length} fields but expected ${FULL} or ${SUBSET}`);
    }
    if (format === undefined) {
      format = fields.length;
      formatLine = n;
    } else if (fields.length !== format) {
      _fail(
        ctx,
        n,
        `has ${fields.length} fields but line ${formatLine} has ${format}: the formats are mixed`,
      );
    }
    const landmarks = _coordinates(ctx, n, fields, 0, COORDS, 0, "field");
    const image = fields[fields.length - 1]!;
    if (fields.length === SUBSET) {
      records.push({ landmarks, image });
      continue;
    }
    const box = (j: number): number =>
      _number(ctx, n, `box value (field ${COORDS + j + 1})`, fields[COORDS + j]!);
    const [xMin, yMin, xMax, yMax] = [box(0), box(1), box(2), box(3)] as const;
    const flags = WFLW_ATTRIBUTES.map((attr, j) =>
      _flag(ctx, n, `${attr} flag (field ${COORDS + 5 + j})`, fields[COORDS + 4 + j]!) === 1
    );
    const attributes: WflwAttributes = Object.freeze({
      pose: flags[0]!,
      expression: flags[1]!,
      illumination: flags[2]!,
      makeup: flags[3]!,
      occlusion: flags[4]!,
      blur: flags[5]!,
    });
    records.push({
      landmarks,
      box: Object.freeze([xMin, yMin, xMax, yMax] as const),
      attributes,
      image,
    });
  }
  if (records.length === 0) _fail(ctx, undefined, "the text holds no face");
  return records;
}
