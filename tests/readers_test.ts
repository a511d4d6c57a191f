// Tests of the annotation readers (src/layouts/parse_*.ts). Real files come from
// ../shared/data/landmarks (see its README.md); those tests are skipped, visibly, when the
// folder is absent. .pts files and full-format WFLW lines are synthesised from real rows.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  parse300wCsv,
  parseCofw68,
  parsePts,
  parseWflwList,
  WFLW_ATTRIBUTES,
  type WflwRecord,
} from "../src/layouts/mod.ts";
import { at } from "./_assert.ts";
import { HAS_DATA, read, SKIP } from "./_data.ts";

const SUBSETS = ["largepose", "expression", "illumination", "makeup", "occlusion", "blur"];

function toPts(landmarks: Float64Array, eol = "\n"): string {
  const rows = [];
  for (let k = 0; k < landmarks.length / 2; k++) {
    rows.push(`${landmarks[2 * k]} ${landmarks[2 * k + 1]}`);
  }
  return ["version: 1", `n_points:  ${landmarks.length / 2}`, "{", ...rows, "}", ""].join(eol);
}

function minMax(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

function every(records: readonly { landmarks: Float64Array }[], axis: 0 | 1): number[] {
  return records.flatMap((r) => Array.from(r.landmarks).filter((_, i) => i % 2 === axis));
}

// --- .pts --------------------------------------------------------------------------------

Deno.test("parsePts: small file, origin, CRLF, BOM, blank lines, no version", () => {
  const text = "version: 1\nn_points: 3\n{\n1 2\n3.5 4\n5 6.25\n}\n";
  const raw = new Float64Array([1, 2, 3.5, 4, 5, 6.25]);
  deepEqual(parsePts(text), raw);
  deepEqual(parsePts(text, { origin: 0 }), raw);
  deepEqual(parsePts(text, { origin: 1 }), raw.map((v) => v - 1));
  deepEqual(parsePts("\ufeff" + text.replaceAll("\n", "\r\n")), raw);
  deepEqual(parsePts("\n n_points :3 \n\n{\n 1   2 \n3.5\t4\n\n5 6.25\n}\n\n"), raw);
  deepEqual(parsePts("n_points: 1\n{\n-1.5e2 +2.\n}"), new Float64Array([-150, 2]));
  deepEqual(parsePts(text, { numPoints: 3 }), raw);
  ok(parsePts(text) instanceof Float64Array);
});

Deno.test("parsePts: malformed input names the file and the line", () => {
  const ok3 = "version: 1\nn_points: 3\n{\n1 2\n3 4\n5 6\n}\n";
  const cases: [string, RegExp][] = [
    [ok3.replace("3 4", "3"), /^Cannot parse PTS "a.pts": line 5 has 1 fields but expected 2/],
    [ok3.replace("3 4", "3 4 5"), /line 5 has 3 fields but expected 2 \(x y\)$/],
    [ok3.replace("3 4", "3 abc"), /line 5 has y "abc", which is not a number$/],
    [ok3.replace("3 4", "3 NaN"), /line 5 has y "NaN", which is not a number/],
    [ok3.replace("3 4", "0x10 4"), /line 5 has x "0x10", which is not a number/],
    [ok3.replace("3 4", "Infinity 4"), /line 5 has x "Infinity"/],
    [ok3.replace("3 4", "3,5 4"), /line 5 has x "3,5"/],
    [ok3.replace("3 4", "1e999 4"), /line 5 has x "1e999", which is not a finite number/],
    [ok3.replace("5 6\n", ""), /line 6 closes the list after 2 points but n_points is 3$/],
    [ok3.replace("5 6\n", "5 6\n7 8\n"), /line 7 has more than n_points = 3 points$/],
    [ok3 + "9 9\n", /line 8 has "9 9" after the closing "}"$/],
    [ok3.replace("}\n", ""), /: no "}" line closes the point list$/],
    [ok3.replace("{\n", ""), /line 3 is "1 2" but expected a "key: value" header or "\{"$/],
    ["version: 1\n{\n}\n", /line 2 opens the point list before any "n_points"$/],
    [ok3.replace("n_points: 3", "n_points: 0"), /line 2 has n_points "0" but expected a/],
    [ok3.replace("n_points: 3", "n_points: 3.5"), /line 2 has n_points "3.5"/],
    [ok3.replace("version: 1", "width: 1"), /line 1 has unknown header key "width"$/],
    [ok3.replace("version: 1", "hello"), /line 1 is "hello" but expected a "key: value"/],
    ["n_points: 1\nn_points: 1\n{\n1 1\n}", /line 2 repeats the "n_points" header$/],
    ["", /: no "\{" line opens the point list$/],
  ];
  for (const [text, message] of cases) {
    throws(() => parsePts(text, { name: "a.pts" }), { name: "SyntaxError", message }, text);
  }
  throws(() => parsePts(ok3, { numPoints: 68 }), {
    name: "SyntaxError",
    message: "Cannot parse PTS: n_points is 3 but expected 68",
  });
  throws(() => parsePts(ok3, { origin: 2 as 1 }), RangeError);
  throws(() => parsePts(null as unknown as string, { name: "a.pts" }), {
    name: "TypeError",
    message: 'Cannot parse PTS "a.pts": "text" must be a string, got null',
  });
});

Deno.test({
  name: `parsePts: round-trips .pts files written from real 300W rows${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const rows = parse300wCsv(read("300w_private_test_68pt.csv"));
    for (const [i, row] of rows.entries()) {
      const text = toPts(row.landmarks, i % 2 === 0 ? "\n" : "\r\n");
      deepEqual(parsePts(text, { name: row.image, numPoints: 68 }), row.landmarks);
      deepEqual(parsePts(text, { origin: 1 }), row.landmarks.map((v) => v - 1));
    }
    // a published copy of indoor_001.pts starts 446.000 91.000 / 449.459 119.344
    const indoor = rows.find((r) => r.image === "Test/01_Indoor/indoor_001.png");
    ok(indoor !== undefined);
    const pts = parsePts(
      toPts(indoor.landmarks).replace(/^446 91$/m, "446.000 91.000"),
      { origin: 1 },
    );
    deepEqual(Array.from(pts.subarray(0, 4)), [445, 90, 448.459, 118.344]);
  },
});

// --- WFLW lists ---------------------------------------------------------------------------

function fullLine(r: WflwRecord, box: readonly number[], flags: readonly number[]): string {
  return [...Array.from(r.landmarks, (v) => v.toFixed(6)), ...box, ...flags, r.image].join(" ");
}

Deno.test("parseWflwList: both formats, blank lines, CRLF", () => {
  const coords = Array.from({ length: 196 }, (_, i) => (i * 0.25 - 3).toFixed(6));
  const sub = `${coords.join(" ")} 1--Handshaking/a.jpg`;
  const full = `${coords.join(" ")} 1 2 300 400 0 1 0 1 0 1 2--Demo/b.jpg`;
  const subset = parseWflwList(`\n${sub}\r\n\r\n${sub}\n`);
  equal(subset.length, 2);
  const first = at(subset, 0);
  equal(first.image, "1--Handshaking/a.jpg");
  equal(first.landmarks.length, 196);
  equal(first.landmarks[195], 195 * 0.25 - 3);
  equal(first.box, undefined);
  equal(first.attributes, undefined);
  const rec = at(parseWflwList(full), 0);
  deepEqual(rec.box, [1, 2, 300, 400]);
  deepEqual(rec.attributes, {
    pose: false,
    expression: true,
    illumination: false,
    makeup: true,
    occlusion: false,
    blur: true,
  });
  equal(rec.image, "2--Demo/b.jpg");
  deepEqual(rec.landmarks, first.landmarks);
});

Deno.test("parseWflwList: malformed input names the file and the line", () => {
  const coords = Array.from({ length: 196 }, () => "1.0");
  const sub = `${coords.join(" ")} a.jpg`;
  const full = `${coords.join(" ")} 1 2 3 4 0 0 0 0 0 0 a.jpg`;
  const short = Array.from({ length: 150 }, () => "1").join(" ");
  throws(() => parseWflwList(`${sub}\n${sub}\n${short}\n`, { name: "x.txt" }), {
    name: "SyntaxError",
    message: 'Cannot parse WFLW list "x.txt": line 3 has 150 fields but expected 207 or 197',
  });
  throws(() => parseWflwList(`${full}\n\n${sub}\n`, { name: "x.txt" }), {
    name: "SyntaxError",
    message:
      'Cannot parse WFLW list "x.txt": line 3 has 197 fields but line 1 has 207: the formats are mixed',
  });
  throws(() => parseWflwList(full.replace(" 0 0 0 0 0 0 ", " 0 0 2 0 0 0 ")), {
    name: "SyntaxError",
    message: /^Cannot parse WFLW list: line 1 has illumination flag \(field 203\) "2", but a flag/,
  });
  throws(() => parseWflwList(sub.replace("1.0", "x")), {
    name: "SyntaxError",
    message: /line 1 has x0 \(field 1\) "x", which is not a number$/,
  });
  throws(() => parseWflwList(full.replace(" 1 2 3 4 ", " 1 2 nan 4 ")), {
    name: "SyntaxError",
    message: /line 1 has box value \(field 199\) "nan"/,
  });
  throws(() => parseWflwList("\n \n"), {
    name: "SyntaxError",
    message: "Cannot parse WFLW list: the text holds no face",
  });
  throws(() => parseWflwList(42 as unknown as string), TypeError);
});

Deno.test({
  name: `parseWflwList: the six real WFLW test subset lists${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const expected: Record<string, number> = {
      largepose: 326,
      expression: 314,
      illumination: 698,
      makeup: 206,
      occlusion: 736,
      blur: 773,
    };
    const byFace = new Map<string, Set<string>>();
    const images = new Set<string>();
    let rows = 0;
    for (const s of SUBSETS) {
      const name = `wflw_test_98pt_${s}.txt`;
      const records = parseWflwList(read(name), { name });
      equal(records.length, expected[s], s);
      rows += records.length;
      for (const r of records) {
        equal(r.box, undefined);
        ok(/\.jpg$/.test(r.image) && r.image.includes("--"));
        const key = `${r.image} ${Array.from(r.landmarks).join(" ")}`;
        byFace.set(key, (byFace.get(key) ?? new Set()).add(s));
        images.add(r.image);
      }
      if (s === "largepose") {
        // README sanity table: x -104.8 ... 1050.8, y 24.1 ... 1315.2
        deepEqual(minMax(every(records, 0)).map((v) => v.toFixed(1)), ["-104.8", "1050.8"]);
        deepEqual(minMax(every(records, 1)).map((v) => v.toFixed(1)), ["24.1", "1315.2"]);
      }
    }
    // README: 3053 rows, 1966 unique faces on 1666 images; 1089/682/180/15 faces with 1..4
    equal(rows, 3053);
    equal(byFace.size, 1966);
    equal(images.size, 1666);
    const histogram = [0, 0, 0, 0, 0];
    for (const subsets of byFace.values()) histogram[subsets.size]! += 1;
    deepEqual(histogram, [0, 1089, 682, 180, 15]);
  },
});

Deno.test({
  name: `parseWflwList: full-format lines synthesised from real faces round-trip${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const records = parseWflwList(read("wflw_test_98pt_makeup.txt")).slice(0, 40);
    const lines = records.map((r, i) => {
      const flags = WFLW_ATTRIBUTES.map((_, j) => (i >> j) & 1);
      return fullLine(r, [i, i + 1, 500 + i, 600 + i], flags);
    });
    const parsed = parseWflwList(lines.join("\n") + "\n", { name: "full.txt" });
    equal(parsed.length, 40);
    for (const [i, p] of parsed.entries()) {
      const record = at(records, i);
      deepEqual(p.landmarks, record.landmarks);
      equal(p.image, record.image);
      deepEqual(p.box, [i, i + 1, 500 + i, 600 + i]);
      for (const [j, name] of WFLW_ATTRIBUTES.entries()) {
        equal(p.attributes?.[name], ((i >> j) & 1) === 1);
      }
    }
  },
});

// --- HRNet 300W CSV -----------------------------------------------------------------------

Deno.test("parse300wCsv: small CSV and malformed input", () => {
  const head = "image_name,scale,center_w,center_h,original_0_x,original_0_y";
  const rec = parse300wCsv(`${head}\nx/a.jpg,2,10.5,20,1.25,2\n\n`, { numPoints: 1 });
  deepEqual(rec, [{
    image: "x/a.jpg",
    scale: 2,
    center: [10.5, 20],
    landmarks: new Float64Array([1.25, 2]),
  }]);
  deepEqual(
    at(parse300wCsv(`${head}\r\nx/a.jpg,2,10.5,20,1.25,2\r\n`, { numPoints: 1, origin: 1 }), 0)
      .landmarks,
    new Float64Array([0.25, 1]),
  );
  const cases: [string, RegExp][] = [
    [
      `${head}\nx/a.jpg,2,10.5,20,1.25\n`,
      /^Cannot parse 300W CSV "c.csv": line 2 has 5 fields but expected 6$/,
    ],
    [`${head}\nx/a.jpg,2,10.5,20,1.25,oops\n`, /line 2 has y0 \(column 6\) "oops", which is not/],
    [`${head}\n,2,10.5,20,1.25,2\n`, /line 2 has an empty image_name$/],
    [`${head}\n"x/a.jpg",2,10.5,20,1.25,2\n`, /line 2 has a quoted field/],
    [head.replace("scale", "size") + "\n", /line 1 is not the HRNet header: column 2 is "size"/],
    [`${head},original_1_x\n`, /line 1 \(header\) has 7 columns but expected 6 for 1 points$/],
    [`${head}\n`, /: the text holds a header but no face$/],
    [`\n\n`, /: the text is empty: no header row$/],
  ];
  for (const [text, message] of cases) {
    throws(
      () => parse300wCsv(text, { name: "c.csv", numPoints: 1 }),
      { name: "SyntaxError", message },
      text,
    );
  }
  throws(() => parse300wCsv(`${head}\n`), {
    name: "SyntaxError",
    message: /line 1 \(header\) has 6 columns but expected 140 for 68 points/,
  });
  throws(() => parse300wCsv(head, { numPoints: 0 }), RangeError);
  throws(() => parse300wCsv(head, { origin: -1 as 0 }), RangeError);
});

Deno.test({
  name: `parse300wCsv: the three real HRNet 300W CSVs${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const sizes: [string, number, string, string][] = [
      ["300w_public_common_68pt.csv", 554, "6.2 3138.7", "26.6 2949.0"],
      ["300w_public_challenge_68pt.csv", 135, "3.0 1726.1", "3.1 1347.8"],
      ["300w_private_test_68pt.csv", 600, "5.0 5007.5", "12.4 4289.3"],
    ];
    for (const [name, count, xs, ys] of sizes) {
      const rows = parse300wCsv(read(name), { name });
      equal(rows.length, count, name);
      // README sanity table ranges (raw, 1-based values)
      equal(minMax(every(rows, 0)).map((v) => v.toFixed(1)).join(" "), xs, name);
      equal(minMax(every(rows, 1)).map((v) => v.toFixed(1)).join(" "), ys, name);
      for (const r of rows) ok(r.scale > 0 && r.landmarks.length === 136 && r.image.length > 0);
    }
    const priv = parse300wCsv(read("300w_private_test_68pt.csv"), { origin: 1 });
    const indoor = priv.find((r) => r.image === "Test/01_Indoor/indoor_001.png");
    ok(indoor !== undefined);
    equal(indoor.scale, 1.01);
    deepEqual(indoor.center, [546, 180.5]);
    deepEqual(Array.from(indoor.landmarks.subarray(0, 4)), [445, 90, 448.459, 118.344]);
  },
});

// --- COFW-68 ------------------------------------------------------------------------------

Deno.test("parseCofw68: small line and malformed input", () => {
  const coords = Array.from({ length: 136 }, (_, i) => String(i / 4));
  const occ = Array.from({ length: 68 }, (_, i) => String(i % 2));
  const line = ["3", "1.5", "2", "30", "40", ...coords, ...occ].join(" ");
  const r = at(parseCofw68(`\n${line}\r\n`), 0);
  equal(r.index, 3);
  deepEqual(r.box, [1.5, 2, 30, 40]);
  equal(r.landmarks[135], 135 / 4);
  deepEqual(Array.from(r.occluded.subarray(0, 4)), [0, 1, 0, 1]);
  const shifted = at(parseCofw68(line, { origin: 1 }), 0);
  deepEqual(shifted.box, [0.5, 1, 30, 40]);
  equal(shifted.landmarks[1], 0.25 - 1);
  const cases: [string, RegExp][] = [
    [line + " 0", /^Cannot parse COFW-68 "c.txt": line 1 has 210 fields but expected 209$/],
    [line.replace(/^3 /, "0 "), /line 1 has index "0" but expected a positive integer$/],
    [line.replace(/^3 /, "3.5 "), /line 1 has index "3.5"/],
    [line.replace(/ 1$/, " 2"), /line 1 has occlusion flag 67 \(field 209\) "2", but a flag/],
    [line.replace(" 30 40 ", " 30 - "), /line 1 has box value \(field 5\) "-"/],
    ["", /: the text holds no face$/],
  ];
  for (const [text, message] of cases) {
    throws(() => parseCofw68(text, { name: "c.txt" }), { name: "SyntaxError", message }, text);
  }
});

Deno.test({
  name: `parseCofw68: the real COFW-68 test annotations${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const rows = parseCofw68(read("cofw68_test_68pt.txt"), { name: "cofw68_test_68pt.txt" });
    equal(rows.length, 507);
    deepEqual(rows.map((r) => r.index), Array.from({ length: 507 }, (_, i) => i + 1));
    const first = at(rows, 0);
    deepEqual(first.box, [64, 9, 120, 116]);
    equal(first.landmarks[0], 58.006261023079475);
    // README: 22.9% of points occluded, 458 faces with at least one; x -17.6 ... 848.3
    const occluded = rows.reduce((s, r) => s + r.occluded.reduce((a, b) => a + b, 0), 0);
    equal((occluded / (507 * 68) * 100).toFixed(1), "22.9");
    equal(rows.filter((r) => r.occluded.some((v) => v === 1)).length, 458);
    deepEqual(minMax(every(rows, 0)).map((v) => v.toFixed(1)), ["-17.6", "848.3"]);
    deepEqual(minMax(every(rows, 1)).map((v) => v.toFixed(1)), ["-1.2", "467.9"]);
  },
});
