import { _checkCoords } from "./_validate.ts";
import { _normDistance, _resolveShape, type NormDistanceOptions } from "./norm_distance.ts";

/** Options of {@linkcode nme}: the normaliser, the layout or K, and optional boxes. */
export type NmeOptions = NormDistanceOptions;

/**
 * Computes the per-image normalised mean error
 *
 * NME_i = (1/K) sum_k ||p_ik - g_ik||_2 / d_i
 *
 * with d_i from the chosen normaliser (see {@linkcode NmeNorm}): the formula of the official
 * AWing evaluation and of HRNet. All K points count (there is no visibility mask). All
 * arithmetic is in float64. Multiply by 100 for the percentages of papers.
 *
 * @param pred Predicted landmarks, shape [N, K, 2] (x, y), row-major.
 * @param gt Ground-truth landmarks, same shape as `pred`.
 * @param options The normaliser (required), the layout or number of points, optional boxes.
 * @returns The N per-image NMEs.
 * @throws {TypeError} If an array is not a Float32Array / Float64Array, the shapes differ or
 * are not [N, K, 2], neither `layout` nor `numPoints` is given, or `boxes` is misused.
 * @throws {RangeError} If a value is NaN or infinite, the layout or normaliser is unknown, or
 * a normalising distance is 0.
 *
 * @example Two faces of 3 points, normalised by the distance of points 0 and 1
 * ```ts
 * import { nme } from "@facealign/awing/metrics";
 * import { deepEqual } from "node:assert/strict";
 *
 * // face 0: errors 5, 0, 0 -> mean 5/3, d = 10; face 1: errors 0, 0, 2 -> mean 2/3, d = 4
 * const gt = new Float64Array([0, 0, 10, 0, 0, 10, 0, 0, 4, 0, 0, 4]);
 * const pred = new Float64Array([3, 4, 10, 0, 0, 10, 0, 0, 4, 0, 0, 2]);
 * const out = nme(pred, gt, { numPoints: 3, norm: { pair: [0, 1] } });
 * deepEqual(out, new Float64Array([5 / 3 / 10, 2 / 3 / 4]));
 * ```
 */
export function nme(
  pred: Float32Array | Float64Array,
  gt: Float32Array | Float64Array,
  options: NmeOptions,
): Float64Array {
  const what = "NME";
  _checkCoords(what, "pred", pred);
  _checkCoords(what, "gt", gt);
  if (pred.length !== gt.length) {
    throw new TypeError(
      `Cannot compute NME: "pred" has ${pred.length} elements but "gt" has ${gt.length}`,
    );
  }
  const shape = _resolveShape(what, gt, options);
  const d = _normDistance(what, gt, shape, options);
  const { n, k } = shape;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = 2 * k * i;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const o = base + 2 * j;
      sum += Math.hypot(pred[o]! - gt[o]!, pred[o + 1]! - gt[o + 1]!);
    }
    out[i] = sum / k / d[i]!;
  }
  return out;
}
