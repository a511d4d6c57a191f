// Accuracy of the WASM core's vector exp, exp2, log2 and log1p, in ulp against float64 Math,
// over dense grids that include every reduction boundary. The bounds sit just above the
// measured figures (README, "Accuracy of the vector math"), so that a changed coefficient or reduction step fails.
import { ok } from "node:assert/strict";
import { f32At, reserve, wasm } from "../src/_wasm.ts";
import { at } from "./_assert.ts";
import { bitsOf, fromBits } from "./_pixels.ts";

/** Distance in units in the last place (of the f32 result) between got and the exact value. */
function ulps(got: number, exact: number): number {
  const f = Math.fround(exact);
  if (got === f) return 0;
  const e = bitsOf(Math.abs(f)) >>> 23;
  const ulp = e === 0 ? 2 ** -149 : 2 ** (e - 150);
  return Math.abs(got - exact) / ulp;
}

/** One call of the core's math_f32 (kind 0 exp, 1 log2, 2 log1p, 3 exp2) over all of xs. */
function run(kind: number, xs: Float32Array): Float32Array {
  const ptrs = reserve([xs.length * 4, xs.length * 4], "test math");
  const src = at(ptrs, 0), dst = at(ptrs, 1);
  f32At(src, xs.length).set(xs);
  wasm().math_f32(kind, src, dst, xs.length);
  return f32At(dst, xs.length).slice();
}

