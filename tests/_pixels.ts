// Helpers of the branch and boundary tests: neighbouring float32 values, and per-pixel
// comparisons of a fast loss with the float64 reference with each pixel placed in the SIMD
// body and in the tail.
import { ok } from "node:assert/strict";
import type { LossOptions, LossResult } from "../src/loss/mod.ts";
import { lossReference, type LossReferenceOptions } from "../src/reference/mod.ts";
import { at } from "./_assert.ts";

const F32 = new Float32Array(1), U32 = new Uint32Array(F32.buffer);

/** The bits of fround(x). */
export function bitsOf(x: number): number {
  F32[0] = x;
  return at(U32, 0);
}

/** The float32 with the given bits. */
export function fromBits(b: number): number {
  U32[0] = b >>> 0;
  return at(F32, 0);
}

/** The next float32 above fround(x) (x finite). */
export function nextUp(x: number): number {
  const f = Math.fround(x);
  if (f === 0) return fromBits(1);
  return f > 0 ? fromBits(bitsOf(f) + 1) : fromBits(bitsOf(f) - 1);
}

/** The next float32 below fround(x) (x finite). */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/**
 * The pixels as they are, then rotated so that each one is the last (in the tail when the
 * length is not a multiple of 4); `tailFrom` is where the tail starts.
 */
function* placements(
  pred: Float32Array,
  target: Float32Array,
): Generator<{ pred: Float32Array; target: Float32Array; tailFrom: number }> {
  const n = pred.length, tailFrom = n - (n % 4);
  yield { pred, target, tailFrom };
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: n }, (_, j) => (i + 1 + j) % n);
    yield {
      pred: Float32Array.from(order, (j) => at(pred, j)),
      target: Float32Array.from(order, (j) => at(target, j)),
      tailFrom,
    };
  }
}

/** |a - b| within rel of |b| (plus a floor far below any value tested), naming the case. */
export function near(a: number, b: number, rel: number, what: string): void {
  ok(Math.abs(a - b) <= rel * Math.abs(b) + 1e-30, `${what}: ${a} but the reference is ${b}`);
}

/** A fast loss of the public API. */
export type LossFn = (pred: Float32Array, target: Float32Array, options: LossOptions) => LossResult;

/** One pixel of {@link eachPixel}: its target y, prediction p and the fast loss's gradient. */
export interface PixelResult {
  y: number;
  p: number;
  grad: number;
  /** Whether it was in the tail (the last n % 4 pixels). */
  tail: boolean;
  /** Names it in messages. */
  what: string;
}

/**
 * Runs the pixels (one row, no loss map, reduction "none") through `run` and the reference,
 * once as they are and once with each pixel last, checks every value and gradient to `tol`
 * (relative) and yields each pixel for further checks.
 */
export function* eachPixel(
  name: string,
  run: LossFn,
  ref: NonNullable<LossReferenceOptions["loss"]>,
  pred: Float32Array,
  target: Float32Array,
  tol: number,
): Generator<PixelResult> {
  for (const l of placements(pred, target)) {
    const n = l.pred.length;
    const shape = [1, 1, 1, n] as const;
    const got = run(l.pred, l.target, { shape, mapWeight: 0, reduction: "none" });
    const want = lossReference(l.pred, l.target, {
      shape,
      loss: ref,
      mapWeight: 0,
      reduction: "none",
    });
    for (let i = 0; i < n; i++) {
      const y = at(l.target, i), p = at(l.pred, i), grad = at(got.grad!, i);
      const what = `${name} y=${y} p=${p} at ${i} of ${n}`;
      near(at(got.lossMap!, i), at(want.lossMap, i), tol, `${what} loss`);
      near(grad, at(want.grad, i), tol, `${what} grad`);
      yield { y, p, grad, tail: i >= l.tailFrom, what };
    }
  }
}
