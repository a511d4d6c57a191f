// Parser errors quote at most about 80 characters of the offending input, however long the
// line, token or file name.
import { ok, throws } from "node:assert/strict";
import {
  parse300wCsv,
  parseCofw68,
  parseLandmarkFile,
  parsePts,
  parseWflwList,
} from "../src/layouts/mod.ts";

const LONG = "9".repeat(5000) + "x";

/** The longest run inside double quotes in `message`. */
function longestQuote(message: string): number {
  return Math.max(0, ...[...message.matchAll(/"([^"]*)"/g)].map((m) => m[1]!.length));
}

Deno.test("parser errors quote at most about 80 characters of a long line", () => {
  const coords = Array.from({ length: 196 }, () => "1").join(" ");
  const cases: [string, () => unknown][] = [
    ["WFLW number", () => parseWflwList(`${LONG} ${coords.slice(2)} a.jpg`)],
    ["WFLW flag", () => parseWflwList(`${coords} 0 0 1 1 ${LONG} 0 0 0 0 0 a.jpg`)],
    ["pts header", () => parsePts(`version: 1\n${LONG}\n{\n}\n`)],
    ["pts key", () => parsePts(`version: 1\n${LONG}: 3\n{\n}\n`)],
    ["pts n_points", () => parsePts(`version: 1\nn_points: ${LONG}\n{\n}\n`)],
    ["pts after", () => parsePts(`version: 1\nn_points: 1\n{\n1 2\n}\n${LONG}\n`)],
    ["pts name", () => parsePts("", { name: LONG })],
    [
      "300W CSV",
      () =>
        parse300wCsv(`image_name,scale,center_w,center_h,x,y\na.jpg,1,2,3,${LONG},4\n`, {
          numPoints: 1,
        }),
    ],
    ["COFW-68", () => parseCofw68(`${LONG} ${Array(208).fill("0").join(" ")}\n`)],
    ["landmark file", () => parseLandmarkFile("1 2\n", { name: LONG })],
  ];
  for (const [what, run] of cases) {
    let message = "";
    throws(run, (e: Error) => ((message = e.message), true), what);
    const quoted = longestQuote(message);
    ok(
      quoted > 0 && quoted <= 83,
      `${what}: quotes ${quoted} characters: ${message.slice(0, 200)}`,
    );
    ok(message.length < 400, `${what}: ${message.length} characters`);
  }
});
