// Reductions over very large maps keep float64's precision: the sum of 4096 x 4096 per-pixel
// losses against the exact float64 sum of the same per-pixel values.
import { ok } from "node:assert/strict";
import { fmix32 } from "../src/data/_rng.ts";
import { KINDS } from "./_losses.ts";

const SIDE = 4096;
const SIZE = SIDE * SIDE;

/** Targets: a few Gaussian-like peaks on a zero background; predictions off by up to 0.6. */
function bigPair(seed: number): { pred: Float32Array; target: Float32Array } {
  const pred = new Float32Array(SIZE), target = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const r = fmix32((seed * 0x9e3779b9 + i) >>> 0);
    // a peak every 64 x 64 pixels, the rest background
    const y = (i >>> 12) & 63, x = i & 63;
    const d2 = (y - 32) * (y - 32) + (x - 32) * (x - 32);
    target[i] = d2 < 64 ? Math.exp(-d2 / 8) : 0;
    pred[i] = target[i]! + ((r >>> 8) / 16777216 - 0.5) * 1.2;
  }
  return { pred, target };
}

/** The exact float64 sum of non-negative values (pairwise; exact to far below 1e-12). */
function exactSum(a: Float32Array, lo = 0, hi = a.length): number {
  if (hi - lo <= 1024) {
    let s = 0;
    for (let i = lo; i < hi; i++) s += a[i]!;
    return s;
  }
  const mid = lo + ((hi - lo) >> 1);
  return exactSum(a, lo, mid) + exactSum(a, mid, hi);
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

Deno.test("every loss sums a 4096 x 4096 map within 1e-6 of the exact float64 sum", () => {
  const { pred, target } = bigPair(1);
  const lossMap = new Float32Array(SIZE);
  for (const { name, run } of KINDS) {
    for (const mapWeight of [0, 10]) {
      const shape = [1, 1, SIDE, SIDE] as const;
      const none = run(pred, target, {
        shape,
        mapWeight,
        reduction: "none",
        gradient: false,
        out: { lossMap },
      });
      const exact = exactSum(lossMap);
      const what = `${name} mapWeight ${mapWeight}`;
      ok(relErr(none.loss, exact) <= 1e-6, `${what} none: ${none.loss} vs ${exact}`);
      const sum = run(pred, target, { shape, mapWeight, reduction: "sum", gradient: false }).loss;
      ok(relErr(sum, exact) <= 1e-6, `${what} sum: ${sum} vs ${exact}`);
      const mean = run(pred, target, { shape, mapWeight, gradient: false }).loss;
      ok(relErr(mean, exact / SIZE) <= 1e-6, `${what} mean: ${mean} vs ${exact / SIZE}`);
    }
  }
});

Deno.test("a constant 4096 x 4096 map sums to exactly 2^24 times its pixel (no drift)", () => {
  // the worst case of an f32 running sum: every term equal, the sum growing past 2^24 terms
  const pred = new Float32Array(SIZE).fill(0.3), target = new Float32Array(SIZE);
  for (const { name, run } of KINDS) {
    for (const layout of ["nchw", "nhwc"] as const) {
      const shape = layout === "nchw" ? [2, 2, 2048, 2048] as const : [2, 2048, 2048, 2] as const;
      const one = run(pred.subarray(0, 1), target.subarray(0, 1), {
        shape: [1, 1, 1, 1],
        reduction: "sum",
        gradient: false,
      }).loss;
      const sum = run(pred, target, { shape, layout, reduction: "sum", gradient: false }).loss;
      ok(relErr(sum, one * SIZE) <= 1e-6, `${name} ${layout}: ${sum} vs ${one * SIZE}`);
    }
  }
});
