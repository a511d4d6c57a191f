// Every comparison at its boundary, with values exact in float32, in the SIMD body and in the
// tail, for the WASM core (public API), the CUDA host entry points and the float64 reference:
// the loss map's strict `> mapThreshold` (compared in float32 everywhere), the branch
// switches |e| < w (Wing), |e| < w1 (Soft Wing) and |e| < theta (AWing), zero error, the
// Gaussian window |j - x| <= 3 sigma, the on-map bounds of both off-map rules, the official
// x > 0, the visibility > 0 and the boundary targets' d < 3 sigma.
import { deepEqual, equal, ok } from "node:assert/strict";
import { boundaryHeatmaps, gaussianHeatmaps } from "../src/heatmap/mod.ts";
import { awingLoss, l1Loss, mseLoss, softWingLoss, weightMap, wingLoss } from "../src/loss/mod.ts";
import {
  boundaryHeatmapsReference,
  gaussianHeatmapsReference,
  lossReference,
  type LossReferenceOptions,
  weightMapReference,
} from "../src/reference/mod.ts";
import type { Shape4 } from "../src/types.ts";
import { hostAwing, hostGaussian } from "./_cuda_host.ts";
import { closeCuda } from "../src/gpu/mod.ts";
import { at } from "./_assert.ts";
import { eachPixel, type LossFn, near, nextDown, nextUp } from "./_pixels.ts";
import { cudaTestStatus } from "./_gpu.ts";

const { haveLib, noLib } = cudaTestStatus();

// ------------------------------------------------------------------------ the loss map

// rows of 1..9 pixels: SIMD body and scalar tail of each row pass of the dilation and of the
// threshold pass (first row, middle rows, last row)
const MAP_SHAPES: Shape4[] = [[1, 1, 1, 5], [1, 1, 1, 8], [1, 1, 3, 4], [1, 1, 5, 7], [
  2,
  1,
  6,
  9,
], [1, 1, 4, 1]];
// 0.2 is not a float32: the threshold is rounded first
const THRESHOLDS = [0.2, 0.5, 0, -0.25, 0.7];

