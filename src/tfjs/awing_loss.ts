import type * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { awingLoss } from "../loss/awing_loss.ts";
import { _tfLoss } from "./_adapter.ts";
import type { TfLossOptions } from "./types.ts";

/** Options of {@link tfAwingLoss}: the loss parameters (paper defaults) and the common options. */
export interface TfAwingLossOptions extends TfLossOptions {
  /** alpha; the exponent is alpha - y, so alpha must exceed 1 + max(target). Defaults to 2.1. */
  alpha?: number;
  /** omega, the loss scale. Defaults to 14. */
  omega?: number;
  /** epsilon, the error scale. Defaults to 1. */
  epsilon?: number;
  /** theta, where the log branch turns linear. Defaults to 0.5. */
  theta?: number;
}

/**
 * The Adaptive Wing loss (Wang, Bo, Fuxin, ICCV 2019) with the paper's weighted loss map as a
 * TensorFlow.js loss: the value and the gradient come from awing's WASM SIMD core (see
 * `awingLoss`), the gradient reaches `pred` through `tf.customGrad`. Tensors are
 * channel-last `[N, H, W, K]` unless `layout: "nchw"`.
 *
 * Works on the `cpu` and `wasm` backends (see `useWasmBackend`); all TensorFlow.js gradients
 * are registered by this module, so a `tf.layers` model trains without further imports.
 *
 * @example With an optimizer
 * ```ts
 * import { tfAwingLoss } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { ok } from "node:assert/strict";
 * const peaks = new Float32Array(2 * 8 * 8 * 3).map((_, i) => (i % 37 === 0 ? 1 : 0));
 * const target = tf.tensor4d(peaks, [2, 8, 8, 3]);
 * const pred = tf.variable(tf.zeros<tf.Rank.R4>([2, 8, 8, 3]));
 * const optimizer = tf.train.adam(0.05);
 * const first = optimizer.minimize(() => tfAwingLoss(pred, target), true)!.dataSync()[0]!;
 * for (let i = 0; i < 20; i++) optimizer.minimize(() => tfAwingLoss(pred, target));
 * ok(tfAwingLoss(pred, target).dataSync()[0]! < first / 2);
 * ```
 *
 * @example As the loss of a `tf.layers` model (TensorFlow.js passes `(yTrue, yPred)`)
 * ```ts
 * import { tfAwingLoss } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
 * import { ok } from "node:assert/strict";
 * const model = tfl.sequential({
 *   layers: [tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: "same" })],
 * });
 * model.compile({
 *   optimizer: tf.train.adam(0.01),
 *   loss: (yTrue: tf.Tensor, yPred: tf.Tensor) =>
 *     tfAwingLoss(yPred as tf.Tensor4D, yTrue as tf.Tensor4D),
 * });
 * const x = tf.randomUniform([4, 8, 8, 1], 0, 1, "float32", 1);
 * const y = tf.randomUniform([4, 8, 8, 3], 0, 1, "float32", 2);
 * const history = await model.fit(x, y, { epochs: 5, verbose: 0 });
 * const losses = history.history.loss as number[];
 * ok(losses.at(-1)! < losses[0]!);
 * ```
 *
 * @param pred Predicted heatmaps, float32 `[N, H, W, K]` (or `[N, K, H, W]` with `layout: "nchw"`).
 * @param target Target heatmaps, same shape; values must stay below alpha - 1.
 * @param options Loss parameters, loss map, landmark weights, reduction, layout.
 * @returns The loss, a scalar whose gradient with respect to `pred` is awing's.
 * @throws {TypeError} For a non-tensor, disposed, non-float32 or non-4-D input, or shapes that
 * differ.
 * @throws {RangeError} For NaN or infinite values, alpha <= 1 + max(target), omega, epsilon
 * or theta <= 0, or an empty batch.
 */
export function tfAwingLoss(
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options?: TfAwingLossOptions,
): tf.Scalar {
  return _tfLoss(awingLoss, pred, target, options);
}