/** Points collected into one Float32Array (so that a grid is one WASM call). */
class Grid {
  #xs: number[] = [];
  /** n evenly spaced points on [lo, hi]. */
  sweep(lo: number, hi: number, n: number): this {
    for (let i = 0; i < n; i++) this.#xs.push(lo + (i / (n - 1)) * (hi - lo));
    return this;
  }
  /** n log-spaced points on [lo, hi] (0 < lo < hi), and their negatives when signed. */
  logSweep(lo: number, hi: number, n: number, signed = false): this {
    for (let i = 0; i < n; i++) {
      const x = Math.exp(Math.log(lo) + (i / (n - 1)) * (Math.log(hi) - Math.log(lo)));
      this.#xs.push(x);
      if (signed) this.#xs.push(-x);
    }
    return this;
  }
  /** The 2 r + 1 consecutive float32 values centred on fround(x) (x > 0). */
  around(x: number, r: number): this {
    const b = bitsOf(Math.fround(x));
    for (let d = -r; d <= r; d++) this.#xs.push(fromBits(b + d));
    return this;
  }
  /** The same centred on -fround(x) (x > 0). */
  aroundNeg(x: number, r: number): this {
    const b = bitsOf(Math.fround(x));
    for (let d = -r; d <= r; d++) this.#xs.push(-fromBits(b + d));
    return this;
  }
  /** The points in [lo, hi], the domain of the function. */
  within(lo: number, hi: number): Float32Array {
    return Float32Array.from(this.#xs.map(Math.fround).filter((x) => x >= lo && x <= hi));
  }
}

/**
 * Bounds on the error over a grid: each is the figure measured for the committed coefficients
 * with a small margin (at most 0.01 ulp on the worst case, 0.05% on the mean and on the count
 * of results that are not correctly rounded), so that a coefficient changed in its fourth
 * digit or a changed reduction step fails (README, "Accuracy of the vector math"). The
 * figures are the same on every machine: WASM float32 arithmetic is exactly rounded and V8's
 * Math functions are its own portable code.
 */
interface Bound {
  /** Largest error in ulp. */
  max: number;
  /** Mean error in ulp. */
  mean: number;
  /** How many results are not the correctly rounded value. */
  misrounded: number;
}

/** Measures `kind` against `exact` over xs (one WASM call) and checks it against `bound`. */
function check(
  name: string,
  kind: number,
  xs: Float32Array,
  exact: (x: number) => number,
  bound: Bound,
): void {
  const ys = run(kind, xs);
  let max = 0, where = 0, sum = 0, wrong = 0;
  for (let i = 0; i < xs.length; i++) {
    const e = ulps(at(ys, i), exact(at(xs, i)));
    if (e > max) [max, where] = [e, at(xs, i)];
    sum += e;
    if (e > 0) wrong++;
  }
  const mean = sum / xs.length, share = (100 * wrong / xs.length).toFixed(2);
  const msg = `${name} over ${xs.length} points: worst ${max.toFixed(3)} ulp (x = ${where}), ` +
    `mean ${mean.toFixed(6)} ulp, ${wrong} (${share}%) not correctly rounded ` +
    `(bounds ${bound.max}, ${bound.mean}, ${bound.misrounded})`;
  console.log(msg);
  ok(max <= bound.max && mean <= bound.mean && wrong <= bound.misrounded, msg);
}

const LN2 = Math.LN2;

Deno.test("vector exp: accuracy over [-87, 88] and at every reduction boundary", () => {
  const g = new Grid().sweep(-87, 88, 200_003).sweep(-1, 1, 20_001);
  // k = round(x log2 e) switches at (k + 1/2) ln 2; r = 0 at k ln 2
  for (let k = -125; k <= 126; k++) {
    for (const x of [(k + 0.5) * LN2, k * LN2]) {
      if (x > -87 && x < 88 && x !== 0) x > 0 ? g.around(x, 24) : g.aroundNeg(-x, 24);
    }
  }
  g.aroundNeg(87, 200).around(88, 200).logSweep(1e-30, 1e-3, 2001, true);
  check("exp", 0, g.within(-87, 88), Math.exp, { max: 1.0, mean: 0.05715, misrounded: 24047 });
  // flushed to 0 below -87 (no subnormal results), exp(88) above 88
  const tail = run(0, new Float32Array([-87.00001, -88, -100, -1e30]));
  ok(tail.every((v) => v === 0));
});

Deno.test("vector exp2: accuracy over [-126, 127] and at every reduction boundary", () => {
  const g = new Grid().sweep(-126, 127, 200_003).sweep(-1, 1, 20_001);
  // k = round(x) switches at the half-integers; r = 0 at the integers
  for (let k = -126; k <= 126; k++) {
    for (const x of [k + 0.5, k]) {
      if (x !== 0 && x > -126 && x < 127) x > 0 ? g.around(x, 24) : g.aroundNeg(-x, 24);
    }
  }
  g.aroundNeg(126, 200).logSweep(1e-30, 1e-3, 2001, true);
  check("exp2", 3, g.within(-126, 127), (x) => 2 ** x, {
    max: 1.43,
    mean: 0.07647,
    misrounded: 29930,
  });
  // exact at the integers; flushed to 0 below -126 and for NaN
  const ints = Float32Array.from({ length: 254 }, (_, i) => i - 126);
  ok(run(3, ints).every((v, i) => v === 2 ** at(ints, i)));
  const tail = run(3, new Float32Array([-126.00001, -127, -200, -1e30, NaN]));
  ok(tail.every((v) => v === 0));
});

Deno.test("vector log2: accuracy over all positive normal floats and every reduction boundary", () => {
  const g = new Grid().logSweep(1.2e-38, 3e38, 200_003).sweep(0.5, 2, 100_001);
  // e changes at sqrt(1/2) 2^k (the reduction's split); m = 1 at the powers of two
  for (let k = -125; k <= 126; k++) g.around(Math.SQRT1_2 * 2 ** k, 24).around(2 ** k, 24);
  g.around(1.17549435e-38, 200).around(1, 2000);
  check("log2", 1, g.within(1.17549435e-38, 3.4e38), Math.log2, {
    max: 1.70,
    mean: 0.05701,
    misrounded: 26605,
  });
  const pow2 = Float32Array.from({ length: 254 }, (_, i) => 2 ** (i - 126));
  ok(run(1, pow2).every((v, i) => v === i - 126));
});

Deno.test("vector log1p: accuracy from 1e-30 to 1e30 and at every reduction boundary", () => {
  const g = new Grid().logSweep(1e-30, 1e30, 200_003).sweep(0, 1, 100_001);
  // the argument itself is the reduced value while 1 + x < sqrt(2); beyond, e changes at
  // sqrt(2) 2^k - 1 and m = 1 at 2^k - 1
  g.around(Math.SQRT2 - 1, 2000);
  for (let k = 1; k <= 126; k++) g.around(Math.SQRT2 * 2 ** k - 1, 24).around(2 ** k - 1, 24);
  g.around(1e-38, 24).around(1e-7, 200);
  check("log1p", 2, g.within(0, 1e30), Math.log1p, { max: 2.10, mean: 0.09076, misrounded: 31087 });
  ok(run(2, new Float32Array([0]))[0] === 0);
});