/** The expected map: 11 on the 3x3 squares around the pixels above the threshold, else 1. */
function expectedMap(above: boolean[], shape: Shape4): Float32Array {
  const [n, k, h, w] = shape;
  const out = new Float32Array(above.length).fill(1);
  for (let c = 0; c < n * k; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        if (!above[c * h * w + i * w + j]) continue;
        for (let di = -1; di <= 1; di++) {
          for (let dj = -1; dj <= 1; dj++) {
            const ii = i + di, jj = j + dj;
            if (ii >= 0 && ii < h && jj >= 0 && jj < w) out[c * h * w + ii * w + jj] = 11;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Target maps at a threshold t (float32): all t, all just above, all just below, and a field
 * of t with one pixel just above at each position in turn.
 */
function thresholdMaps(t: number, shape: Shape4): { target: Float32Array; above: boolean[] }[] {
  const size = shape[0] * shape[1] * shape[2] * shape[3];
  const t32 = Math.fround(t);
  const maps = [
    { target: new Float32Array(size).fill(t32), above: new Array(size).fill(false) },
    { target: new Float32Array(size).fill(nextUp(t32)), above: new Array(size).fill(true) },
    { target: new Float32Array(size).fill(nextDown(t32)), above: new Array(size).fill(false) },
  ];
  for (let p = 0; p < size; p++) {
    const target = new Float32Array(size).fill(t32);
    target[p] = nextUp(t32);
    const above = new Array(size).fill(false);
    above[p] = true;
    maps.push({ target, above });
  }
  return maps;
}

Deno.test("the loss map at its threshold: weightMap and weightMapReference, body and tail", () => {
  for (const shape of MAP_SHAPES) {
    for (const threshold of THRESHOLDS) {
      for (const { target, above } of thresholdMaps(threshold, shape)) {
        const want = Array.from(expectedMap(above, shape));
        const what = `${JSON.stringify(shape)} threshold ${threshold}`;
        deepEqual(
          Array.from(weightMap(target, { shape, mapThreshold: threshold })),
          want,
          `WASM ${what}`,
        );
        const ref = weightMapReference(target, shape, { mapThreshold: threshold });
        deepEqual(Array.from(ref), want, `reference ${what}`);
        // the reference takes float64 targets as the float32 values they round to
        const ref64 = weightMapReference(Float64Array.from(target), shape, {
          mapThreshold: threshold,
        });
        deepEqual(Array.from(ref64), want, `reference (float64 input) ${what}`);
      }
    }
  }
});

Deno.test("the fused loss map at its threshold: awingLoss and mseLoss weight exactly W + 1 or 1", () => {
  for (
    const [name, run, ref] of [["awing", awingLoss, { kind: "awing" }], [
      "mse",
      mseLoss,
      { kind: "mse" },
    ]] as [string, LossFn, NonNullable<LossReferenceOptions["loss"]>][]
  ) {
    for (const shape of MAP_SHAPES) {
      for (const threshold of THRESHOLDS) {
        for (const { target, above } of thresholdMaps(threshold, shape)) {
          const want = expectedMap(above, shape);
          const pred = target.map((t) => t + 0.25);
          const options = { shape, reduction: "none", mapThreshold: threshold } as const;
          const plain = run(pred, target, { ...options, mapWeight: 0 });
          const got = run(pred, target, { ...options, mapWeight: 10 });
          const refs = lossReference(pred, target, { ...options, mapWeight: 10, loss: ref });
          const what = `${name} ${JSON.stringify(shape)} threshold ${threshold}`;
          for (let i = 0; i < pred.length; i++) {
            const wt = at(want, i);
            equal(at(got.lossMap!, i), Math.fround(at(plain.lossMap!, i) * wt), `${what} at ${i}`);
            equal(at(got.grad!, i), Math.fround(at(plain.grad!, i) * wt), `${what} grad at ${i}`);
            near(at(got.lossMap!, i), at(refs.lossMap, i), 2e-6, `${what} reference at ${i}`);
          }
        }
      }
    }
  }
});

/** An [N, K, H, W] batch transposed to [N, H, W, K]. */
function toNhwc(a: Float32Array, shape: Shape4): Float32Array {
  const [n, k, h, w] = shape;
  const out = new Float32Array(a.length);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < k; c++) {
      for (let p = 0; p < h * w; p++) out[(b * h * w + p) * k + c] = at(a, (b * k + c) * h * w + p);
    }
  }
  return out;
}

Deno.test("the loss map at its threshold, channel-last: weightMap and awingLoss (nhwc)", () => {
  // rows of w pixels of K channels: K = 3, 5 and 1, tails of 1..3 floats
  for (const shape of [[1, 3, 5, 7], [2, 5, 3, 3], [1, 1, 4, 5], [1, 2, 1, 9]] as Shape4[]) {
    const [n, k, h, w] = shape;
    const nhwc: Shape4 = [n, h, w, k];
    for (const threshold of THRESHOLDS) {
      for (const { target, above } of thresholdMaps(threshold, shape)) {
        const want = toNhwc(expectedMap(above, shape), shape);
        const t = toNhwc(target, shape);
        const what = `${JSON.stringify(nhwc)} nhwc threshold ${threshold}`;
        const map = weightMap(t, { shape: nhwc, layout: "nhwc", mapThreshold: threshold });
        deepEqual(Array.from(map), Array.from(want), what);
        const pred = t.map((v) => v + 0.25);
        const options = {
          shape: nhwc,
          layout: "nhwc",
          reduction: "none",
          mapThreshold: threshold,
        } as const;
        const plain = awingLoss(pred, t, { ...options, mapWeight: 0 }).lossMap!;
        const got = awingLoss(pred, t, { ...options, mapWeight: 10 }).lossMap!;
        for (let i = 0; i < t.length; i++) {
          equal(at(got, i), Math.fround(at(plain, i) * at(want, i)), `${what} loss at ${i}`);
        }
      }
    }
  }
});

Deno.test("Math.fround(0.2) is not above the default threshold 0.2 in WASM and the reference", () => {
  const shape: Shape4 = [1, 1, 1, 5];
  const at02 = new Float32Array(5).fill(0.2);
  deepEqual(Array.from(weightMap(at02, { shape })), [1, 1, 1, 1, 1]);
  deepEqual(Array.from(weightMapReference(at02, shape)), [1, 1, 1, 1, 1]);
  deepEqual(Array.from(weightMapReference([0.2, 0.2, 0.2, 0.2, 0.2], shape)), [1, 1, 1, 1, 1]);
  const pred = new Float32Array(5);
  const { lossMap } = awingLoss(pred, at02, { shape, reduction: "none" });
  const plain = awingLoss(pred, at02, { shape, reduction: "none", mapWeight: 0 }).lossMap!;
  deepEqual(Array.from(lossMap!), Array.from(plain));
  const ref = lossReference(pred, at02, { shape, reduction: "none" });
  for (let i = 0; i < 5; i++) near(at(lossMap!, i), at(ref.lossMap, i), 2e-6, `pixel ${i}`);
  const up = new Float32Array(5).fill(nextUp(0.2));
  deepEqual(Array.from(weightMap(up, { shape })), [11, 11, 11, 11, 11]);
  deepEqual(Array.from(weightMapReference(up, shape)), [11, 11, 11, 11, 11]);
});

Deno.test({
  name: `the loss map at its threshold: awl_host_awing weights exactly W + 1 or 1${noLib}`,
  ignore: !haveLib,
  fn(): void {
    try {
      for (const shape of MAP_SHAPES) {
        const size = shape[0] * shape[1] * shape[2] * shape[3];
        for (const threshold of [...THRESHOLDS, undefined]) {
          for (const { target, above } of thresholdMaps(threshold ?? 0.2, shape)) {
            const want = expectedMap(above, shape);
            const pred = target.map((t) => t + 0.25);
            const host = (mapWeight: number): { grad: Float32Array; lossMap: Float32Array } => {
              const grad = new Float32Array(size), lossMap = new Float32Array(size);
              const opts = threshold === undefined ? {} : { mapThreshold: threshold };
              hostAwing(pred, target, { shape, ...opts, mapWeight, grad, lossMap, gradScale: 1 });
              return { grad, lossMap };
            };
            const plain = host(0), got = host(10);
            const what = `${JSON.stringify(shape)} threshold ${threshold}`;
            for (let i = 0; i < size; i++) {
              const wt = at(want, i);
              equal(at(got.lossMap, i), Math.fround(at(plain.lossMap, i) * wt), `${what} at ${i}`);
              equal(at(got.grad, i), Math.fround(at(plain.grad, i) * wt), `${what} grad at ${i}`);
            }
          }
        }
      }
    } finally {
      closeCuda();
    }
  },
});

// ------------------------------------------------------------------- the branch switches

interface Switch {
  name: string;
  ref: NonNullable<LossReferenceOptions["loss"]>;
  run: LossFn;
  /** Where the branch switches (exact in float32). */
  edge: number;
  /** |gradient| just inside and at (or beyond) the edge, for y = 0. */
  inside: number;
  at: number;
  /** AWing only: its parameters, for the CUDA host entry point. */
  awing?: { alpha: number; omega: number; epsilon: number; theta: number };
}

const AWING_SMALL = { alpha: 2.1, omega: 14, epsilon: 0.25, theta: 0.125 };
const SWITCHES: Switch[] = [
  { name: "wing", ref: { kind: "wing" }, run: wingLoss, edge: 10, inside: 10 / 12, at: 1 },
  {
    name: "wing (w 0.5, epsilon 0.25)",
    ref: { kind: "wing", w: 0.5, epsilon: 0.25 },
    run: (p, t, o) => wingLoss(p, t, { ...o, w: 0.5, epsilon: 0.25 }),
    edge: 0.5,
    inside: 0.5 / 0.75,
    at: 1,
  },
  {
    name: "soft-wing",
    ref: { kind: "soft-wing" },
    run: softWingLoss,
    edge: 2,
    inside: 1,
    at: 20 / 2.5,
  },
  {
    name: "soft-wing (w1 0.25, w2 2, epsilon 0.125)",
    ref: { kind: "soft-wing", w1: 0.25, w2: 2, epsilon: 0.125 },
    run: (p, t, o) => softWingLoss(p, t, { ...o, w1: 0.25, w2: 2, epsilon: 0.125 }),
    edge: 0.25,
    inside: 1,
    at: 2 / 0.375,
  },
  // AWing is C1 at theta: both formulas give the same value and slope there
  {
    name: "awing",
    ref: { kind: "awing" },
    run: awingLoss,
    edge: 0.5,
    inside: 11.121422,
    at: 11.121422,
    awing: { alpha: 2.1, omega: 14, epsilon: 1, theta: 0.5 },
  },
  {
    name: "awing (theta 0.125, epsilon 0.25)",
    ref: { kind: "awing", ...AWING_SMALL },
    run: (p, t, o) => awingLoss(p, t, { ...o, ...AWING_SMALL }),
    edge: 0.125,
    inside: NaN,
    at: NaN,
    awing: AWING_SMALL,
  },
];

/**
 * Pixels with |p - y| exactly the edge, the floats next to it on both sides of zero error,
 * and zero error (+0, -0 and the smallest subnormal): all with p - y exact in float32, padded
 * to a length of 4 m + 3.
 */
function switchPixels(edge: number): { pred: Float32Array; target: Float32Array } {
  const p: number[] = [], t: number[] = [];
  for (const y of [0, 0.25, 0.5, 1]) {
    for (const s of [1, -1]) {
      const e = Math.fround(y + s * edge);
      for (const q of [e, nextUp(e), nextDown(e)]) {
        if (Math.fround(q - y) !== q - y) continue; // keep p - y exact
        t.push(y);
        p.push(q);
      }
    }
    for (const q of [y, nextUp(y), nextDown(y)]) {
      t.push(y);
      p.push(q);
    }
  }
  t.push(0, 0);
  p.push(-0, fromSubnormal());
  while (p.length % 4 !== 3) {
    t.push(0);
    p.push(0);
  }
  return { pred: Float32Array.from(p), target: Float32Array.from(t) };
}

/** The smallest positive subnormal float32. */
function fromSubnormal(): number {
  return nextUp(0);
}

for (const c of SWITCHES) {
  Deno.test(`${c.name}: the branch switch at |e| = ${c.edge} exactly, body and tail, matches the reference`, () => {
    const { pred, target } = switchPixels(c.edge);
    let atEdge = 0;
    for (const { y, p, grad, tail, what } of eachPixel(c.name, c.run, c.ref, pred, target, 2e-6)) {
      if (y === 0 && Math.abs(p) === c.edge) {
        // exactly at the edge: the outer branch
        if (!Number.isNaN(c.at)) near(Math.abs(grad), c.at, 2e-6, `${what}: |grad| at the edge`);
        if (tail) atEdge++;
      }
      if (y === 0 && Math.abs(p) === nextDown(c.edge) && !Number.isNaN(c.inside)) {
        near(Math.abs(grad), c.inside, 1e-5, `${what}: |grad| inside`);
      }
    }
    ok(atEdge >= 2, "both signs of the edge were in the tail");
  });
}

for (const c of SWITCHES) {
  const params = c.awing;
  if (params === undefined) continue;
  Deno.test({
    name: `${c.name}: awl_host_awing at |e| = ${c.edge} exactly matches the reference${noLib}`,
    ignore: !haveLib,
    fn(): void {
      try {
        const { pred, target } = switchPixels(c.edge);
        const n = pred.length;
        const shape: Shape4 = [1, 1, 1, n];
        const grad = new Float32Array(n), lossMap = new Float32Array(n);
        hostAwing(pred, target, { shape, ...params, mapWeight: 0, grad, lossMap, gradScale: 1 });
        const ref = lossReference(pred, target, {
          shape,
          loss: c.ref,
          mapWeight: 0,
          reduction: "none",
        });
        for (let i = 0; i < n; i++) {
          const what = `${c.name} host y=${at(target, i)} p=${at(pred, i)}`;
          near(at(lossMap, i), at(ref.lossMap, i), 2e-6, `${what} loss`);
          near(at(grad, i), at(ref.grad, i), 2e-6, `${what} grad`);
        }
      } finally {
        closeCuda();
      }
    },
  });
}

Deno.test("L1 and MSE at zero error: +0, -0 and the smallest subnormal error, body and tail", () => {
  for (const [run, ref] of [[l1Loss, { kind: "l1" }], [mseLoss, { kind: "mse" }]] as const) {
    const { pred, target } = switchPixels(1);
    for (const _ of eachPixel(ref.kind, run, ref, pred, target, 1e-7));
  }
});

// ------------------------------------------------------------- Gaussian targets

const GAUSS_H = 13, GAUSS_W = 19;

/**
 * Landmarks whose 3 sigma window edges fall exactly on pixels (x +- 3 sigma whole numbers),
 * at every column and row, so that the windows are clipped by the map on either side and
 * their last pixel falls in every lane of a profile vector.
 */
function edgeLandmarks(sigma: number): Float32Array {
  const frac = (3 * sigma) % 1;
  // c + frac on the map (-0.5 <= x < n - 0.5), for every c
  const on = (n: number): number[] =>
    Array.from({ length: n + 1 }, (_, c) => c - 1 + frac).filter((v) => v >= -0.5 && v < n - 0.5);
  const xs = on(GAUSS_W), ys = on(GAUSS_H);
  const lm: number[] = [];
  for (const [c, x] of xs.entries()) lm.push(x, at(ys, (c * 5) % ys.length));
  for (const [r, y] of ys.entries()) lm.push(at(xs, (r * 7) % xs.length), y);
  return Float32Array.from(lm);
}

/** Whether pixel (i, j) is inside the 3 sigma window of (x, y), in float64. */
function inWindow(i: number, j: number, x: number, y: number, sigma: number): boolean {
  return Math.abs(j - x) <= 3 * sigma && Math.abs(i - y) <= 3 * sigma;
}

function checkWindows(
  heatmaps: Float32Array,
  lm: Float32Array,
  sigma: number,
  what: string,
): void {
  const hw = GAUSS_H * GAUSS_W;
  const ref = gaussianHeatmapsReference(lm, [1, lm.length / 2, GAUSS_H, GAUSS_W], { sigma });
  let edges = 0;
  for (let c = 0; c < lm.length / 2; c++) {
    const x = at(lm, 2 * c), y = at(lm, 2 * c + 1);
    for (let i = 0; i < GAUSS_H; i++) {
      for (let j = 0; j < GAUSS_W; j++) {
        const v = at(heatmaps, c * hw + i * GAUSS_W + j);
        const inside = inWindow(i, j, x, y, sigma);
        const where = `${what} landmark (${x}, ${y}) pixel (${i}, ${j})`;
        equal(v > 0, inside, `${where}: ${v}`);
        ok(Math.abs(v - at(ref, c * hw + i * GAUSS_W + j)) <= 4e-7, `${where} vs reference`);
        if (inside && (Math.abs(j - x) === 3 * sigma || Math.abs(i - y) === 3 * sigma)) edges++;
      }
    }
  }
  ok(edges > 0, `${what}: no pixel on a window edge`);
}

Deno.test("Gaussian targets: pixels exactly 3 sigma away are inside the window, WASM and reference", () => {
  for (const sigma of [0.5, 1, 1.5, 2, 0.25]) {
    const lm = edgeLandmarks(sigma);
    const shape: Shape4 = [1, lm.length / 2, GAUSS_H, GAUSS_W];
    checkWindows(gaussianHeatmaps(lm, { shape, sigma }).heatmaps, lm, sigma, `WASM sigma ${sigma}`);
    const ref = gaussianHeatmapsReference(lm, shape, { sigma });
    checkWindows(Float32Array.from(ref), lm, sigma, `reference sigma ${sigma}`);
  }
});

Deno.test({
  name: `Gaussian targets: pixels exactly 3 sigma away are inside, awl_host_gaussian${noLib}`,
  ignore: !haveLib,
  fn(): void {
    try {
      for (const sigma of [0.5, 1, 1.5, 2, 0.25]) {
        const lm = edgeLandmarks(sigma);
        const shape: Shape4 = [1, lm.length / 2, GAUSS_H, GAUSS_W];
        checkWindows(hostGaussian(lm, { shape, sigma }), lm, sigma, `host sigma ${sigma}`);
      }
    } finally {
      closeCuda();
    }
  },
});

// landmarks on and next to the bounds of each off-map rule (sigma 1), and visibilities on and
// next to 0
const H = 6, W = 7;
const RULES = [
  {
    offMap: "empty",
    xs: [-0.5, nextDown(-0.5), W - 0.5, nextDown(W - 0.5), 3],
    ys: [-0.5, nextDown(-0.5), H - 0.5, nextDown(H - 0.5), 2],
    on: (v: number, n: number): boolean => v >= -0.5 && v < n - 0.5,
  },
  {
    offMap: "partial",
    xs: [-3, nextDown(-3), W + 2, nextUp(W + 2), 3],
    ys: [-3, nextDown(-3), H + 2, nextUp(H + 2), 2],
    on: (v: number, n: number): boolean => v >= -3 && v <= n + 2,
  },
] as const;
const VIS = [0, -0, nextUp(0), nextDown(-0), 1, -1, 0.5];

function edgeCases(
  rule: (typeof RULES)[number],
): { lm: Float32Array; vis: Float32Array; drawn: boolean[] } {
  const lm: number[] = [], vis: number[] = [], drawn: boolean[] = [];
  for (const x of rule.xs) {
    for (const y of rule.ys) {
      lm.push(x, y);
      vis.push(1);
      drawn.push(rule.on(x, W) && rule.on(y, H));
    }
  }
  for (const v of VIS) {
    lm.push(3, 2);
    vis.push(v);
    drawn.push(v > 0);
  }
  return { lm: Float32Array.from(lm), vis: Float32Array.from(vis), drawn };
}

function drawnChannels(heatmaps: ArrayLike<number>, k: number): boolean[] {
  return Array.from({ length: k }, (_, c) => {
    for (let p = c * H * W; p < (c + 1) * H * W; p++) if (at(heatmaps, p) !== 0) return true;
    return false;
  });
}

Deno.test("Gaussian targets: the bounds of both off-map rules and visibility > 0, WASM and reference", () => {
  for (const rule of RULES) {
    const { lm, vis, drawn } = edgeCases(rule);
    const k = drawn.length;
    const shape: Shape4 = [1, k, H, W];
    const { offMap } = rule;
    const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape, visibility: vis, offMap });
    deepEqual(drawnChannels(heatmaps, k), drawn, offMap);
    deepEqual(
      skipped.map((s) => s.k),
      drawn.flatMap((d, c) => (d ? [] : [c])),
    );
    for (const s of skipped) equal(s.reason, at(vis, s.k) > 0 ? "off-map" : "invisible");
    const ref = gaussianHeatmapsReference(lm, shape, { visibility: vis, offMap });
    deepEqual(drawnChannels(ref, k), drawn, `reference ${offMap}`);
    // a Uint8Array visibility: 0 hides, 1 shows
    const u8 = Uint8Array.from(vis, (v) => (v > 0 ? 1 : 0));
    const fromU8 = gaussianHeatmaps(lm, { shape, visibility: u8, offMap }).heatmaps;
    deepEqual(drawnChannels(fromU8, k), drawn, `Uint8Array ${offMap}`);
  }
});

