import { checkOptions } from "../_validate.ts";
import { _checkArray } from "./_check_records.ts";

/** One tried learning rate: its validation NME, or null when training diverged. */
export interface LearningRateTrial {
  /** The rate. */
  learningRate: number;
  /** Validation NME at the end of the run; null when the loss became non-finite. */
  valNme: number | null;
}

/** Options of {@link chooseLearningRate}. */
export interface ChooseLearningRateOptions {
  /** The lowest rate the sweep may try. Defaults to 1e-5. */
  min?: number;
  /** The highest rate the sweep may try. Defaults to 0.1. */
  max?: number;
}

/** What {@link chooseLearningRate} returns. */
export interface LearningRateChoice {
  /** The rate with the lowest validation NME (undefined while every trial diverged). */
  learningRate: number | undefined;
  /** The rate to try next, or undefined when the choice is final. */
  next: number | undefined;
  /**
   * Why the choice is final (or not): `"inside"` (a worse rate was tried on both sides),
   * `"diverges"` (the next rate up diverged), `"limit"` (the chosen rate is at `min` or `max`),
   * `"extend"` (the chosen rate is at the edge of the rates tried: try `next`).
   */
  status: "inside" | "diverges" | "limit" | "extend";
}

/** The next rate on the grid 1, 3, 10, 30, ... x 10^k above (dir 1) or below (dir -1) r. */
function gridNeighbour(r: number, dir: 1 | -1): number {
  const grid: number[] = [];
  const k = Math.floor(Math.log10(r));
  for (let e = k - 2; e <= k + 2; e++) grid.push(Number(`1e${e}`), Number(`3e${e}`));
  return dir === 1
    ? grid.find((g) => g > r * (1 + 1e-9))!
    : grid.reverse().find((g) => g < r * (1 - 1e-9))!;
}

/**
 * One step of a learning-rate sweep that extends its range until the best rate is inside it:
 * picks the rate with the lowest validation NME among the trials that did not diverge, and
 * when it is the highest (lowest) rate tried, proposes the next rate up (down) on the grid
 * 1, 3, 10, 30, ... x 10^k. The choice is final when worse rates were tried on both sides of
 * it, when the next rate up diverged, or at the range limit `min` / `max`. While every trial
 * diverged it proposes the next rate below the lowest one.
 *
 * @example 3e-3 is best of three: extend upwards, then final
 * ```ts
 * import { chooseLearningRate, type LearningRateTrial } from "@facealign/awing/train";
 * import { deepEqual } from "node:assert/strict";
 * const trials: LearningRateTrial[] = [
 *   { learningRate: 1e-3, valNme: 0.09 },
 *   { learningRate: 3e-3, valNme: 0.07 },
 * ];
 * deepEqual(chooseLearningRate(trials), { learningRate: 3e-3, next: 1e-2, status: "extend" });
 * trials.push({ learningRate: 1e-2, valNme: null });
 * deepEqual(chooseLearningRate(trials), { learningRate: 3e-3, next: undefined, status: "diverges" });
 * ```
 *
 * @param trials The rates tried so far (at least one).
 * @param options The allowed range.
 * @returns The chosen rate, the rate to try next, and why.
 * @throws {TypeError} When trials is not a non-empty array of `{ learningRate, valNme }`.
 * @throws {RangeError} When a rate or the range is not positive and finite.
 */
export function chooseLearningRate(
  trials: readonly LearningRateTrial[],
  options: ChooseLearningRateOptions = {},
): LearningRateChoice {
  const action = "choose learning rate";
  checkOptions(options, action);
  _checkArray(trials, "trials", action);
  const min = options.min ?? 1e-5, max = options.max ?? 0.1;
  if (!(min > 0 && max >= min && Number.isFinite(max))) {
    throw new RangeError(
      `Cannot ${action} as min and max must be finite with 0 < min <= max: current values are ${min} and ${max}`,
    );
  }
  if (trials.length === 0) throw new TypeError(`Cannot ${action}: "trials" is empty`);
  for (const [i, t] of trials.entries()) {
    if (
      typeof t !== "object" || t === null || !(t.valNme === null || typeof t.valNme === "number")
    ) {
      throw new TypeError(
        `Cannot ${action}: "trials" must hold { learningRate, valNme } but element ${i} is ${
          JSON.stringify(t)
        }`,
      );
    }
    if (!(t.learningRate > 0 && Number.isFinite(t.learningRate))) {
      throw new RangeError(
        `Cannot ${action} as learning rates must be > 0: current value is ${t.learningRate}`,
      );
    }
  }
  const sorted = [...trials].sort((x, y) => x.learningRate - y.learningRate);
  const ok = (t: LearningRateTrial) => t.valNme !== null && Number.isFinite(t.valNme);
  let best: LearningRateTrial | undefined;
  for (const t of sorted) if (ok(t) && (best === undefined || t.valNme! < best.valNme!)) best = t;
  const within = (r: number) => r >= min * (1 - 1e-9) && r <= max * (1 + 1e-9);
  if (best === undefined) {
    const down = gridNeighbour(sorted[0]!.learningRate, -1);
    return within(down)
      ? { learningRate: undefined, next: down, status: "extend" }
      : { learningRate: undefined, next: undefined, status: "limit" };
  }
  const i = sorted.indexOf(best);
  const above = sorted[i + 1], below = sorted[i - 1];
  let status: LearningRateChoice["status"] = "inside";
  for (const [neighbour, dir] of [[above, 1], [below, -1]] as const) {
    if (neighbour !== undefined) {
      if (dir === 1 && !ok(neighbour)) status = "diverges";
      continue;
    }
    const next = gridNeighbour(best.learningRate, dir);
    if (within(next)) return { learningRate: best.learningRate, next, status: "extend" };
    status = "limit";
  }
  return { learningRate: best.learningRate, next: undefined, status };
}
