import { checkOptions } from "../_validate.ts";
import { getLayout } from "./get_layout.ts";
import type { LandmarkLayout, LayoutName } from "./types.ts";

/** Options of {@linkcode flipLandmarks}. */
export interface FlipLandmarksOptions {
  /** Layout (name, number of points or object) whose flip pairs are used. */
  readonly layout: LayoutName | number | LandmarkLayout;
  /**
   * Image width W in pixels. With the project's pixel convention (pixel column j has its
   * centre at x = j), a horizontal image flip maps x to `W - 1 - x` (as mmpose does).
   */
  readonly width: number;
}

/**
 * Mirrors landmarks for a horizontally flipped image: x becomes `width - 1 - x`, y is kept,
 * and the points are re-ordered by the layout's flip pairs so that index k keeps its meaning
 * (the image-left eye corner stays the image-left eye corner). Flipping twice gives back the
 * input, up to rounding.
 *
 * @param landmarks Landmarks, shape [N, K, 2] (x, y), row-major.
 * @param options The layout and the image width.
 * @returns A new array of the same type and shape.
 * @throws {TypeError} If `landmarks` is not a Float32Array or Float64Array, or its length is
 * not a positive multiple of 2K.
 * @throws {RangeError} If `width` or a coordinate is not a finite number, or the layout is
 * unknown.
 *
 * @example Flip a 29-point COFW face in a 100 px wide image
 * ```ts
 * import { flipLandmarks } from "@facealign/awing/layouts";
 * import { equal } from "node:assert/strict";
 *
 * const face = new Float64Array(58);
 * face[16 * 2] = 30; // left pupil x
 * face[17 * 2] = 70; // right pupil x
 * const flipped = flipLandmarks(face, { layout: "cofw", width: 100 });
 * equal(flipped[16 * 2], 29); // 99 - 70: the old right pupil is the new left pupil
 * equal(flipped[17 * 2], 69);
 * ```
 */
export function flipLandmarks<T extends Float32Array | Float64Array>(
  landmarks: T,
  options: FlipLandmarksOptions,
): T {
  checkOptions(options, "flip landmarks");
  if (!(landmarks instanceof Float32Array || landmarks instanceof Float64Array)) {
    throw new TypeError(
      `Cannot flip landmarks: "landmarks" must be a Float32Array or Float64Array`,
    );
  }
  const layout = getLayout(options.layout);
  const k = layout.numPoints;
  if (landmarks.length === 0 || landmarks.length % (2 * k) !== 0) {
    throw new TypeError(
      `Cannot flip landmarks: "landmarks" has ${landmarks.length} elements, which is not a positive multiple of 2 x ${k} (layout "${layout.name}")`,
    );
  }
  const width = options.width;
  if (typeof width !== "number" || !Number.isFinite(width)) {
    throw new RangeError(
      `Cannot flip landmarks as width must be a finite number: current value is ${width}`,
    );
  }
  for (let i = 0; i < landmarks.length; i++) {
    if (!Number.isFinite(landmarks[i])) {
      throw new RangeError(
        `Cannot flip landmarks: "landmarks" has a non-finite value (${landmarks[i]}) at index ${i}`,
      );
    }
  }
  const out = new (landmarks.constructor as { new (n: number): T })(landmarks.length);
  const perm = layout.flipPermutation;
  const n = landmarks.length / (2 * k);
  for (let i = 0; i < n; i++) {
    const base = i * 2 * k;
    for (let j = 0; j < k; j++) {
      const src = base + 2 * perm[j]!;
      out[base + 2 * j] = width - 1 - landmarks[src]!;
      out[base + 2 * j + 1] = landmarks[src + 1]!;
    }
  }
  return out;
}
