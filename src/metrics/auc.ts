import { _ced } from "./ced_curve.ts";
import { _simpson } from "./_simpson.ts";
import { _checkGridSteps, _checkNmesAndThreshold } from "./_validate.ts";
import type { NmeValues } from "./types.ts";

/** Options of {@linkcode auc}. */
export interface AucOptions {
  /** Upper limit t of the CED integral (a fraction). Default 0.1. */
  readonly threshold?: number | undefined;
  /**
   * `"exact"` (default): the exact integral of the CED step function,
   * mean_i max(0, 1 - NME_i / t). `"simpson"`: PIPNet's convention, the CED sampled on a
   * grid of spacing `step` from 0 to t inclusive and integrated with composite Simpson
   * (`scipy.integrate.simpson` semantics, including its rule for an even number of points).
   */
  readonly method?: "exact" | "simpson" | undefined;
  /** Grid spacing of the `"simpson"` method; t must be a multiple of it. Default 1e-4. */
  readonly step?: number | undefined;
}

/**
 * Area under the cumulative error distribution up to t, normalised to [0, 1]:
 *
 * AUC_t = (1/t) integral_0^t CED(e) de, with CED(e) = (1/N) #{i : NME_i <= e}.
 *
 * The `"exact"` method evaluates the integral in closed form, mean_i max(0, 1 - NME_i / t).
 * The `"simpson"` method reproduces the de facto face AUC@0.1 of PIPNet (`compute_fr_and_auc`:
 * a 1001-point grid for t = 0.1 and `simps(ys, x=xs) / t`). Each image's CED step is
 * integrated with an error of at most 2 step / (3 t) (6.7e-4 at the defaults); over a test set
 * these errors mostly cancel and the two methods agree to about 1e-5. The official AWing
 * code reports no AUC.
 *
 * @param nmes Per-image NMEs.
 * @param options Threshold t (default 0.1), method (default `"exact"`), Simpson grid step.
 * @returns The AUC in [0, 1].
 * @throws {TypeError} If `nmes` is empty or not an array of numbers.
 * @throws {RangeError} If a value is NaN, infinite or negative, t is not a finite number > 0,
 * the method is unknown, or (Simpson) `step` is not > 0, t is not a multiple of it, or the
 * grid has fewer than 3 points or more than 1e7 steps (checked before any allocation).
 *
 * @example
 * ```ts
 * import { auc } from "@facealign/awing/metrics";
 * import { equal, ok } from "node:assert/strict";
 *
 * const nmes = [0, 0.05, 0.2]; // contributes 1, 0.5 and 0
 * equal(auc(nmes), 0.5);
 * // the CED jumps at a grid point: Simpson over-weights it slightly
 * ok(Math.abs(auc(nmes, { method: "simpson" }) - 0.5001111111111111) < 1e-12);
 * ```
 */
export function auc(nmes: NmeValues, options: AucOptions = {}): number {
  const what = "AUC";
  const { values, t } = _checkNmesAndThreshold(what, nmes, options);
  const method = options.method ?? "exact";
  if (method === "exact") {
    let sum = 0;
    for (const v of values) sum += Math.max(0, 1 - v / t);
    return sum / values.length;
  }
  if (method !== "simpson") {
    throw new RangeError(
      `Cannot compute AUC: unknown method ${JSON.stringify(method)}, expected "exact" or "simpson"`,
    );
  }
  const step = options.step ?? 1e-4;
  if (typeof step !== "number" || !Number.isFinite(step) || step <= 0) {
    throw new RangeError(
      `Cannot compute AUC as step must be a finite number > 0: current value is ${String(step)}`,
    );
  }
  const steps = Math.round(t / step);
  _checkGridSteps(what, steps, `threshold ${t} / step ${step}`);
  if (Math.abs(steps * step - t) > 1e-9 * t) {
    throw new RangeError(
      `Cannot compute AUC: threshold ${t} is not a multiple of step ${step}`,
    );
  }
  if (steps < 2) {
    throw new RangeError(
      `Cannot compute AUC: the Simpson grid needs at least 3 points, but threshold ${t} / step ${step} gives ${
        steps + 1
      }`,
    );
  }
  const { x, y } = _ced(values, t, steps);
  return _simpson(y, x) / t;
}
