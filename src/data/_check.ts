// Input checks of the data module. Messages follow the project's style:
// `Cannot <action>: "<name>" ...` (TypeError) or `Cannot <action> as <name> must be ...`
// (RangeError).
import type { Affine, Landmarks, RasterImage } from "./types.ts";

/** Checks a 2 x 3 affine: six finite numbers. */
export function checkAffine(matrix: unknown, name: string, action: string): Affine {
  if (!Array.isArray(matrix) || matrix.length !== 6) {
    throw new TypeError(`Cannot ${action}: "${name}" must be an array of 6 numbers (2 x 3)`);
  }
  for (let i = 0; i < 6; i++) {
    const v: unknown = matrix[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(
        `Cannot ${action} as ${name} must hold finite numbers: element ${i} is ${String(v)}`,
      );
    }
  }
  return matrix as unknown as Affine;
}

/** Checks that a computed affine holds six finite numbers (`what` names it in the message). */
export function checkFiniteResult(matrix: readonly number[], action: string, what: string): void {
  const i = matrix.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw new RangeError(
      `Cannot ${action} as ${what} must be finite: element ${i} is ${
        matrix[i]
      } (it overflows float64)`,
    );
  }
}

/** Checks landmarks: a Float32Array or Float64Array of (x, y) pairs, optionally K per face. */
export function checkLandmarks(
  landmarks: unknown,
  name: string,
  action: string,
  k?: number,
): Landmarks {
  if (!(landmarks instanceof Float32Array || landmarks instanceof Float64Array)) {
    throw new TypeError(`Cannot ${action}: "${name}" must be a Float32Array or Float64Array`);
  }
  const per = k === undefined ? 2 : 2 * k;
  if (landmarks.length === 0 || landmarks.length % per !== 0) {
    throw new TypeError(
      `Cannot ${action}: "${name}" has ${landmarks.length} elements, which is not a positive multiple of ${
        k === undefined ? "2" : `2 x ${k}`
      }`,
    );
  }
  return landmarks;
}

/** Checks that every element is finite. */
export function checkAllFinite(values: ArrayLike<number>, name: string, action: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || !Number.isFinite(v)) {
      throw new RangeError(
        `Cannot ${action} as ${name} must be finite: element ${i} is ${String(v)}`,
      );
    }
  }
}

/** Checks a finite number in [min, max] (a whole one with `integer`). */
export function checkRange(
  value: unknown,
  name: string,
  min: number,
  max: number,
  action: string,
  integer = false,
): number {
  if (
    typeof value !== "number" || !(value >= min && value <= max) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new RangeError(
      `Cannot ${action} as ${name} must be ${
        integer ? "a whole number" : "a number"
      } in [${min}, ${max}]: current value is ${String(value)}`,
    );
  }
  return value;
}

/** Checks a whole number in [min, max]. */
export function checkInt(
  value: unknown,
  name: string,
  min: number,
  max: number,
  action: string,
): number {
  return checkRange(value, name, min, max, action, true);
}

/** Checks a seed: a safe integer. */
export function checkSeed(value: unknown, action: string): number {
  return checkInt(value, "seed", -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, action);
}

/** Largest image side accepted (keeps H * W * C well inside 32-bit indexing). */
export const MAX_SIDE = 16384;

/** Checks a raster image: a known buffer type, whole sizes and a matching length. */
export function checkImage(image: unknown, name: string, action: string): RasterImage {
  const im = image as Partial<RasterImage> | null;
  if (typeof im !== "object" || im === null) {
    throw new TypeError(`Cannot ${action}: "${name}" must be an image object`);
  }
  const { data, width, height, channels } = im;
  if (!(data instanceof Uint8Array || data instanceof Float32Array)) {
    throw new TypeError(`Cannot ${action}: "${name}.data" must be a Uint8Array or Float32Array`);
  }
  checkInt(width, `${name}.width`, 1, MAX_SIDE, action);
  checkInt(height, `${name}.height`, 1, MAX_SIDE, action);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(
      `Cannot ${action} as ${name}.channels must be 1, 3 or 4: current value is ${
        String(channels)
      }`,
    );
  }
  const expected = (width as number) * (height as number) * channels;
  if (data.length !== expected) {
    throw new TypeError(
      `Cannot ${action}: "${name}.data" has ${data.length} elements but ${width} x ${height} x ${channels} is ${expected}`,
    );
  }
  return im as RasterImage;
}
