// Every text reader is linear in its input: crafted lines of a few hundred kB (long runs of
// digits, spaces, letters, a NumPy header of 300 kB) are read or refused at once, with the
// right answer. With a backtracking number pattern each of these lines took minutes.
import { equal, match, ok, throws } from "node:assert/strict";
import {
  parse300wCsv,
  parseCofw68,
  parseLandmarkFile,
  parseNpy,
  parsePts,
  parseWflwList,
  wflwAttributesFromSubsets,
} from "../src/layouts/mod.ts";

const N = 300_000;
const DIGITS = "1".repeat(N);

/** Runs `f`, which must throw a SyntaxError matching `pattern`; returns the milliseconds. */
function refused(f: () => unknown, pattern: RegExp): number {
  const t = performance.now();
  throws(f, (e: unknown) => {
    ok(e instanceof SyntaxError, String(e));
    match(e.message, pattern);
    ok(e.message.length < 400, "the message quotes at most 80 characters of the input");
    return true;
  });
  return performance.now() - t;
}

function npy(header: string): Uint8Array {
  const h = new TextEncoder().encode(header);
  const b = new Uint8Array(12 + h.length);
  b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
  new DataView(b.buffer).setUint32(8, h.length, true);
  b.set(h, 12);
  return b;
}

Deno.test("the readers refuse crafted lines of 300 kB in linear time", () => {
  const wflwTail = " 1".repeat(206);
  const times = [
    refused(
      () => parsePts(`version: 1\nn_points: 1\n{\n${DIGITS}x 1\n}\n`),
      /^Cannot parse PTS: line 4 has x "1{80}\.\.\.", which is not a number$/,
    ),
    refused(
      () => parsePts(`version: 1\nn_points: 1\n{\n1 1.${DIGITS}e\n}\n`),
      /^Cannot parse PTS: line 4 has y/,
    ),
    refused(() => parsePts(`n_points: 1\n{\n1e${DIGITS}+ 1\n}\n`), /line 3 has x/),
    refused(() => parsePts(`${"a".repeat(N)} x\n{\n}\n`), /^Cannot parse PTS: line 1 is "a{80}/),
    refused(
      () => parsePts(`version: 1\nn_points: 1\n{\n1${" ".repeat(N)}\t2 3\n}\n`),
      /line 4 has 3 fields but expected 2/,
    ),
    refused(
      () =>
        parse300wCsv(`image_name,scale,center_w,center_h,x0,y0\na.jpg,1,1,1,${DIGITS}.x,1\n`, {
          numPoints: 1,
        }),
      /^Cannot parse 300W CSV: line 2 has x0 \(column 5\)/,
    ),
    refused(() => parseWflwList(`${DIGITS}-${wflwTail}`), /^Cannot parse WFLW list: line 1 has x0/),
    refused(() => parseCofw68(`1 ${DIGITS}x${" 1".repeat(207)}`), /^Cannot parse COFW-68: line 1/),
    refused(
      () => parseLandmarkFile(`${" ".repeat(N)}${DIGITS}\n`, { name: "a.txt" }),
      /^Cannot read landmarks "a.txt": unknown format/,
    ),
    refused(
      () =>
        parseNpy(npy(`{'descr': '<f4', 'fortran_order': False, ${"'shape': (".repeat(N / 10)}}`)),
      /^Cannot parse NumPy file: the header is 300042 bytes long, more than the 10000/,
    ),
  ];
  // each takes milliseconds; the old number pattern needed minutes for one of these lines
  ok(times.every((t) => t < 5000), `milliseconds: ${times.map((t) => t.toFixed(0))}`);
});

Deno.test("long but valid numbers read right, and overflow is refused", () => {
  const tiny = parsePts(`n_points: 1\n{\n0.${"0".repeat(N)}1 -2.5e${"0".repeat(N)}1\n}\n`);
  equal(tiny[0], 0);
  equal(tiny[1], -25);
  throws(() => parsePts(`n_points: 1\n{\n1${"0".repeat(N)} 1\n}\n`), {
    name: "SyntaxError",
    message: /has x "10{79}\.\.\.", which is not a finite number$/,
  });
});

Deno.test("wflwAttributesFromSubsets is linear in repeated faces", () => {
  const face = { image: "a.jpg", landmarks: [1, 2] };
  const faces = new Array(20_000).fill(face);
  const none: never[] = [];
  const t = performance.now();
  const attributes = wflwAttributesFromSubsets(faces, {
    pose: faces,
    expression: none,
    illumination: none,
    makeup: none,
    occlusion: none,
    blur: faces,
  });
  ok(performance.now() - t < 5000, `${performance.now() - t} ms`);
  equal(attributes.length, 20_000);
  ok(attributes.every((a) => a.pose && a.blur && !a.makeup));
});
