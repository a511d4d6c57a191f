import { checkAffine } from "./_check.ts";
import type { Affine } from "./types.ts";

/**
 * The inverse of a 2 x 3 affine transform: `applyAffine(applyAffine(p, m), invertAffine(m))`
 * gives back p (up to rounding). Use it to map crop or heatmap coordinates back to the image.
 *
 * @param matrix The transform `[a, b, c, d, e, f]`.
 * @returns The inverse transform.
 * @throws {TypeError} If `matrix` is not an array of 6 numbers.
 * @throws {RangeError} If an element is not finite or the transform is singular
 * (determinant 0, or too close to 0 for a finite inverse).
 *
 * @example Scale by 2, shift by (3, 4), and back
 * ```ts
 * import { invertAffine } from "@facealign/awing/data";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(invertAffine([2, 0, 3, 0, 2, 4]), [0.5, 0, -1.5, 0, 0.5, -2]);
 * ```
 */
export function invertAffine(matrix: Affine): Affine {
  const action = "invert affine";
  const [a, b, c, d, e, f] = checkAffine(matrix, "matrix", action);
  const det = a * e - b * d;
  const inv: Affine = [
    e / det,
    -b / det,
    (b * f - c * e) / det,
    -d / det,
    a / det,
    (c * d - a * f) / det,
  ];
  if (det === 0 || !inv.every(Number.isFinite)) {
    throw new RangeError(
      `Cannot ${action} as matrix must be invertible: its determinant is ${det}`,
    );
  }
  return inv.map((v) => v + 0) as unknown as Affine; // + 0 turns -0 into 0
}
