import { checkAffine } from "./_check.ts";
import type { Affine } from "./types.ts";

/**
 * Chains affine transforms: the result applies `transforms[0]` first, then `transforms[1]`,
 * and so on (so `composeAffine(imageToCrop, cropToHeatmap)` maps image to heatmap
 * coordinates). With no argument it is the identity.
 *
 * @param transforms The transforms, in the order they apply.
 * @returns The combined transform.
 * @throws {TypeError} If an argument is not an array of 6 numbers.
 * @throws {RangeError} If an element is not finite.
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
  let m: Affine = [1, 0, 0, 0, 1, 0];
  transforms.forEach((t, i) => {
    const [a2, b2, c2, d2, e2, f2] = checkAffine(t, `transforms[${i}]`, "compose affine");
    const [a1, b1, c1, d1, e1, f1] = m;
    m = [
      a2 * a1 + b2 * d1,
      a2 * b1 + b2 * e1,
      a2 * c1 + b2 * f1 + c2,
      d2 * a1 + e2 * d1,
      d2 * b1 + e2 * e1,
      d2 * c1 + e2 * f1 + f2,
    ];
  });
  return m;
}
