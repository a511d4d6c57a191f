import { _checkNmesAndThreshold } from "./_validate.ts";
import type { NmeValues } from "./types.ts";

/** Options of {@linkcode failureRate}. */
export interface FailureRateOptions {
  /** Failure threshold t on the per-image NME (a fraction, not a percentage). Default 0.1. */
  readonly threshold?: number | undefined;
}

/**
 * Failure rate FR_t: the fraction of images whose NME is strictly greater than t (official
 * AWing `single_nme > 0.1`; HRNet also reports t = 0.08). An NME equal to t is not a failure.
 *
 * @param nmes Per-image NMEs.
 * @param options The threshold t (default 0.1).
 * @returns The failure rate in [0, 1].
 * @throws {TypeError} If `nmes` is empty or not an array of numbers.
 * @throws {RangeError} If a value is NaN, infinite or negative, or t is not a finite number > 0.
 *
 * @example
 * ```ts
 * import { failureRate } from "@facealign/awing/metrics";
 * import { equal } from "node:assert/strict";
 *
 * equal(failureRate([0.05, 0.1, 0.2, 0.3]), 0.5); // 0.1 itself is not a failure
 * equal(failureRate([0.05, 0.1, 0.2, 0.3], { threshold: 0.08 }), 0.75);
 * ```
 */
export function failureRate(nmes: NmeValues, options: FailureRateOptions = {}): number {
  const what = "failure rate";
  const { values, t } = _checkNmesAndThreshold(what, nmes, options);
  let failures = 0;
  for (const v of values) if (v > t) failures++;
  return failures / values.length;
}
