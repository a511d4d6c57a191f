import type * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { tfAwingLoss, tfL1Loss, tfMseLoss, tfSoftWingLoss, tfWingLoss } from "../tfjs/mod.ts";
import type { LossName } from "./types.ts";

/** Every loss name {@link lossFunction} knows, in the order of the ablation. */
export const LOSS_NAMES: readonly LossName[] = [
  "mse",
  "wing",
  "awing-nomap",
  "awing",
  "l1",
  "softwing",
];

/**
 * The training loss of a name, as a function of channel-last predicted and target heatmaps
 * `[B, h, w, C]` to a scalar tensor (mean over all pixels) with its gradient, from the
 * TensorFlow.js adapter of awing's losses: `"awing"` is the Adaptive Wing loss with the paper's
 * weighted loss map (W = 10), `"awing-nomap"` the same with W = 0; `"wing"`, `"softwing"`,
 * `"mse"` and `"l1"` the baselines with their defaults.
 *
 * @example
 * ```ts
 * import { lossFunction } from "@facealign/awing/train";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { ok } from "node:assert/strict";
 * const mse = lossFunction("mse");
 * const value = mse(tf.fill([1, 2, 2, 1], 0.5), tf.zeros([1, 2, 2, 1]));
 * ok(Math.abs(value.dataSync()[0]! - 0.25) < 1e-6);
 * ```
 *
 * @param name The loss name.
 * @returns `(pred, target) => loss`.
 * @throws {RangeError} For an unknown name (listing the known ones).
 */
export function lossFunction(
  name: LossName,
): (pred: tf.Tensor4D, target: tf.Tensor4D) => tf.Scalar {
  switch (name) {
    case "awing":
      return (p, t) => tfAwingLoss(p, t);
    case "awing-nomap":
      return (p, t) => tfAwingLoss(p, t, { mapWeight: 0 });
    case "wing":
      return (p, t) => tfWingLoss(p, t);
    case "softwing":
      return (p, t) => tfSoftWingLoss(p, t);
    case "mse":
      return (p, t) => tfMseLoss(p, t);
    case "l1":
      return (p, t) => tfL1Loss(p, t);
  }
  throw new RangeError(
    `Cannot choose loss "${name}": expected one of ${LOSS_NAMES.join(", ")}`,
  );
}
