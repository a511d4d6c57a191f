// Tests of the face-alignment metrics (src/metrics/). Hand-worked cases are explained in the
// comments; Simpson fixtures were computed with SciPy 1.17 `scipy.integrate.simpson` in
// float64. Real-data tests use ../shared/data/landmarks and are skipped, visibly, when absent.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  type LayoutName,
  parse300wCsv,
  parseCofw68,
  parseWflwList,
  WFLW_ATTRIBUTES,
  type WflwAttributeName,
  type WflwAttributes,
} from "../src/layouts/mod.ts";
import {
  auc,
  cedCurve,
  failureRate,
  meanNme,
  nme,
  normDistance,
  subsetMetrics,
} from "../src/metrics/mod.ts";
import { _simpson } from "../src/metrics/_simpson.ts";
import { at } from "./_assert.ts";
import { HAS_DATA, read, SKIP, WFLW_SUBSET_FILES } from "./_data.ts";

function close(actual: number, expected: number, tol: number, what = ""): void {
  ok(
    Math.abs(actual - expected) <= tol,
    `${what}: ${actual} differs from ${expected} by more than ${tol}`,
  );
}

/** Element-wise |a - b| <= tol (f64 rounding of hand-worked fractions). */
function closeAll(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-15): void {
  equal(actual.length, expected.length, "length");
  for (const [i, e] of expected.entries()) close(at(actual, i), e, tol, `[${i}]`);
}

