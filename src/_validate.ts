// Input checks shared by every public function. Messages follow denoland/std:
// `Cannot <action>: "<name>" has <n> elements but "<other>" has <m>`.
import type { HeatmapLayout, Shape4 } from "./types.ts";

/** The dimensions of a batch's shape in `layout`, for messages: `[N, K, H, W]` or `[N, H, W, K]`. */
export function shapeDims(layout: HeatmapLayout = "nchw"): string {
  return layout === "nhwc" ? "[N, H, W, K]" : "[N, K, H, W]";
}

/** The largest dimension the kernels take: the WASM core and the CUDA library index with int32. */
export const I32_MAX = 0x7fffffff;

/** Checks that every entry of `dims` is a non-negative integer and returns their product. */
export function checkDims(dims: readonly number[], name: string, action: string): number {
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(
        `Cannot ${action}: "${name}" must hold non-negative integers but it is ${
          JSON.stringify(dims)
        }`,
      );
    }
    size *= d;
  }
  return size;
}

/**
 * Checks that `shape` is four positive integers, each at most {@link I32_MAX}, and returns
 * their product; the message names the dimensions in the order of `layout`.
 */
export function checkShape4(
  shape: Shape4,
  action: string,
  name = "shape",
  layout: HeatmapLayout = "nchw",
): number {
  if (!Array.isArray(shape) || shape.length !== 4) {
    throw new TypeError(
      `Cannot ${action}: "${name}" must be ${shapeDims(layout)} but it is ${JSON.stringify(shape)}`,
    );
  }
  const size = checkDims(shape, name, action);
  if (size === 0) {
    throw new RangeError(`Cannot ${action}: the input is empty (shape ${JSON.stringify(shape)})`);
  }
  const big = shape.findIndex((d) => d > I32_MAX);
  if (big >= 0) {
    const dim = shapeDims(layout).slice(1, -1).split(", ")[big];
    throw new RangeError(
      `Cannot ${action}: "${name}" ${JSON.stringify(shape)} has ${dim} = ${
        shape[big]
      }, more than the limit of ${I32_MAX}`,
    );
  }
  return size;
}

/**
 * The most elements of an array a call allocates or takes in memory (8 GiB of float32): larger
 * batches are refused before any allocation.
 */
export const MAX_ELEMENTS = I32_MAX;

/** Throws before any allocation when a batch of `size` elements exceeds {@link MAX_ELEMENTS}. */
export function checkElements(size: number, shape: unknown, action: string): void {
  if (size > MAX_ELEMENTS) {
    throw new RangeError(
      `Cannot ${action}: "shape" ${
        JSON.stringify(shape)
      } has ${size} elements, more than the limit of ${MAX_ELEMENTS}`,
    );
  }
}

/**
 * Checks that `options.shape` is given and valid (see {@link checkShape4}) in `layout`, with at
 * most {@link MAX_ELEMENTS} elements; returns its size.
 */
export function checkOptionsShape(
  options: { shape?: Shape4 | undefined } | undefined,
  action: string,
  layout: HeatmapLayout = "nchw",
): number {
  checkOptions(options, action);
  if (options === undefined || options.shape === undefined) {
    throw new TypeError(`Cannot ${action}: "options.shape" ${shapeDims(layout)} is required`);
  }
  const size = checkShape4(options.shape, action, "shape", layout);
  checkElements(size, options.shape, action);
  return size;
}

/** Checks that `array` is a Float32Array. */
export function checkF32(array: unknown, name: string, action: string): Float32Array {
  if (!(array instanceof Float32Array)) {
    throw new TypeError(`Cannot ${action}: "${name}" must be a Float32Array`);
  }
  return array;
}

/** Checks that `array` is a Float32Array or a Float64Array. */
export function checkFloat(
  array: unknown,
  name: string,
  action: string,
): Float32Array | Float64Array {
  if (!(array instanceof Float32Array || array instanceof Float64Array)) {
    throw new TypeError(`Cannot ${action}: "${name}" must be a Float32Array or Float64Array`);
  }
  return array;
}

/** Checks that `count` elements of `name` are `expected`, naming what the expectation comes from. */
export function checkCount(
  count: number,
  name: string,
  expected: number,
  from: string,
  action: string,
): void {
  if (count !== expected) {
    throw new TypeError(
      `Cannot ${action}: "${name}" has ${count} elements but ${from} has ${expected}`,
    );
  }
}

/** Checks that `array` has `expected` elements, naming what the expectation comes from. */
export function checkLength(
  array: ArrayLike<number>,
  name: string,
  expected: number,
  from: string,
  action: string,
): void {
  checkCount(array.length, name, expected, from, action);
}

/**
 * An output array: the caller's `given` (checked to be a Float32Array of `size` elements, as
 * `from` says) or a new one.
 */
