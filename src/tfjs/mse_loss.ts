import type * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { mseLoss } from "../loss/mse_loss.ts";
import { _tfLoss } from "./_adapter.ts";
import type { TfLossOptions } from "./types.ts";

/**
 * The mean squared error (pred - target)^2 as a TensorFlow.js loss, value and gradient from
 * awing's WASM core (see `mseLoss`), with the options of the other losses (the loss map is off
 * by default). Without options it equals `tf.losses.meanSquaredError`.
 *
 * @example
 * ```ts
 * import { tfMseLoss } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { ok } from "node:assert/strict";
 * const pred = tf.randomNormal<tf.Rank.R4>([2, 4, 4, 3], 0, 1, "float32", 1);
 * const target = tf.randomNormal<tf.Rank.R4>([2, 4, 4, 3], 0, 1, "float32", 2);
 * const ours = tfMseLoss(pred, target).dataSync()[0]!;
 * const theirs = tf.losses.meanSquaredError(target, pred).dataSync()[0]!;
 * ok(Math.abs(ours - theirs) < 1e-6 * theirs);
 * ```
 *
 * @param pred Predicted heatmaps, float32 `[N, H, W, K]` (or `[N, K, H, W]` with `layout: "nchw"`).
 * @param target Target heatmaps, same shape.
 * @param options Loss map, landmark weights, reduction, layout.
 * @returns The loss, a scalar whose gradient with respect to `pred` is awing's.
 * @throws {TypeError} For a non-tensor, disposed, non-float32 or non-4-D input, or shapes that
 * differ.
 * @throws {RangeError} For NaN or infinite values, or an empty batch.
 */
export function tfMseLoss(
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options?: TfLossOptions,
): tf.Scalar {
  return _tfLoss(mseLoss, pred, target, options);
}
