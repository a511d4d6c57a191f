import { _checkNmes } from "./_validate.ts";
import type { NmeValues } from "./types.ts";

/**
 * Mean of per-image NMEs (the "NME" of a test set), in float64.
 *
 * @param nmes Per-image NMEs, e.g. from {@linkcode nme}.
 * @returns The mean.
 * @throws {TypeError} If `nmes` is empty or not an array of numbers.
 * @throws {RangeError} If a value is NaN, infinite or negative.
 *
 * @example
 * ```ts
 * import { meanNme } from "@facealign/awing/metrics";
 * import { equal, throws } from "node:assert/strict";
 *
 * equal(meanNme([0.02, 0.04, 0.06]), 0.04);
 * throws(() => meanNme([]), TypeError);
 * ```
 */
export function meanNme(nmes: NmeValues): number {
  const values = _checkNmes("mean NME", nmes);
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