Deno.test({
  name:
    `Gaussian targets: the bounds of both off-map rules and visibility, awl_host_gaussian${noLib}`,
  ignore: !haveLib,
  fn(): void {
    try {
      for (const rule of RULES) {
        const { lm, vis, drawn } = edgeCases(rule);
        const k = drawn.length;
        const shape: Shape4 = [1, k, H, W];
        const got = hostGaussian(lm, { shape, visibility: vis, offMap: rule.offMap });
        deepEqual(drawnChannels(got, k), drawn, rule.offMap);
      }
    } finally {
      closeCuda();
    }
  },
});

Deno.test("official targets: x > 0 at its edge (0 and -0 are not drawn, the smallest float is)", () => {
  const xs = [0, -0, nextUp(0), nextDown(-0), 3];
  const lm = Float32Array.from(xs.flatMap((x) => [x, 3]));
  const shape: Shape4 = [1, xs.length, H, W];
  const want = xs.map((x) => x > 0);
  const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape, mode: "official" });
  deepEqual(drawnChannels(heatmaps, xs.length), want);
  deepEqual(skipped.map((s) => [s.k, s.reason]), [[0, "off-map"], [1, "off-map"], [3, "off-map"]]);
  const ref = gaussianHeatmapsReference(lm, shape, { mode: "official" });
  deepEqual(drawnChannels(ref, xs.length), want);
});

