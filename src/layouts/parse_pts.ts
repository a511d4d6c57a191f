import { _begin, _fail, _number, _originShift, _quote } from "./_text.ts";
import type { TextReaderOptions } from "./types.ts";

/** Options of {@linkcode parsePts}. */
export interface ParsePtsOptions extends TextReaderOptions {
  /** Expected number of points; when given, a file with another `n_points` is an error. */
  readonly numPoints?: number | undefined;
}

/**
 * Parses an iBUG / 300W `.pts` landmark file:
 *
 * ```text
 * version: 1
 * n_points: 68
 * {
 * 446.000 91.000
 * ...
 * }
 * ```
 *
 * The header holds `n_points` (required) and `version` (optional), one `key: value` per
 * line, then one `x y` line per point between braces. Blank lines are ignored; LF and CRLF
 * line ends are accepted.
 *
 * Values are NOT shifted unless `origin: 1` is passed: `.pts` files are 1-based (Matlab),
 * so raw values are 1 larger than 0-based pixel coordinates.
 *
 * @param text The file contents.
 * @param options File name for errors, coordinate origin, expected number of points.
 * @returns The landmarks as a Float64Array of length 2K: x0, y0, x1, y1, ... (shape [K, 2]).
 * @throws {SyntaxError} If the text is not a well-formed `.pts` file; the message names the
 * file (`name`) and the 1-based line number.
 * @throws {TypeError} If `text` is not a string.
 * @throws {RangeError} If `origin` is not 0 or 1.
 *
 * @example Read a 3-point file and convert it to 0-based coordinates
 * ```ts
 * import { parsePts } from "@facealign/awing/layouts";
 * import { deepEqual, throws } from "node:assert/strict";
 *
 * const text = "version: 1\nn_points: 3\n{\n1 2\n3.5 4\n5 6.25\n}\n";
 * deepEqual(parsePts(text), new Float64Array([1, 2, 3.5, 4, 5, 6.25]));
 * deepEqual(parsePts(text, { origin: 1 }), new Float64Array([0, 1, 2.5, 3, 4, 5.25]));
 * throws(
 *   () => parsePts(text.replace("3.5 4", "3.5"), { name: "a.pts" }),
 *   /Cannot parse PTS "a.pts": line 5 has 1 fields but expected 2 \(x y\)/,
 * );
 * ```
 */
export function parsePts(text: string, options: ParsePtsOptions = {}): Float64Array {
  const { ctx, lines } = _begin("PTS", text, options);
  const shift = _originShift(ctx, options.origin);
  let numPoints: number | undefined;
  let version = false;
  let i = 0;
  // Header, up to the opening brace.
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    if (line === "{") break;
    const match = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    if (match === null) {
      _fail(ctx, i + 1, `is ${_quote(line)} but expected a "key: value" header or "{"`);
    }
    const [, key, value = ""] = match;
    if (key === "version") {
      if (version) _fail(ctx, i + 1, `repeats the "version" header`);
      version = true;
    } else if (key === "n_points") {
      if (numPoints !== undefined) _fail(ctx, i + 1, `repeats the "n_points" header`);
      if (!/^\d+$/.test(value) || Number(value) < 1) {
        _fail(ctx, i + 1, `has n_points ${_quote(value)} but expected a positive integer`);
      }
      numPoints = Number(value);
    } else {
      _fail(ctx, i + 1, `has unknown header key ${_quote(key ?? "")}`);
    }
  }
  if (i === lines.length) _fail(ctx, undefined, `no "{" line opens the point list`);
  if (numPoints === undefined) _fail(ctx, i + 1, `opens the point list before any "n_points"`);
  if (options.numPoints !== undefined && options.numPoints !== numPoints) {
    _fail(ctx, undefined, `n_points is ${numPoints} but expected ${options.numPoints}`);
  }
  // at most one point per remaining line: a header claiming more is refused before allocating
  const room = lines.length - i - 1;
  if (numPoints > room) {
    _fail(ctx, undefined, `n_points is ${numPoints} but only ${room} lines follow the "{"`);
  }
  const out = new Float64Array(2 * numPoints);
  let count = 0;
  let closed = false;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    if (closed) _fail(ctx, i + 1, `has ${_quote(line)} after the closing "}"`);
    if (line === "}") {
      if (count !== numPoints) {
        _fail(ctx, i + 1, `closes the list after ${count} points but n_points is ${numPoints}`);
      }
      closed = true;
      continue;
    }
    const fields = line.split(/\s+/);
    if (fields.length !== 2) {
      _fail(ctx, i + 1, `has ${fields.length} fields but expected 2 (x y)`);
    }
    if (count === numPoints) {
      _fail(ctx, i + 1, `has more than n_points = ${numPoints} points`);
    }
    out[2 * count] = _number(ctx, i + 1, "x", fields[0]!) - shift;
    out[2 * count + 1] = _number(ctx, i + 1, "y", fields[1]!) - shift;
    count++;
  }
  if (!closed) _fail(ctx, undefined, `no "}" line closes the point list`);
  return out;
}
