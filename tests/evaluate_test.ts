// One-call evaluation, its table, the .npy reader and the any-format landmark reader.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  parseLandmarkFile,
  parseNpy,
  parseWflwList,
  WFLW_ATTRIBUTES,
  type WflwAttributes,
} from "../src/layouts/mod.ts";
import {
  auc,
  cedCurve,
  evaluate,
  failureRate,
  formatEvaluation,
  meanNme,
  nme,
  subsetMetrics,
} from "../src/metrics/mod.ts";
import { HAS_DATA, read, SKIP, WFLW_SUBSET_FILES } from "./_data.ts";
import { npyBytes } from "./_npy.ts";
import { rng } from "./_random.ts";

/** Ground truth of n faces of k points and a prediction with a spread of errors. */
function faces(n: number, k: number, seed: number): { gt: Float64Array; pred: Float64Array } {
  const rand = rng(seed);
  const gt = new Float64Array(n * k * 2).map(() => 20 + rand() * 200);
  const pred = gt.map((v, i) => v + (rand() - 0.5) * (2 + (Math.floor(i / (2 * k)) % 7) * 4));
  return { gt, pred };
}

function randomAttributes(n: number, seed: number): WflwAttributes[] {
  const rand = rng(seed);
  return Array.from({ length: n }, () => ({
    pose: rand() < 0.2,
    expression: rand() < 0.2,
    illumination: rand() < 0.3,
    makeup: false,
    occlusion: rand() < 0.3,
    blur: rand() < 0.3,
  }));
}

Deno.test("evaluate agrees with the separate metrics, per threshold and per subset", () => {
  const { gt, pred } = faces(120, 98, 1);
  const attributes = randomAttributes(120, 2);
  const options = { layout: "wflw", norm: "inter-ocular" } as const;
  const ev = evaluate(pred, gt, { ...options, attributes });
  const nmes = nme(pred, gt, options);
  deepEqual(ev.nmes, nmes);
  equal(ev.count, 120);
  equal(ev.nme, meanNme(nmes));
  deepEqual(ev.thresholds.map((t) => t.threshold), [0.08, 0.1]);
  ok(ev.thresholds.some((t) => t.failureRate > 0 && t.failureRate < 1), "a spread of errors");
  for (const { threshold, failureRate: fr, auc: a } of ev.thresholds) {
    equal(fr, failureRate(nmes, { threshold }));
    equal(a, auc(nmes, { threshold }));
    const table = subsetMetrics(nmes, attributes, { threshold });
    for (const name of WFLW_ATTRIBUTES) {
      const got = ev.subsets?.[name];
      const want = table[name];
      if (want === null) {
        equal(got, null, name);
        continue;
      }
      const at = got!.thresholds.find((t) => t.threshold === threshold)!;
      equal(got!.count, want.count, name);
      equal(got!.nme, want.nme, name);
      equal(at.failureRate, want.failureRate, name);
      equal(at.auc, want.auc, name);
    }
  }
  equal(ev.subsets?.makeup, null);
  deepEqual(ev.ced, cedCurve(nmes, { threshold: 0.1 }));
  // other thresholds, Simpson's AUC, a coarser CED, no attributes
  const other = evaluate(pred, gt, {
    ...options,
    thresholds: [0.05, 0.07, 0.1],
    aucMethod: "simpson",
    cedSteps: 100,
  });
  equal(other.thresholds[1]!.auc, auc(nmes, { threshold: 0.07, method: "simpson" }));
  equal(other.ced.x.length, 101);
  equal(other.subsets, undefined);
});

Deno.test("evaluate rejects bad thresholds and attributes", () => {
  const { gt, pred } = faces(3, 68, 3);
  const options = { layout: "300w", norm: "inter-pupil" } as const;
  throws(() => evaluate(pred, gt, { ...options, thresholds: [0.1, 0.08] }), {
    name: "RangeError",
    message:
      "Cannot compute evaluation as thresholds must be increasing: current value is [0.1,0.08]",
  });
  throws(() => evaluate(pred, gt, { ...options, thresholds: [] }), TypeError);
  throws(() => evaluate(pred, gt, { ...options, thresholds: [0, 0.1] }), RangeError);
  throws(() => evaluate(pred, gt, { ...options, attributes: randomAttributes(2, 1) }), {
    name: "TypeError",
    message: 'Cannot compute evaluation: "attributes" has 2 entries but there are 3 faces',
  });
  const broken = [...randomAttributes(2, 1), { pose: true } as unknown as WflwAttributes];
  throws(
    () => evaluate(pred, gt, { ...options, attributes: broken }),
    /"attributes" entry 2 has no boolean "expression" flag/,
  );
  throws(() => evaluate(pred.subarray(2), gt, options), /"pred" has 406 elements but "gt" has 408/);
});

