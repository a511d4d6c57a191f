// The same losses written in TensorFlow.js ops, differentiated by TensorFlow.js itself: the
// oracle of the tests and the baseline of the benchmark. Channel-last [N, H, W, K].
import { AWING_DEFAULTS, withAwingDefaults } from "../_awing_defaults.ts";
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import "./_register.ts";

/** Which loss, with its parameters (the paper's defaults when left out). */
export type TfOpsLossSpec =
  | { kind: "awing"; alpha?: number; omega?: number; epsilon?: number; theta?: number }
  | { kind: "wing"; w?: number; epsilon?: number }
  | { kind: "soft-wing"; w1?: number; w2?: number; epsilon?: number }
  | { kind: "mse" }
  | { kind: "l1" };

/** The common options, as in {@link TfLossOptions} but channel-last only. */
export interface TfOpsOptions {
  reduction?: "mean" | "sum";
  mapWeight?: number;
  mapThreshold?: number;
  /** [N, K] */
  landmarkWeights?: tf.Tensor;
}

/**
 * `below` where d < limit, else `above`. A mask from tf.step, as tf.less has no gradient
 * (TensorFlow.js fails on the comparison feeding tf.where); both branches are finite.
 */
function branch(d: tf.Tensor, limit: number, below: tf.Tensor, above: tf.Tensor): tf.Tensor {
  const mask = tf.step(tf.sub(limit, d));
  return tf.add(tf.mul(mask, below), tf.mul(tf.sub(1, mask), above));
}

function pixelLoss(spec: TfOpsLossSpec, pred: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const e = tf.sub(pred, target);
  const d = tf.abs(e);
  switch (spec.kind) {
    case "mse":
      return tf.square(e);
    case "l1":
      return d;
    case "wing": {
      const { w = 10, epsilon = 2 } = spec;
      const c = w - w * Math.log1p(w / epsilon);
      return branch(d, w, tf.mul(w, tf.log1p(tf.div(d, epsilon))), tf.sub(d, c));
    }
    case "soft-wing": {
      const { w1 = 2, w2 = 20, epsilon = 0.5 } = spec;
      const b = w1 - w2 * Math.log1p(w1 / epsilon);
      return branch(d, w1, d, tf.add(tf.mul(w2, tf.log1p(tf.div(d, epsilon))), b));
    }
    case "awing": {
      const { alpha, omega, epsilon, theta } = withAwingDefaults(spec);
      const p = tf.sub(alpha, target);
      const r = theta / epsilon;
      const rp = tf.pow(r, p);
      // A = omega p r^(p-1) / (epsilon (1 + r^p)), C = theta A - omega ln(1 + r^p)
      const a = tf.div(
        tf.mul(omega, tf.mul(p, tf.pow(r, tf.sub(p, 1)))),
        tf.mul(epsilon, tf.add(1, rp)),
      );
      const c = tf.sub(tf.mul(theta, a), tf.mul(omega, tf.log1p(rp)));
      const log = tf.mul(omega, tf.log1p(tf.pow(tf.div(d, epsilon), p)));
      return branch(d, theta, log, tf.sub(tf.mul(a, d), c));
    }
  }
}

/**
 * The per-pixel losses of `spec` over channel-last `pred` and `target`, in tf ops, times the
 * loss map `mapWeight * [3x3 max of target > mapThreshold] + 1` and the landmark weights.
 */
export function tfOpsPixelLoss(
  spec: TfOpsLossSpec,
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options: TfOpsOptions = {},
): tf.Tensor4D {
  return tf.tidy(() => {
    let loss = pixelLoss(spec, pred, target);
    const mapWeight = options.mapWeight ?? (spec.kind === "awing" ? 10 : 0);
    if (mapWeight !== 0) {
      const dilated = tf.maxPool(target, 3, 1, "same");
      const mask = tf.cast(
        tf.greater(dilated, options.mapThreshold ?? AWING_DEFAULTS.mapThreshold),
        "float32",
      );
      loss = tf.mul(loss, tf.add(tf.mul(mapWeight, mask), 1));
    }
    if (options.landmarkWeights) {
      const [n, , , k] = pred.shape;
      loss = tf.mul(loss, tf.reshape(options.landmarkWeights, [n, 1, 1, k]));
    }
    return loss as tf.Tensor4D;
  });
}

/** {@link tfOpsPixelLoss} reduced: mean (the default) or sum. */
export function tfOpsLoss(
  spec: TfOpsLossSpec,
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options: TfOpsOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const loss = tfOpsPixelLoss(spec, pred, target, options);
    return options.reduction === "sum" ? tf.sum(loss) : tf.mean(loss);
  });
}