function stack(list: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(list.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of list) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

// --- NME, hand-worked --------------------------------------------------------------------

// Two faces of 3 points.
// Face 0: gt (0,0) (4,0) (0,3); pred (1,0) (4,0) (0,5): errors 1, 0, 2 -> mean error 1.
//   GT box: w = 4, h = 3 -> diagonal 5, sqrt area sqrt(12), max side 4; pair [0,1]: d = 4.
// Face 1: gt (1,1) (7,1) (1,9); pred (4,5) (7,1) (1,9): errors 5, 0, 0 -> mean error 5/3.
//   GT box: w = 6, h = 8 -> diagonal 10, sqrt area sqrt(48), max side 8; pair [0,1]: d = 6.
const GT3 = new Float64Array([0, 0, 4, 0, 0, 3, 1, 1, 7, 1, 1, 9]);
const PRED3 = new Float64Array([1, 0, 4, 0, 0, 5, 4, 5, 7, 1, 1, 9]);

Deno.test("nme: hand-worked 2 faces x 3 points, every generic normaliser", () => {
  const opts = { numPoints: 3 } as const;
  closeAll(nme(PRED3, GT3, { ...opts, norm: { pair: [0, 1] } }), [1 / 4, 5 / 18]);
  closeAll(nme(PRED3, GT3, { ...opts, norm: "bbox-diagonal" }), [1 / 5, 1 / 6]);
  closeAll(nme(PRED3, GT3, { ...opts, norm: "bbox-sqrt-area" }), [
    1 / Math.sqrt(12),
    5 / 3 / Math.sqrt(48),
  ]);
  closeAll(nme(PRED3, GT3, { ...opts, norm: "bbox-max-side" }), [1 / 4, 5 / 24]);
  // explicit boxes x, y, w, h: face 0 is 3 x 4 (diagonal 5), face 1 is 5 x 12 (diagonal 13)
  const boxes = new Float64Array([0, 0, 3, 4, 9, 9, 5, 12]);
  closeAll(nme(PRED3, GT3, { ...opts, norm: "bbox-diagonal", boxes }), [1 / 5, 5 / 3 / 13]);
  closeAll(nme(PRED3, GT3, { ...opts, norm: "bbox-max-side", boxes: new Float32Array(boxes) }), [
    1 / 4,
    5 / 3 / 12,
  ]);
  closeAll(nme(PRED3, GT3, { ...opts, norm: "bbox-sqrt-area", boxes }), [
    1 / Math.sqrt(12),
    5 / 3 / Math.sqrt(60),
  ]);
  // pair order does not matter; float32 input gives the same (exactly representable) values
  closeAll(
    nme(new Float32Array(PRED3), new Float32Array(GT3), { ...opts, norm: { pair: [1, 0] } }),
    [1 / 4, 5 / 18],
  );
  // perfect prediction
  closeAll(nme(GT3, GT3, { ...opts, norm: "bbox-diagonal" }), [0, 0]);
  // mean NME of face values: (1/4 + 5/18) / 2
  equal(meanNme(nme(PRED3, GT3, { ...opts, norm: { pair: [0, 1] } })), (1 / 4 + 5 / 18) / 2);
});

/** A 68-point face with eye contours centred at (2, 1) and (14, 6); corners 36 = (0, 0), 45 = (15, 5). */
function face68(): Float64Array {
  const g = new Float64Array(136);
  for (let k = 0; k < 68; k++) {
    g[2 * k] = 100 + k;
    g[2 * k + 1] = 50 + 2 * k;
  }
  const left = [[0, 0], [1, -1], [2, -1], [3, 0], [4, 1], [2, 7]]; // 36..41, sum (12, 6)
  const right = [[12, 5], [13, 4], [14, 4], [15, 5], [16, 6], [14, 12]]; // 42..47, sum (84, 36)
  left.forEach((xy, j) => g.set(xy, 2 * (36 + j)));
  right.forEach((xy, j) => g.set(xy, 2 * (42 + j)));
  return g;
}

/** A face of k points with coordinate values 0, 1, 2, ..., then the given points moved. */
function faceWith(k: number, points: Record<number, [x: number, y: number]>): Float64Array {
  const face = new Float64Array(2 * k).map((_, i) => i);
  for (const [p, xy] of Object.entries(points)) face.set(xy, 2 * Number(p));
  return face;
}

Deno.test("nme: inter-ocular and inter-pupil of the 300W, WFLW and COFW layouts", () => {
  // Every predicted point is off by (3, 4): mean error 5.
  const shift = (g: Float64Array): Float64Array => g.map((v, i) => v + (i % 2 === 0 ? 3 : 4));
  const g68 = face68();
  // inter-ocular: |(15, 5) - (0, 0)| = sqrt(250); inter-pupil: |(14, 6) - (2, 1)| = 13
  closeAll(nme(shift(g68), g68, { layout: "300w", norm: "inter-ocular" }), [5 / Math.sqrt(250)]);
  deepEqual(normDistance(g68, { numPoints: 68, norm: "inter-pupil" }), new Float64Array([13]));
  close(at(nme(shift(g68), g68, { numPoints: 68, norm: "inter-pupil" }), 0), 5 / 13, 1e-15);
  // WFLW: corners 60/72, pupils 96/97
  const g98 = faceWith(98, { 60: [0, 0], 72: [30, 40], 96: [5, 5], 97: [5, 29] });
  deepEqual(normDistance(g98, { layout: "wflw", norm: "inter-ocular" }), new Float64Array([50]));
  deepEqual(normDistance(g98, { layout: 98, norm: "inter-pupil" }), new Float64Array([24]));
  closeAll(nme(shift(g98), g98, { layout: "wflw", norm: "inter-pupil" }), [5 / 24]);
  // COFW: corners 8/9, pupils 16/17
  const g29 = faceWith(29, { 8: [0, 0], 9: [0, 7], 16: [1, 1], 17: [4, 5] });
  deepEqual(normDistance(g29, { layout: "cofw", norm: "inter-ocular" }), new Float64Array([7]));
  deepEqual(normDistance(g29, { numPoints: 29, norm: "inter-pupil" }), new Float64Array([5]));
  // a layout object works too; several faces: distance per face
  const two = stack([g68, g68.map((v) => 2 * v)]);
  deepEqual(normDistance(two, { layout: "300w", norm: "inter-pupil" }), new Float64Array([13, 26]));
});

Deno.test("nme: bad input throws clear errors", () => {
  const o3 = { numPoints: 3, norm: "bbox-diagonal" } as const;
  throws(() => nme(PRED3, GT3.subarray(0, 6), o3), {
    name: "TypeError",
    message: 'Cannot compute NME: "pred" has 12 elements but "gt" has 6',
  });
  throws(() => nme(PRED3, GT3, { numPoints: 4, norm: "bbox-diagonal" }), {
    name: "TypeError",
    message: /"gt" has 12 elements, which is not a positive multiple of 2 x 4/,
  });
  throws(() => nme(new Float64Array(0), new Float64Array(0), o3), TypeError);
  throws(() => nme(Array.from(PRED3) as unknown as Float64Array, GT3, o3), {
    name: "TypeError",
    message: 'Cannot compute NME: "pred" must be a Float32Array or Float64Array',
  });
  const nan = PRED3.slice();
  nan[4] = NaN;
  throws(() => nme(nan, GT3, o3), {
    name: "RangeError",
    message: 'Cannot compute NME: "pred" has a NaN at index 4',
  });
  const inf = GT3.slice();
  inf[11] = -Infinity;
  throws(() => nme(PRED3, inf, o3), {
    name: "RangeError",
    message: 'Cannot compute NME: "gt" has -Infinity at index 11',
  });
  throws(() => nme(PRED3, GT3, { norm: "bbox-diagonal" }), {
    name: "TypeError",
    message: 'Cannot compute NME: pass "layout" or "numPoints" in the options',
  });
  throws(() => nme(PRED3, GT3, undefined as unknown as { norm: "bbox-diagonal" }), TypeError);
  throws(() => nme(PRED3, GT3, { numPoints: 1.5, norm: "bbox-diagonal" }), RangeError);
  throws(() => nme(PRED3, GT3, { layout: "300w", numPoints: 3, norm: "bbox-diagonal" }), {
    name: "RangeError",
    message: 'Cannot compute NME: numPoints is 3 but layout "300w" has 68 points',
  });
  throws(() => nme(PRED3, GT3, { layout: "aflw" as "cofw", norm: "inter-ocular" }), {
    name: "RangeError",
    message: /Cannot get layout: unknown layout name "aflw"/,
  });
  throws(() => nme(PRED3, GT3, { numPoints: 3, norm: "inter-ocular" }), {
    name: "RangeError",
    message:
      'Cannot compute NME: "inter-ocular" needs a layout and no built-in layout has 3 points; use { pair: [i, j] } or a "bbox-*" normaliser',
  });
  throws(() => nme(PRED3, GT3, { numPoints: 3, norm: "iod" as "inter-ocular" }), {
    name: "RangeError",
    message: /Cannot compute NME: unknown norm "iod", expected "inter-ocular"/,
  });
  throws(() => nme(PRED3, GT3, { numPoints: 3, norm: { pair: [0, 3] } }), {
    name: "RangeError",
    message: "Cannot compute NME: norm pair index 3 is outside 0..2",
  });
  throws(() => nme(PRED3, GT3, { numPoints: 3, norm: { pair: [1, 1] } }), RangeError);
  throws(() => nme(PRED3, GT3, { numPoints: 3, norm: { pair: [0, 0.5] } }), RangeError);
  // zero normalising distance: coincident pair, flat box, zero box
  const flat = new Float64Array([0, 0, 0, 0, 0, 0, 1, 1, 7, 1, 1, 9]);
  throws(() => nme(PRED3, flat, { numPoints: 3, norm: { pair: [0, 1] } }), {
    name: "RangeError",
    message: "Cannot compute NME: the normalising distance of image 0 is 0",
  });
  const line = new Float64Array([0, 0, 4, 0, 0, 3, 1, 1, 7, 1, 3, 1]);
  throws(() => nme(PRED3, line, { numPoints: 3, norm: "bbox-sqrt-area" }), {
    name: "RangeError",
    message: "Cannot compute NME: the normalising distance of image 1 is 0",
  });
  const zeroBox = new Float64Array([0, 0, 0, 0, 0, 0, 1, 1]);
  throws(() => nme(PRED3, GT3, { ...o3, boxes: zeroBox }), /image 0 is 0/);
  // boxes: wrong length, negative size, NaN, misuse with a non-box normaliser
  throws(() => nme(PRED3, GT3, { ...o3, boxes: new Float64Array(4) }), {
    name: "TypeError",
    message: 'Cannot compute NME: "boxes" has 4 elements but expected 4 x 2 (shape [N, 4])',
  });
  throws(
    () => nme(PRED3, GT3, { ...o3, boxes: new Float64Array([0, 0, -3, 4, 0, 0, 1, 1]) }),
    {
      name: "RangeError",
      message: "Cannot compute NME: box 0 has a negative size (w = -3, h = 4)",
    },
  );
  throws(
    () => nme(PRED3, GT3, { ...o3, boxes: new Float64Array([0, 0, NaN, 4, 0, 0, 1, 1]) }),
    { name: "RangeError", message: 'Cannot compute NME: "boxes" has a NaN at index 2' },
  );
  throws(
    () => nme(PRED3, GT3, { numPoints: 3, norm: { pair: [0, 1] }, boxes: new Float64Array(8) }),
    { name: "TypeError", message: /"boxes" is only used by the "bbox-\*" normalisers/ },
  );
  // normDistance has the same checks under its own name
  throws(() => normDistance(flat, { numPoints: 3, norm: { pair: [0, 1] } }), {
    name: "RangeError",
    message: "Cannot compute normalising distance: the normalising distance of image 0 is 0",
  });
});

// --- summary metrics ---------------------------------------------------------------------

// Deterministic synthetic NMEs: 0.15 f^2 with f = frac(i * golden ratio), i = 1..2500
// (mean 0.0499831). The SciPy fixtures below use exactly these values and the same grids.
const SYNTH = Float64Array.from({ length: 2500 }, (_, j) => {
  const f = ((j + 1) * 0.6180339887498949) % 1;
  return 0.15 * f * f;
});

Deno.test("meanNme and failureRate: values, strictness, errors", () => {
  equal(meanNme([0.25]), 0.25);
  equal(meanNme(new Float32Array([0.5, 0.25])), 0.375);
  close(meanNme(SYNTH), 0.04998309949943673, 1e-15, "mean");
  // strict: an NME equal to the threshold is not a failure
  equal(failureRate([0.1]), 0);
  equal(failureRate([0.1 + 1e-12]), 1);
  equal(failureRate([0.08, 0.1, 0.12, 0]), 0.25);
  equal(failureRate([0.08, 0.1, 0.12, 0], { threshold: 0.08 }), 0.5);
  equal(failureRate([0.08, 0.1, 0.12, 0], { threshold: 0.07 }), 0.75);
  equal(failureRate(SYNTH), 0.1836);
  equal(failureRate(SYNTH, { threshold: 0.08 }), 0.2696);
  for (const fn of [meanNme, failureRate, auc, (v: number[]) => cedCurve(v).y[0]]) {
    throws(() => fn([]), { name: "TypeError", message: /"nmes" is empty$/ });
    throws(() => fn([0.1, NaN]), { name: "RangeError", message: /"nmes" has a NaN at index 1$/ });
    throws(() => fn([Infinity]), { name: "RangeError", message: /"nmes" has Infinity at index 0/ });
    throws(() => fn([0.1, -0.01]), {
      name: "RangeError",
      message: /"nmes" has a negative value \(-0.01\) at index 1$/,
    });
    throws(() => fn("0.1" as unknown as number[]), TypeError);
  }
  for (const threshold of [0, -0.1, NaN, Infinity]) {
    throws(() => failureRate([0.1], { threshold }), {
      name: "RangeError",
      message: /^Cannot compute failure rate as threshold must be a finite number > 0: current/,
    });
    throws(() => auc([0.1], { threshold }), RangeError);
    throws(() => cedCurve([0.1], { threshold }), RangeError);
  }
});

Deno.test("auc exact: closed form", () => {
  equal(auc([0, 0, 0]), 1);
  equal(auc([0.1, 0.2, 5]), 0);
  equal(auc([0.05]), 0.5);
  // (1 - 0.2) + (1 - 0.5) + 0 over 3, threshold 0.1
  close(auc([0.02, 0.05, 0.3]), (0.8 + 0.5 + 0) / 3, 1e-15);
  close(auc([0.02, 0.05, 0.3], { threshold: 0.08 }), (0.75 + 0.375) / 3, 1e-15);
  close(auc(SYNTH), 0.5444440395276824, 1e-14, "exact t=0.1");
  close(auc(SYNTH, { threshold: 0.08 }), 0.4869936320148232, 1e-14, "exact t=0.08");
  // the exact AUC is the integral of the CED: a fine midpoint sum agrees
  const { x, y } = cedCurve(SYNTH, { steps: 200000 });
  let area = 0;
  for (let i = 1; i < x.length; i++) area += (at(x, i) - at(x, i - 1)) * at(y, i - 1);
  close(area / 0.1, auc(SYNTH), 1e-5, "Riemann");
});

Deno.test("auc simpson: matches scipy.integrate.simpson (PIPNet convention)", () => {
  // xs = i * t / steps (i < steps), last = t; ys = CED(xs); simpson(ys, x=xs) / t
  close(auc(SYNTH, { method: "simpson" }), 0.5444366666666667, 1e-13, "t=0.1, 1001 pts");
  close(
    auc(SYNTH, { method: "simpson", threshold: 0.08 }),
    0.4869853333333333,
    1e-13,
    "t=0.08, 801 pts",
  );
  // an even number of points (1000) uses SciPy's last-interval correction
  close(
    auc(SYNTH, { method: "simpson", threshold: 0.0999 }),
    0.5441647647647647,
    1e-13,
    "t=0.0999, 1000 pts",
  );
  close(
    auc(SYNTH, { method: "simpson", step: 0.1 / 3 }),
    0.5322888888888889,
    1e-13,
    "t=0.1, 4 pts",
  );
  // exact and Simpson agree within 1e-4 on many images (here 7.4e-6)
  for (const threshold of [0.05, 0.08, 0.1]) {
    const e = auc(SYNTH, { threshold });
    const s = auc(SYNTH, { threshold, method: "simpson" });
    close(s, e, 1e-4, `t=${threshold}`);
  }
  // constant CED: Simpson is exact
  equal(auc([0, 0], { method: "simpson" }), 1);
  equal(auc([0.2, 0.3], { method: "simpson" }), 0);
  // bad options
  throws(() => auc([0.1], { method: "trapezoid" as "exact" }), {
    name: "RangeError",
    message: 'Cannot compute AUC: unknown method "trapezoid", expected "exact" or "simpson"',
  });
  throws(() => auc([0.1], { method: "simpson", step: 3e-4 }), {
    name: "RangeError",
    message: "Cannot compute AUC: threshold 0.1 is not a multiple of step 0.0003",
  });
  throws(() => auc([0.1], { method: "simpson", step: 0.1 }), /needs at least 3 points/);
  throws(() => auc([0.1], { method: "simpson", step: 0 }), RangeError);
});

Deno.test("_simpson: exact for quadratics on non-uniform grids, odd and even counts", () => {
  const f = (x: number): number => 3 * x * x - 2 * x + 1; // integral over [0, 1]: 1 - 1 + 1 = 1
  for (const xs of [[0, 0.2, 0.5, 0.7, 1], [0, 0.1, 0.4, 1], [0, 0.3, 0.35, 0.6, 0.9, 1]]) {
    close(_simpson(xs.map(f), xs), 1, 1e-14, `${xs.length} points`);
  }
});

Deno.test("cedCurve: grid, inclusive counts, last point", () => {
  const { x, y } = cedCurve([0.01, 0.03, 0.2, 0.04], { threshold: 0.04, steps: 4 });
  equal(x.length, 5);
  equal(x[4], 0.04);
  // NME 0.01 is counted at x = 0.01 (<=); 0.04 at x = 0.04
  deepEqual(y, new Float64Array([0, 0.25, 0.25, 0.5, 0.75]));
  const ced = cedCurve(SYNTH);
  equal(ced.x.length, 1001);
  equal(ced.x[1000], 0.1);
  deepEqual(ced.x, Float64Array.from({ length: 1001 }, (_, i) => i * 1e-4)); // np.arange
  equal(ced.y[1000], 1 - failureRate(SYNTH));
  for (let i = 1; i < ced.y.length; i++) ok(at(ced.y, i) >= at(ced.y, i - 1));
  throws(() => cedCurve([0.1], { steps: 0 }), {
    name: "RangeError",
    message: "Cannot compute CED curve as steps must be a positive integer: current value is 0",
  });
  throws(() => cedCurve([0.1], { steps: 2.5 }), RangeError);
});

const NONE: WflwAttributes = {
  pose: false,
  expression: false,
  illumination: false,
  makeup: false,
  occlusion: false,
  blur: false,
};

Deno.test("subsetMetrics: hand-worked breakdown", () => {
  const nmes = [0.02, 0.12, 0.06, 0.04];
  const attrs: WflwAttributes[] = [
    NONE,
    { ...NONE, pose: true, blur: true },
    { ...NONE, pose: true },
    { ...NONE, blur: true, makeup: true },
  ];
  const out = subsetMetrics(nmes, attrs);
  deepEqual(Object.keys(out), ["all", ...WFLW_ATTRIBUTES]);
  equal(out.all.count, 4);
  close(out.all.nme, 0.06, 1e-15);
  equal(out.all.failureRate, 0.25);
  close(out.all.auc, (0.8 + 0 + 0.4 + 0.6) / 4, 1e-15);
  // pose: images 1 and 2 -> NME 0.09, FR 0.5, AUC (0 + 0.4) / 2
  equal(out.pose?.count, 2);
  close(out.pose?.nme ?? NaN, 0.09, 1e-15);
  equal(out.pose?.failureRate, 0.5);
  close(out.pose?.auc ?? NaN, 0.2, 1e-15);
  // blur: images 1 and 3; makeup: image 3 only; the others are empty
  close(out.blur?.nme ?? NaN, 0.08, 1e-15);
  deepEqual(out.makeup, { count: 1, nme: 0.04, failureRate: 0, auc: 1 - 0.04 / 0.1 });
  equal(out.expression, null);
  equal(out.illumination, null);
  equal(out.occlusion, null);
  // options reach every subset
  const t = subsetMetrics(nmes, attrs, { threshold: 0.05, aucMethod: "simpson" });
  equal(t.all.failureRate, 0.5);
  equal(t.all.auc, auc(nmes, { threshold: 0.05, method: "simpson" }));
  // errors
  throws(() => subsetMetrics(nmes, attrs.slice(1)), {
    name: "TypeError",
    message: 'Cannot compute subset metrics: "attributes" has 3 entries but "nmes" has 4',
  });
  const bad = [...attrs];
  bad[2] = { ...NONE, pose: 1 as unknown as boolean };
  throws(() => subsetMetrics(nmes, bad), {
    name: "TypeError",
    message: 'Cannot compute subset metrics: "attributes" entry 2 has no boolean "pose" flag',
  });
  throws(() => subsetMetrics([], []), TypeError);
  throws(() => subsetMetrics(nmes, attrs, { threshold: -1 }), {
    name: "RangeError",
    message: /^Cannot compute subset metrics as threshold must be a finite number > 0/,
  });
  throws(() => subsetMetrics(nmes, attrs, { aucMethod: "riemann" as "exact" }), RangeError);
});

// --- real data ---------------------------------------------------------------------------

Deno.test({
  name: `normDistance: mean inter-ocular distances match the data README${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const check = (
      gt: Float64Array,
      layout: LayoutName,
      m: string,
      lo: string,
      hi: string,
    ): Float64Array => {
      const d = normDistance(gt, { layout, norm: "inter-ocular" });
      equal(mean(d).toFixed(2), m, layout);
      deepEqual([Math.min(...d).toFixed(1), Math.max(...d).toFixed(1)], [lo, hi], layout);
      return d;
    };
    const csv = (name: string): Float64Array =>
      stack(parse300wCsv(read(name)).map((r) => r.landmarks));
    const common = csv("300w_public_common_68pt.csv");
    const io = check(common, "300w", "280.64", "47.0", "1361.8");
    check(csv("300w_public_challenge_68pt.csv"), "300w", "111.58", "22.8", "680.8");
    check(csv("300w_private_test_68pt.csv"), "300w", "151.29", "39.3", "805.0");
    const cofw68 = stack(parseCofw68(read("cofw68_test_68pt.txt")).map((r) => r.landmarks));
    check(cofw68, "300w", "78.71", "63.7", "98.4");
    const wflw = (s: string): Float64Array =>
      stack(parseWflwList(read(`wflw_test_98pt_${s}.txt`)).map((r) => r.landmarks));
    check(wflw("largepose"), "wflw", "50.61", "17.9", "260.6");
    check(wflw("expression"), "wflw", "79.37", "21.5", "470.8");
    check(wflw("makeup"), "wflw", "113.86", "20.8", "530.1");
    // eye-centroid ("inter-pupil") / corner distance: 0.722, the ratio of AWing's 300W
    // inter-ocular to inter-pupil NMEs (2.72 / 3.77)
    const ip = normDistance(common, { layout: "300w", norm: "inter-pupil" });
    close(mean(ip.map((v, i) => v / at(io, i))), 0.7217, 5e-4, "ratio");
    // COFW 29 points: pupils 16/17 are 55.00 apart in both sample faces
    const json = JSON.parse(read("cofw_test_29pt_mmpose_sample.json")) as {
      annotations: { keypoints: number[] }[];
    };
    const g29 = Float64Array.from(
      json.annotations.flatMap((a) => a.keypoints.filter((_, i) => i % 3 !== 2)),
    );
    deepEqual(
      Array.from(normDistance(g29, { layout: "cofw", norm: "inter-pupil" }), (v) => v.toFixed(2)),
      ["55.00", "55.00"],
    );
  },
});

/** Deterministic "prediction": NME 0 to ~0.15 per face, a function of the face only. */
function jitter(gt: Float64Array, layout: "wflw" | "300w"): Float64Array {
  const k = layout === "wflw" ? 98 : 68;
  const d = normDistance(gt, { layout, norm: "inter-ocular" });
  const out = gt.slice();
  for (let i = 0; i < d.length; i++) {
    const scale = 0.4 * at(d, i) * ((at(gt, 2 * k * i) * 7.77) % 1); // depends on the face only
    for (let j = 0; j < 2 * k; j++) out[2 * k * i + j]! += scale * (((j * 0.618034) % 1) - 0.5);
  }
  return out;
}

Deno.test({
  name: `subsetMetrics: attributes rebuilt from the WFLW lists agree per subset${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    // rebuild the unique faces and their flags (README: key = image + coordinates)
    const faces = new Map<string, { landmarks: Float64Array; flags: Set<string> }>();
    const perList = new Map<WflwAttributeName, Float64Array>();
    for (const name of WFLW_ATTRIBUTES) {
      const records = parseWflwList(read(WFLW_SUBSET_FILES[name]));
      perList.set(name, stack(records.map((r) => r.landmarks)));
      for (const r of records) {
        const key = `${r.image} ${r.landmarks.join(" ")}`;
        const face = faces.get(key) ?? { landmarks: r.landmarks, flags: new Set<string>() };
        face.flags.add(name);
        faces.set(key, face);
      }
    }
    equal(faces.size, 1966);
    const list = [...faces.values()];
    const gt = stack(list.map((f) => f.landmarks));
    const attributes = list.map((f) =>
      Object.fromEntries(WFLW_ATTRIBUTES.map((a) => [a, f.flags.has(a)])) as WflwAttributes
    );
    const nmes = nme(jitter(gt, "wflw"), gt, { layout: "wflw", norm: "inter-ocular" });
    const out = subsetMetrics(nmes, attributes, { aucMethod: "simpson" });
    equal(out.all.count, 1966);
    for (const name of WFLW_ATTRIBUTES) {
      // the same metrics computed on the subset list file directly
      const g = perList.get(name)!;
      const direct = nme(jitter(g, "wflw"), g, { layout: "wflw", norm: "inter-ocular" });
      const r = out[name];
      ok(r !== null);
      equal(r.count, direct.length, name);
      close(r.nme, meanNme(direct), 1e-12, name);
      close(r.failureRate, failureRate(direct), 1e-12, name);
      close(r.auc, auc(direct, { method: "simpson" }), 1e-12, name);
      ok(r.failureRate > 0 && r.failureRate < 1 && r.auc > 0 && r.auc < 1, name);
    }
  },
});
