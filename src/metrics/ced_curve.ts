import { _checkGridSteps, _checkNmesAndThreshold } from "./_validate.ts";
import type { NmeValues } from "./types.ts";

/** Options of {@linkcode cedCurve}. */
export interface CedCurveOptions {
  /** Largest NME on the curve, t. Default 0.1. */
  readonly threshold?: number | undefined;
  /** Number of intervals of the uniform grid from 0 to t (steps + 1 points). Default 1000. */
  readonly steps?: number | undefined;
}

/** A cumulative error distribution curve. */
export interface CedCurve {
  /** NME grid x_i = i t / steps, i = 0..steps; the last value is exactly t. */
  readonly x: Float64Array;
  /** y_i = fraction of images with NME <= x_i. */
  readonly y: Float64Array;
}

/**
 * Samples the cumulative error distribution CED(e) = (1/N) #{i : NME_i <= e} on a uniform
 * grid from 0 to t inclusive. With the defaults (t = 0.1, 1000 steps) the grid is PIPNet's
 * `np.arange(0, 0.1 + 1e-4, 1e-4)`.
 *
 * @param nmes Per-image NMEs.
 * @param options The threshold t (default 0.1) and the number of intervals (default 1000).
 * @returns The grid `x` and the CED values `y`, both of length steps + 1.
 * @throws {TypeError} If `nmes` is empty or not an array of numbers.
 * @throws {RangeError} If a value is NaN, infinite or negative, t is not a finite number > 0,
 * or `steps` is not a positive integer or is above 1e7 (checked before any allocation).
 *
 * @example
 * ```ts
 * import { cedCurve } from "@facealign/awing/metrics";
 * import { deepEqual } from "node:assert/strict";
 *
 * const { x, y } = cedCurve([0.01, 0.03, 0.2, 0.04], { threshold: 0.04, steps: 4 });
 * deepEqual(Array.from(x, (v) => Math.round(v * 100) / 100), [0, 0.01, 0.02, 0.03, 0.04]);
 * deepEqual(y, new Float64Array([0, 0.25, 0.25, 0.5, 0.75]));
 * ```
 */
export function cedCurve(nmes: NmeValues, options: CedCurveOptions = {}): CedCurve {
  const what = "CED curve";
  const { values, t } = _checkNmesAndThreshold(what, nmes, options);
  const steps = options.steps ?? 1000;
  if (typeof steps !== "number" || !Number.isInteger(steps) || steps < 1) {
    throw new RangeError(
      `Cannot compute ${what} as steps must be a positive integer: current value is ${
        String(steps)
      }`,
    );
  }
  _checkGridSteps(what, steps, `"steps"`);
  return _ced(values, t, steps);
}

/** CED on the grid i t / steps (last point exactly t); `values` already checked. */
export function _ced(values: Float64Array, t: number, steps: number): CedCurve {
  const sorted = values.slice().sort();
  const h = t / steps;
  const x = new Float64Array(steps + 1);
  const y = new Float64Array(steps + 1);
  let count = 0;
  for (let i = 0; i <= steps; i++) {
    const xi = i === steps ? t : i * h;
    while (count < sorted.length && sorted[count]! <= xi) count++;
    x[i] = xi;
    y[i] = count / sorted.length;
  }
  return { x, y };
}
