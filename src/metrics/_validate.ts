// Internal checks shared by the metrics.

import { checkOptions } from "../_validate.ts";

/** Checks a per-image NME array: non-empty, finite, >= 0. Returns it as f64 numbers. */
export function _checkNmes(what: string, nmes: unknown): Float64Array {
  if (
    !(nmes instanceof Float64Array || nmes instanceof Float32Array || Array.isArray(nmes))
  ) {
    throw new TypeError(
      `Cannot compute ${what}: "nmes" must be a Float64Array, a Float32Array or an array of numbers`,
    );
  }
  if (nmes.length === 0) {
    throw new TypeError(`Cannot compute ${what}: "nmes" is empty`);
  }
  const out = new Float64Array(nmes.length);
  for (let i = 0; i < nmes.length; i++) {
    const v = nmes[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`Cannot compute ${what}: "nmes" has ${_describe(v)} at index ${i}`);
    }
    if (v < 0) {
      throw new RangeError(
        `Cannot compute ${what}: "nmes" has a negative value (${v}) at index ${i}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Checks a threshold option (finite, > 0); returns the default when undefined. */
export function _checkThreshold(what: string, threshold: unknown, fallback: number): number {
  if (threshold === undefined) return fallback;
  if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold <= 0) {
    throw new RangeError(
      `Cannot compute ${what} as threshold must be a finite number > 0: current value is ${
        String(threshold)
      }`,
    );
  }
  return threshold;
}

/**
 * The common start of the metrics over per-image NMEs and a threshold t: checks `options`
 * (an object or undefined), the NMEs ({@linkcode _checkNmes}) and `options.threshold`
 * (default 0.1), in that order.
 */
export function _checkNmesAndThreshold(
  what: string,
  nmes: unknown,
  options: { readonly threshold?: number | undefined },
): { values: Float64Array; t: number } {
  checkOptions(options, `compute ${what}`);
  const values = _checkNmes(what, nmes);
  return { values, t: _checkThreshold(what, options.threshold, 0.1) };
}

/** Checks that `array` is a Float32Array or Float64Array with finite values. */
export function _checkCoords(what: string, name: string, array: unknown): void {
  if (!(array instanceof Float32Array || array instanceof Float64Array)) {
    throw new TypeError(
      `Cannot compute ${what}: "${name}" must be a Float32Array or Float64Array`,
    );
  }
  for (let i = 0; i < array.length; i++) {
    if (!Number.isFinite(array[i])) {
      throw new RangeError(
        `Cannot compute ${what}: "${name}" has ${_describe(array[i])} at index ${i}`,
      );
    }
  }
}

/** "a NaN", "Infinity", "-Infinity" or the value, for error messages. */
export function _describe(value: unknown): string {
  if (typeof value === "number" && Number.isNaN(value)) return "a NaN";
  if (typeof value === "number") return String(value);
  return `a non-number (${typeof value})`;
}

/** The most steps a CED grid may have (two Float64Arrays of steps + 1 values: 160 MB). */
export const _MAX_GRID_STEPS = 1e7;

/** Throws before any allocation when a CED grid would have more than _MAX_GRID_STEPS steps. */
export function _checkGridSteps(what: string, steps: number, from: string): void {
  if (steps > _MAX_GRID_STEPS) {
    throw new RangeError(
      `Cannot compute ${what}: ${from} gives ${steps} grid steps, more than the limit of ${_MAX_GRID_STEPS}`,
    );
  }
}
