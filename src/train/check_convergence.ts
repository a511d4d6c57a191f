import { checkOptions } from "../_validate.ts";
import { _checkArray } from "./_check_records.ts";

/** Options of {@link checkConvergence}. */
export interface CheckConvergenceOptions {
  /** The final fraction of the steps that is compared with the steps before it. Defaults to 0.2. */
  tail?: number;
  /** The largest relative improvement of the best value that still counts as flat. Defaults to 0.1. */
  tolerance?: number;
  /**
   * A run whose best validation NME stays above this never left the plateau of the all-zero
   * output (its NME is 60-110% on the rendered 300W protocol; trained networks reach 5-10%).
   * Defaults to 0.25.
   */
  plateau?: number;
}

/** What {@link checkConvergence} returns. */
export interface Convergence {
  /** Whether the best value of the tail is within `tolerance` of the best value before it. */
  flattened: boolean;
  /** Whether the best value of the whole curve is above the `plateau` threshold. */
  plateau: boolean;
  /** The best (lowest) validation NME before the tail. */
  bestBefore: number;
  /** The best validation NME in the tail. */
  bestTail: number;
  /** The relative improvement of the tail over the steps before it: 1 - bestTail / bestBefore. */
  improvement: number;
}

/**
 * Whether a validation curve has flattened: the best (lowest) validation NME in the last
 * `tail` of the steps (after step `(1 - tail) * lastStep`) is within `tolerance` of the best
 * value before them, i.e. the tail improves the best value by at most 10% (by default). A
 * tail that is worse than the steps before it counts as flat. Non-finite values count as
 * worst. Also says whether the run never left the plateau (its best value above `plateau`).
 *
 * @example A curve that still falls, and one that has levelled off
 * ```ts
 * import { checkConvergence } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const falling = Array.from({ length: 10 }, (_, i) => [100 * (i + 1), 0.5 / (i + 1)] as [number, number]);
 * equal(checkConvergence(falling).flattened, false);
 * const flat = falling.map(([s, v]) => [s, Math.max(v, 0.07)] as [number, number]);
 * equal(checkConvergence(flat).flattened, true);
 * equal(checkConvergence(flat).plateau, false);
 * ```
 *
 * @param curve The validation curve `[step, validation NME]`, in step order.
 * @param options Tail fraction, tolerance and plateau threshold.
 * @returns Whether it flattened and stayed on the plateau, with the two best values.
 * @throws {TypeError} When the curve is not an array of `[step, value]` pairs in step order.
 * @throws {RangeError} When it has no point before the tail or none in it, or an option is out
 * of range.
 */
export function checkConvergence(
  curve: readonly (readonly [number, number])[],
  options: CheckConvergenceOptions = {},
): Convergence {
  const action = "check convergence";
  checkOptions(options, action);
  _checkArray(curve, "curve", action);
  const tail = options.tail ?? 0.2, tolerance = options.tolerance ?? 0.1;
  const plateau = options.plateau ?? 0.25;
  for (const [name, v] of [["tail", tail], ["tolerance", tolerance]] as const) {
    if (!(v > 0 && v < 1)) {
      throw new RangeError(`Cannot ${action} as ${name} must be in (0, 1): current value is ${v}`);
    }
  }
  if (!(plateau > 0)) {
    throw new RangeError(`Cannot ${action} as plateau must be > 0: current value is ${plateau}`);
  }
  let previous = -Infinity;
  for (const [i, point] of curve.entries()) {
    const step = Array.isArray(point) ? point[0] : undefined;
    if (
      !Array.isArray(point) || point.length !== 2 || typeof point[1] !== "number" ||
      typeof step !== "number" || !Number.isFinite(step) || step <= previous
    ) {
      throw new TypeError(
        `Cannot ${action}: "curve" must hold [step, value] pairs in increasing step order but element ${i} is ${
          JSON.stringify(point)
        }`,
      );
    }
    previous = step;
  }
  const cut = (1 - tail) * previous;
  const best = (points: readonly (readonly [number, number])[]) =>
    points.reduce((m, [, v]) => (Number.isFinite(v) && v < m ? v : m), Infinity);
  const before = curve.filter(([s]) => s <= cut), after = curve.filter(([s]) => s > cut);
  if (before.length === 0 || after.length === 0) {
    throw new RangeError(
      `Cannot ${action}: the curve needs points before and after step ${cut} (the last ${
        100 * tail
      }% of ${previous} steps) but it has ${before.length} and ${after.length}`,
    );
  }
  const bestBefore = best(before), bestTail = best(after);
  const improvement = Number.isFinite(bestBefore) ? 1 - bestTail / bestBefore : NaN;
  return {
    flattened: Number.isFinite(bestBefore) && !(improvement > tolerance),
    plateau: !(Math.min(bestBefore, bestTail) <= plateau),
    bestBefore,
    bestTail,
    improvement,
  };
}
