// Accuracy of the WASM core's vector exp, exp2, log2 and log1p, in ulp against float64 Math.
import { ok } from "node:assert/strict";
import { f32At, reserve, wasm } from "../src/_wasm.ts";
import { at } from "./_assert.ts";

const ULP_LIMIT = 4;

/** Distance in units in the last place (of the f32 result) between got and the exact value. */
function ulps(got: number, exact: number): number {
  const f = Math.fround(exact);
  if (got === f) return 0;
  const bits = new Float32Array(1), u = new Uint32Array(bits.buffer);
  bits[0] = Math.abs(f);
  const e = at(u, 0) >>> 23;
  const ulp = e === 0 ? 2 ** -149 : 2 ** (e - 150);
  return Math.abs(got - exact) / ulp;
}

function run(kind: number, xs: Float32Array): Float32Array {
  const ptrs = reserve([xs.length * 4, xs.length * 4], "test math");
  const src = at(ptrs, 0), dst = at(ptrs, 1);
  f32At(src, xs.length).set(xs);
  wasm().math_f32(kind, src, dst, xs.length);
  return f32At(dst, xs.length).slice();
}

function sweep(lo: number, hi: number, n: number, log = false): Float32Array {
  const xs = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    xs[i] = log ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
  }
  return xs;
}

function worst(kind: number, xs: Float32Array, exact: (x: number) => number): number {
  const ys = run(kind, xs);
  let max = 0;
  for (let i = 0; i < xs.length; i++) max = Math.max(max, ulps(at(ys, i), exact(at(xs, i))));
  return max;
}

Deno.test(`vector exp is within ${ULP_LIMIT} ulp on [-87, 88]; 0 below, no subnormals`, () => {
  const err = worst(0, sweep(-87, 88, 200_003), Math.exp);
  ok(err <= ULP_LIMIT, `exp: ${err} ulp`);
  console.log(`exp: worst ${err.toFixed(2)} ulp`);
  const tail = run(0, new Float32Array([-87.01, -88, -100, -1e30]));
  ok(tail.every((v) => v === 0));
});

Deno.test(`vector exp2 is within ${ULP_LIMIT} ulp on [-126, 127]; 0 below, no subnormals`, () => {
  const err = worst(3, sweep(-126, 127, 200_003), (x) => 2 ** x);
  ok(err <= ULP_LIMIT, `exp2: ${err} ulp`);
  console.log(`exp2: worst ${err.toFixed(2)} ulp`);
  // around 0, where r = x exactly, and at the integers, where 2^x is exact
  ok(worst(3, sweep(-1, 1, 100_001), (x) => 2 ** x) <= ULP_LIMIT);
  const ints = Float32Array.from({ length: 254 }, (_, i) => i - 126);
  ok(run(3, ints).every((v, i) => v === 2 ** at(ints, i)));
  const tail = run(3, new Float32Array([-126.01, -127, -200, -1e30, NaN]));
  ok(tail.every((v) => v === 0));
});

Deno.test(`vector log2 is within ${ULP_LIMIT} ulp over all positive normal floats`, () => {
  const err = worst(1, sweep(1.2e-38, 3e38, 200_003, true), Math.log2);
  ok(err <= ULP_LIMIT, `log2: ${err} ulp`);
  console.log(`log2: worst ${err.toFixed(2)} ulp`);
  ok(worst(1, sweep(0.5, 2, 100_001), Math.log2) <= ULP_LIMIT);
  const pow2 = Float32Array.from({ length: 254 }, (_, i) => 2 ** (i - 126));
  ok(run(1, pow2).every((v, i) => v === i - 126));
});

Deno.test(`vector log1p is within ${ULP_LIMIT} ulp from 1e-30 to 1e30, and exact at 0`, () => {
  const err = worst(2, sweep(1e-30, 1e30, 200_003, true), Math.log1p);
  ok(err <= ULP_LIMIT, `log1p: ${err} ulp`);
  console.log(`log1p: worst ${err.toFixed(2)} ulp`);
  ok(worst(2, sweep(0, 1, 100_001), Math.log1p) <= ULP_LIMIT);
  ok(run(2, new Float32Array([0]))[0] === 0);
});
