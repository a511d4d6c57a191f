import type * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { wingLoss } from "../loss/wing_loss.ts";
import { _tfLoss } from "./_adapter.ts";
import type { TfLossOptions } from "./types.ts";

/** Options of {@link tfWingLoss}. */
export interface TfWingLossOptions extends TfLossOptions {
  /** w, the width of the log region. Defaults to 10. */
  w?: number;
  /** epsilon, the curvature of the log region. Defaults to 2. */
  epsilon?: number;
}

/**
 * The Wing loss (Feng et al., CVPR 2018) as a TensorFlow.js loss, value and gradient from
 * awing's WASM core (see `wingLoss`): w ln(1 + |e|/epsilon) for |e| < w, else |e| - C.
 * Channel-last `[N, H, W, K]` unless `layout: "nchw"`; used like {@link tfAwingLoss}.
 *
 * @example
 * ```ts
 * import { tfWingLoss } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { ok } from "node:assert/strict";
 * const pred = tf.fill<tf.Rank.R4>([1, 2, 2, 1], 2), target = tf.zeros<tf.Rank.R4>([1, 2, 2, 1]);
 * const loss = tfWingLoss(pred, target).dataSync()[0]!;
 * ok(Math.abs(loss - 10 * Math.log(2)) < 1e-5);
 * ```
 *
 * @param pred Predicted heatmaps, float32 `[N, H, W, K]` (or `[N, K, H, W]` with `layout: "nchw"`).
 * @param target Target heatmaps, same shape.
 * @param options w, epsilon, loss map, landmark weights, reduction, layout.
 * @returns The loss, a scalar whose gradient with respect to `pred` is awing's.
 * @throws {TypeError} For a non-tensor, disposed, non-float32 or non-4-D input, or shapes that
 * differ.
 * @throws {RangeError} For NaN or infinite values, w or epsilon <= 0, or an empty batch.
 */
export function tfWingLoss(
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options?: TfWingLossOptions,
): tf.Scalar {
  return _tfLoss(wingLoss, pred, target, options);
}
