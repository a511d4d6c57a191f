import type * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { l1Loss } from "../loss/l1_loss.ts";
import { _tfLoss } from "./_adapter.ts";
import type { TfLossOptions } from "./types.ts";

/**
 * The L1 loss |pred - target| as a TensorFlow.js loss, value and gradient from awing's WASM
 * core (see `l1Loss`; the gradient at zero error is 0), with the options of the other losses.
 *
 * @example
 * ```ts
 * import { tfL1Loss } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { ok } from "node:assert/strict";
 * const pred = tf.tensor4d([1, -3], [1, 1, 2, 1]), target = tf.zeros<tf.Rank.R4>([1, 1, 2, 1]);
 * ok(Math.abs(tfL1Loss(pred, target, { reduction: "sum" }).dataSync()[0]! - 4) < 1e-6);
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
export function tfL1Loss(
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options?: TfLossOptions,
): tf.Scalar {
  return _tfLoss(l1Loss, pred, target, options);
}
