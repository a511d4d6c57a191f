import { checkAffine, checkFiniteResult } from "./_check.ts";
import { determinant, frexp, product, sum, value } from "./_scaled.ts";
import type { Affine } from "./types.ts";

/**
 * Chains affine transforms: the result applies `transforms[0]` first, then `transforms[1]`,
 * and so on (so `composeAffine(imageToCrop, cropToHeatmap)` maps image to heatmap
 * coordinates). With no argument it is the identity.
 *
 * @param transforms The transforms, in the order they apply.
 * @returns The combined transform.
 * @throws {TypeError} If an argument is not an array of 6 numbers.
 * @throws {RangeError} If an element is not finite, or the result has one float64 cannot
 * hold (an entry that overflows, or a linear part that underflows to a singular one although
 * every transform is invertible).
 *
 * @example Scale by 2, then shift by (1, 0)
 * ```ts
 * import { applyAffine, composeAffine } from "@facealign/awing/data";
 * import { deepEqual } from "node:assert/strict";
 *
 * const m = composeAffine([2, 0, 0, 0, 2, 0], [1, 0, 1, 0, 1, 0]);
 * deepEqual(m, [2, 0, 1, 0, 2, 0]);
 * deepEqual(applyAffine(new Float64Array([3, 5]), m), new Float64Array([7, 10]));
 * ```
 */
export function composeAffine(...transforms: readonly Affine[]): Affine {
  const action = "compose affine";
  let m: Affine = [1, 0, 0, 0, 1, 0];
  let singular = false;
  transforms.forEach((t, i) => {
    const [a2, b2, c2, d2, e2, f2] = checkAffine(t, `transforms[${i}]`, action);
    singular ||= determinant(t)[0] === 0;
    const [a1, b1, c1, d1, e1, f1] = m;
    // as a2 * a1 + b2 * d1 (+ c2), without an overflow or underflow half-way
    const dot = (x1: number, y1: number, x2: number, y2: number, z = 0): number =>
      value(sum(product(x1, y1), product(x2, y2), frexp(z)));
    m = [
      dot(a2, a1, b2, d1),
      dot(a2, b1, b2, e1),
      dot(a2, c1, b2, f1, c2),
      dot(d2, a1, e2, d1),
      dot(d2, b1, e2, e1),
      dot(d2, c1, e2, f1, f2),
    ];
    checkFiniteResult(m, action, `the product of transforms 0 to ${i}`);
  });
  if (!singular && determinant(m)[0] === 0) {
    throw new RangeError(
      `Cannot ${action} as the result must be invertible like every transform: its entries underflow float64`,
    );
  }
  return m;
}