Deno.test("formatEvaluation prints the scores it is given, one column per subset", () => {
  const { gt, pred } = faces(60, 98, 4);
  const ev = evaluate(pred, gt, {
    layout: "wflw",
    norm: "inter-ocular",
    attributes: randomAttributes(60, 5),
  });
  const lines = formatEvaluation(ev).split("\n");
  const cells = lines.map((l) => l.trim().split(/\s+/));
  deepEqual(cells[0], ["Full", "Pose", "Expr.", "Illum.", "Make-up", "Occl.", "Blur"]);
  deepEqual(lines.map((l) => l.slice(0, 10).trim()), [
    "",
    "Faces",
    "NME (%)",
    "FR@8% (%)",
    "FR@10% (%)",
    "AUC@8%",
    "AUC@10%",
  ]);
  equal(cells[1]![1], "60");
  equal(cells[2]![2], (100 * ev.nme).toFixed(2));
  equal(cells[4]![2], (100 * ev.thresholds[1]!.failureRate).toFixed(2));
  equal(cells[6]![1], ev.thresholds[1]!.auc.toFixed(4));
  equal(cells[2]![3], (100 * ev.subsets!.pose!.nme).toFixed(2));
  equal(cells[2]![6], "-"); // no make-up face
});

Deno.test("parseNpy reads float32 and float64 in versions 1 and 2", () => {
  const values = [1.5, -2.25, 3e-8, 1e30, 0, 7];
  for (const descr of ["<f4", "<f8"]) {
    for (const version of [1, 2] as const) {
      const arr = parseNpy(npyBytes(values, [1, 3, 2], { descr, version }), { name: "a.npy" });
      deepEqual(arr.shape, [1, 3, 2]);
      equal(arr.dtype, descr);
      deepEqual(
        arr.data,
        Float64Array.from(values, (v) => (descr === "<f4" ? Math.fround(v) : v)),
      );
    }
  }
  // a view into a larger buffer, at an odd offset
  const bytes = npyBytes([4, 5], [2], { descr: "<f8" });
  const padded = new Uint8Array(bytes.length + 3);
  padded.set(bytes, 3);
  deepEqual(parseNpy(padded.subarray(3)).data, new Float64Array([4, 5]));
  deepEqual(parseNpy(npyBytes([], [0, 98, 2])).shape, [0, 98, 2]);
});

Deno.test("parseNpy explains what it cannot read", () => {
  const v = [1, 2, 3, 4];
  const cases: [Uint8Array, string | RegExp, string][] = [
    [
      npyBytes(v, [2, 2], { descr: "<i4" }),
      'Cannot parse NumPy file "p.npy": dtype "<i4" is not supported: save float32 or float64 little-endian, e.g. np.save(f, a.astype("<f4"))',
      "TypeError",
    ],
    [
      npyBytes(v, [2, 2], { descr: ">f8" }),
      /dtype ">f8" is not supported \(big-endian\)/,
      "TypeError",
    ],
    [npyBytes(v, [2, 2], { descr: "<f2" }), /dtype "<f2" is not supported/, "TypeError"],
    [
      npyBytes(v, [2, 2], { fortran: true }),
      'Cannot parse NumPy file "p.npy": Fortran order is not supported: save np.ascontiguousarray(a)',
      "TypeError",
    ],
    [
      npyBytes(v, [2, 2], {
        header: "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }",
      }),
      /dtype "a structured dtype" is not supported/,
      "TypeError",
    ],
    [
      npyBytes(v, [2, 3]),
      'Cannot parse NumPy file "p.npy": the shape (2, 3) needs 24 bytes of data but the file has 16',
      "SyntaxError",
    ],
    [
      npyBytes(v, [1e12, 1e3]),
      /the shape \(1000000000000, 1000\) needs 4000000000000000 bytes of data but the file has 16/,
      "SyntaxError",
    ],
    [
      npyBytes(v, [4], { header: "{'descr': '<f4', 'shape': (4,), }" }),
      /no valid "fortran_order"/,
      "SyntaxError",
    ],
    [
      npyBytes(v, [4], { header: "{'descr': '<f4', 'fortran_order': False, 'shape': (a, 2), }" }),
      /the shape \(a, 2\) is not a tuple of integers/,
      "SyntaxError",
    ],
    [
      new TextEncoder().encode("1 2 3 4\n"),
      /does not start with the \.npy magic string/,
      "SyntaxError",
    ],
    [npyBytes(v, [4]).subarray(0, 40), /the header is cut short/, "SyntaxError"],
  ];
  for (const [bytes, message, name] of cases) {
    throws(() => parseNpy(bytes, { name: "p.npy" }), { name, message });
  }
  throws(() => parseNpy([1, 2] as unknown as Uint8Array), TypeError);
});

