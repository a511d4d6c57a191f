import { checkAffine, checkFiniteResult } from "./_check.ts";
import { determinant, frexp, product, ratio, sum, value } from "./_scaled.ts";
import type { Affine } from "./types.ts";

/**
 * The inverse of a 2 x 3 affine transform: `applyAffine(applyAffine(p, m), invertAffine(m))`
 * gives back p (up to rounding). Use it to map crop or heatmap coordinates back to the image.
 *
 * @param matrix The transform `[a, b, c, d, e, f]`.
 * @returns The inverse transform.
 * @throws {TypeError} If `matrix` is not an array of 6 numbers.
 * @throws {RangeError} If an element is not finite, the transform is singular (determinant
 * 0), or its inverse has an entry float64 cannot hold. Large and tiny entries are fine: the
 * determinant is computed on mantissas and powers of two, so it neither overflows nor
 * underflows.
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
  // on mantissas and powers of two: no overflow or underflow unless the inverse itself has one
  const det = determinant(matrix);
  if (det[0] === 0) {
    throw new RangeError(
      `Cannot ${action} as matrix must be invertible: its determinant is 0`,
    );
  }
  const over = (x: number): number => ratio(frexp(x), det);
  const inv: Affine = [
    over(e),
    over(-b),
    ratio(sum(product(b, f), product(-c, e)), det),
    over(-d),
    over(a),
    ratio(sum(product(c, d), product(-a, f)), det),
  ];
  checkFiniteResult(inv, action, "its inverse");
  if (determinant(inv)[0] === 0) {
    throw new RangeError(
      `Cannot ${action} as its inverse must be representable: its entries underflow float64 (the matrix's determinant is ${
        value(det)
      })`,
    );
  }
  return inv.map((v) => v + 0) as unknown as Affine; // + 0 turns -0 into 0
}