export function outputArray(
  given: unknown,
  name: string,
  size: number,
  from: string,
  action: string,
): Float32Array {
  const out = checkF32(given ?? new Float32Array(size), name, action);
  checkLength(out, name, size, from, action);
  return out;
}

/**
 * Checks optional per-landmark visibilities: a Float32Array, Float64Array or Uint8Array of N*K
 * values, none of them NaN.
 */
export function checkVisibility(
  visibility: unknown,
  n: number,
  k: number,
  action: string,
): Float32Array | Float64Array | Uint8Array | undefined {
  if (visibility === undefined) return undefined;
  if (
    !(visibility instanceof Float32Array || visibility instanceof Float64Array ||
      visibility instanceof Uint8Array)
  ) {
    throw new TypeError(
      `Cannot ${action}: "visibility" must be a Float32Array, Float64Array or Uint8Array`,
    );
  }
  checkLength(visibility, "visibility", n * k, `[N, K] = [${n}, ${k}]`, action);
  for (let i = 0; i < visibility.length; i++) {
    if (Number.isNaN(visibility[i])) {
      throw new RangeError(`Cannot ${action}: "visibility" has a NaN at index ${i}`);
    }
  }
  return visibility;
}

/** Throws a RangeError naming the first NaN or infinite element of `array`, if any. */
export function checkFinite(
  array: ArrayLike<number>,
  name: string,
  action: string,
  offset = 0,
): void {
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `Cannot ${action}: "${name}" has ${
          Number.isNaN(v) ? "a NaN" : "an infinite value"
        } at index ${offset + i}`,
      );
    }
  }
}

/** Checks that `value` is a finite number strictly greater than `min`. */
export function checkAbove(value: number, name: string, min: number, action: string): void {
  if (!(Number.isFinite(value) && value > min)) {
    throw new RangeError(
      `Cannot ${action} as ${name} must be > ${min}: current value is ${value}`,
    );
  }
}

/** Checks that `value` is a finite number >= `min`. */
export function checkAtLeast(value: number, name: string, min: number, action: string): void {
  if (!(Number.isFinite(value) && value >= min)) {
    throw new RangeError(
      `Cannot ${action} as ${name} must be >= ${min}: current value is ${value}`,
    );
  }
}

/** Checks that `value` is finite. */
export function checkFiniteNumber(value: number, name: string, action: string): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`Cannot ${action} as ${name} must be finite: current value is ${value}`);
  }
}

/** Smallest and largest Gaussian sigma accepted: beyond them 2 sigma^2 under- or overflows f32. */
export const SIGMA_RANGE: readonly [number, number] = [1e-6, 1e6];

/** Checks a Gaussian sigma (in pixels): finite and within {@link SIGMA_RANGE}. */
export function checkSigma(sigma: number, action: string): void {
  const [lo, hi] = SIGMA_RANGE;
  if (!(Number.isFinite(sigma) && sigma >= lo && sigma <= hi)) {
    throw new RangeError(
      `Cannot ${action} as sigma must be in [${lo}, ${hi}] pixels: current value is ${sigma}`,
    );
  }
}

/** Checks that `value` is one of the `allowed` strings, naming them all when it is not. */
export function checkOneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  action: string,
): asserts value is T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    const quoted = allowed.map((a) => `"${a}"`);
    const list = quoted.length > 1
      ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`
      : quoted[0];
    throw new TypeError(
      `Cannot ${action}: "${name}" must be ${list} but it is ${JSON.stringify(value)}`,
    );
  }
}

/**
 * Checks an options argument: an object, or undefined (every option at its default). `null`
 * or a non-object is a TypeError naming the argument.
 */
export function checkOptions(options: unknown, action: string, name = "options"): void {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(
      `Cannot ${action}: "${name}" must be an object or undefined but it is ${
        options === null ? "null" : typeof options
      }`,
    );
  }
}

/** Largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;

/** Smallest positive normal float32. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * Checks that a parameter the float32 kernels use keeps its value in float32: 0, or a
 * magnitude that rounds to a normal float32 (at least {@link F32_MIN_NORMAL}, at most the
 * largest float32). A value that is finite in float64 only would be infinite, zero or
 * subnormal in the kernels (and subnormals differ between the WASM and the CUDA backend).
 */
export function checkFloat32Param(value: number, name: string, action: string): void {
  const a = Math.abs(Math.fround(value));
  if (!(value === 0 || (a >= F32_MIN_NORMAL && a < Infinity))) {
    throw new RangeError(
      `Cannot ${action} as ${name} must be a normal float32 (0 or a magnitude in [${F32_MIN_NORMAL}, ${F32_MAX}]): current value is ${value}`,
    );
  }
}