Deno.test("boundary targets: 0 at exactly 3 sigma from the curve, drawn inside, as the reference", () => {
  const h = 16, w = 20;
  // a horizontal and a vertical segment and a lone point, on whole pixels: distances to pixel
  // centres are whole numbers, so some are exactly 3 sigma
  const lm = new Float32Array([2, 5, 12, 5, 14, 2, 14, 11, 6, 12]);
  const groups = [[0, 1], [2, 3], [4]];
  for (const sigma of [1, 2, 1 / 3]) {
    const shape: Shape4 = [1, 3, h, w];
    const got = boundaryHeatmaps(lm, { shape, groups, sigma, channels: "per-group" });
    const ref = boundaryHeatmapsReference(lm, shape, groups, { sigma, channels: "per-group" });
    let onEdge = 0, inside = 0;
    for (let p = 0; p < got.length; p++) {
      equal(at(got, p) > 0, at(ref, p) > 0, `sigma ${sigma} pixel ${p}: ${at(got, p)}`);
      ok(Math.abs(at(got, p) - at(ref, p)) <= 1e-6, `sigma ${sigma} pixel ${p} value`);
    }
    // channel 0: row 5 + 3 sigma is exactly 3 sigma below the segment, one row up is inside
    const edgeRow = 5 + 3 * sigma;
    if (Number.isInteger(edgeRow)) {
      for (let j = 2; j <= 12; j++) {
        if (at(got, edgeRow * w + j) === 0) onEdge++;
        if (at(got, (edgeRow - 1) * w + j) > 0) inside++;
      }
      equal(onEdge, 11, `sigma ${sigma}: the row at 3 sigma is 0`);
      equal(inside, 11, `sigma ${sigma}: the row inside is drawn`);
    }
  }
});
