import {
  _begin,
  _coordinates,
  _fail,
  _flag,
  _nonBlankLines,
  _number,
  _originShift,
  _quote,
} from "./_text.ts";
import type { TextReaderOptions } from "./types.ts";

/** Options of {@linkcode parseCofw68}. */
export type ParseCofw68Options = TextReaderOptions;

/** One face of the COFW-68 test set, text form. */
export interface Cofw68Record {
  /** 1-based index of the face in the COFW test set (1..507). */
  readonly index: number;
  /** Face box `[x, y, w, h]` (Matlab `rectangle('Position')` convention). */
  readonly box: readonly [x: number, y: number, w: number, h: number];
  /** The 68 landmarks, x0, y0, ..., x67, y67 (shape [68, 2]). */
  readonly landmarks: Float64Array;
  /** Occlusion flags, 1 = occluded, 0 = visible (length 68). */
  readonly occluded: Uint8Array;
}

const K = 68;
const FIELDS = 1 + 4 + 2 * K + K;

/**
 * Parses the text form of the COFW-68 test annotations (`cofw68_test_68pt.txt` in the shared
 * data folder): one face per line, 209 white-space separated fields: the 1-based COFW test
 * index, the box `x y w h`, 136 coordinates `x0 y0 ... x67 y67`, 68 occlusion flags (1 =
 * occluded). Blank lines are skipped; LF and CRLF are accepted.
 *
 * Values are NOT shifted unless `origin: 1` is passed: the data is 1-based (Matlab), and
 * `origin: 1` subtracts 1 from the landmarks and the box corner (x, y), not from its size.
 *
 * @param text The file contents.
 * @param options File name for errors and coordinate origin.
 * @returns One record per face, in file order.
 * @throws {SyntaxError} If a line is malformed or the text holds no face; the message names
 * the file (`name`) and the 1-based line number.
 * @throws {TypeError} If `text` is not a string.
 * @throws {RangeError} If `origin` is not 0 or 1.
 *
 * @example
 * ```ts
 * import { parseCofw68 } from "@facealign/awing/layouts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const coords = Array.from({ length: 136 }, (_, i) => String(i + 1));
 * const occ = Array.from({ length: 68 }, (_, i) => (i === 5 ? "1" : "0"));
 * const line = ["7", "10", "20", "80", "90", ...coords, ...occ].join(" ");
 * const face = parseCofw68(line, { origin: 1 })[0]!;
 * equal(face.index, 7);
 * deepEqual(face.box, [9, 19, 80, 90]);
 * equal(face.landmarks[0], 0);
 * equal(face.occluded[5], 1);
 * ```
 */
export function parseCofw68(text: string, options: ParseCofw68Options = {}): Cofw68Record[] {
  const { ctx, lines } = _begin("COFW-68", text, options);
  const shift = _originShift(ctx, options.origin);
  const records: Cofw68Record[] = [];
  for (const [n, line] of _nonBlankLines(lines)) {
    const fields = line.split(/\s+/);
    if (fields.length !== FIELDS) {
      _fail(ctx, n, `has ${fields.length} fields but expected ${FIELDS}`);
    }
    if (!/^\d+$/.test(fields[0]!) || Number(fields[0]) < 1) {
      _fail(ctx, n, `has index ${_quote(fields[0]!)} but expected a positive integer`);
    }
    const index = Number(fields[0]);
    const box = (j: number): number => _number(ctx, n, `box value (field ${j + 1})`, fields[j]!);
    const [x, y, w, h] = [box(1), box(2), box(3), box(4)] as const;
    const landmarks = _coordinates(ctx, n, fields, 5, 2 * K, shift, "field");
    const occluded = new Uint8Array(K);
    for (let j = 0; j < K; j++) {
      occluded[j] = _flag(ctx, n, `occlusion flag ${j} (field ${j + 142})`, fields[141 + j]!);
    }
    records.push({
      index,
      box: Object.freeze([x - shift, y - shift, w, h] as const),
      landmarks,
      occluded,
    });
  }
  if (records.length === 0) _fail(ctx, undefined, "the text holds no face");
  return records;
}