Deno.test("parseLandmarkFile reads .npy and tells the text formats apart", () => {
  const { gt } = faces(4, 68, 6);
  const f32 = parseLandmarkFile(npyBytes(gt, [4, 68, 2]), { name: "pred.npy" });
  equal(f32.format, "npy");
  equal(f32.count, 4);
  equal(f32.numPoints, 68);
  deepEqual(f32.landmarks, Float64Array.from(gt, Math.fround));
  const f64 = parseLandmarkFile(npyBytes(gt, [4, 68, 2], { descr: "<f8" }), { name: "p.npy" });
  deepEqual(f64.landmarks, gt);
  throws(() => parseLandmarkFile(npyBytes(gt, [4, 136]), { name: "p.npy" }), {
    name: "TypeError",
    message:
      'Cannot read landmarks "p.npy": the array has shape (4, 136) but landmarks are [N, K, 2] with N, K > 0',
  });
  const pts = parseLandmarkFile("version: 1\nn_points: 2\n{\n1 2\n3 4\n}\n", {
    name: "a.pts",
    origin: 1,
  });
  deepEqual([pts.format, pts.count, pts.numPoints], ["pts", 1, 2]);
  deepEqual(pts.landmarks, new Float64Array([0, 1, 2, 3]));
  const coords = Array.from({ length: 196 }, (_, i) => i / 4).join(" ");
  const full = parseLandmarkFile(`${coords} 10 20 110 170 1 0 0 0 0 1 a/b.jpg\n`, {
    name: "list.txt",
  });
  equal(full.format, "wflw");
  deepEqual(full.boxes, new Float64Array([10, 20, 100, 150]));
  equal(full.attributes?.[0]?.blur, true);
  throws(() => parseLandmarkFile("1 2 3\n", { name: "x.txt" }), {
    name: "SyntaxError",
    message: /^Cannot read landmarks "x.txt": unknown format .* first line has 3 fields$/,
  });
  throws(() => parseLandmarkFile("1 2", { name: "x.txt", format: "xml" as "npy" }), RangeError);
  throws(() => parseLandmarkFile("1 2", { name: "x.npy" }), /a \.npy file is bytes/);
});

Deno.test({
  name: `parseLandmarkFile and evaluate on the real annotation files${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const bytes = (name: string) => new TextEncoder().encode(read(name));
    const csv = parseLandmarkFile(bytes("300w_public_challenge_68pt.csv"), { name: "c.csv" });
    deepEqual([csv.format, csv.count, csv.numPoints], ["300w-csv", 135, 68]);
    const cofw = parseLandmarkFile(bytes("cofw68_test_68pt.txt"), { name: "cofw.txt" });
    deepEqual([cofw.format, cofw.count, cofw.numPoints], ["cofw68", 507, 68]);
    equal(cofw.boxes?.length, 507 * 4);
    const blur = parseLandmarkFile(bytes(WFLW_SUBSET_FILES.blur), { name: "blur.txt" });
    deepEqual([blur.format, blur.count, blur.numPoints], ["wflw", 773, 98]);
    const records = parseWflwList(read(WFLW_SUBSET_FILES.blur));
    deepEqual(blur.landmarks.subarray(196, 392), records[1]!.landmarks);
    // a prediction exported from NumPy scores as the same landmarks in memory
    const rand = rng(9);
    const pred = blur.landmarks.map((v) => v + (rand() - 0.5) * 6);
    const fromFile = parseLandmarkFile(npyBytes(pred, [773, 98, 2], { descr: "<f8" }), {
      name: "pred.npy",
    });
    const options = { layout: "wflw", norm: "inter-ocular" } as const;
    const a = evaluate(fromFile.landmarks, blur.landmarks, options);
    const b = evaluate(Float32Array.from(pred), blur.landmarks, options);
    ok(Math.abs(a.nme - b.nme) < 1e-6 * a.nme);
    ok(a.nme > 0.005 && a.nme < 0.1);
  },
});
