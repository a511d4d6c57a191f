import type * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { softWingLoss } from "../loss/soft_wing_loss.ts";
import { _tfLoss } from "./_adapter.ts";
import type { TfLossOptions } from "./types.ts";

/** Options of {@link tfSoftWingLoss}. */
export interface TfSoftWingLossOptions extends TfLossOptions {
  /** w1, the width of the L1 region. Defaults to 2. */
  w1?: number;
  /** w2, the scale of the log region. Defaults to 20. */
  w2?: number;
  /** epsilon, the curvature of the log region. Defaults to 0.5. */
  epsilon?: number;
}

/**
 * The Soft Wing loss (Lin et al., TIP 2021) as a TensorFlow.js loss, value and gradient from
 * awing's WASM core (see `softWingLoss`): |e| for |e| < w1, else w2 ln(1 + |e|/epsilon) + B.
 * Channel-last `[N, H, W, K]` unless `layout: "nchw"`; used like {@link tfAwingLoss}.
 *
 * @example
 * ```ts
 * import { tfSoftWingLoss } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { ok } from "node:assert/strict";
 * const pred = tf.fill<tf.Rank.R4>([1, 2, 2, 1], 0.5), target = tf.zeros<tf.Rank.R4>([1, 2, 2, 1]);
 * ok(Math.abs(tfSoftWingLoss(pred, target).dataSync()[0]! - 0.5) < 1e-6);
 * ```
 *
 * @param pred Predicted heatmaps, float32 `[N, H, W, K]` (or `[N, K, H, W]` with `layout: "nchw"`).
 * @param target Target heatmaps, same shape.
 * @param options w1, w2, epsilon, loss map, landmark weights, reduction, layout.
 * @returns The loss, a scalar whose gradient with respect to `pred` is awing's.
 * @throws {TypeError} For a non-tensor, disposed, non-float32 or non-4-D input, or shapes that
 * differ.
 * @throws {RangeError} For NaN or infinite values, w1, w2 or epsilon <= 0, or an empty batch.
 */
export function tfSoftWingLoss(
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options?: TfSoftWingLossOptions,
): tf.Scalar {
  return _tfLoss(softWingLoss, pred, target, options);
}
