// The gradient of TensorFlow.js' FusedBatchNorm without Tile. The gradient that tfjs-core 4.22
// registers expands rsqrt(variance) to the input's full [N, H, W, C] shape with `tile` before
// multiplying, and the wasm backend's Tile is 15-21x slower than the broadcasting multiply that
// gives the same values; it also forms dy * scale and x - mean once per input gradient. This
// one broadcasts, and makes the two sums that every parameter gradient is made of once.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type { GradConfig, NamedAttrMap, Tensor } from "npm:@tensorflow/tfjs-core@4.22.0";

/**
 * y = (x - mean) r scale + offset with r = 1 / sqrt(variance + eps):
 * dx = dy r scale; dmean = -r scale sum(dy); dvariance = -r^3 scale sum(dy (x - mean)) / 2;
 * dscale = r sum(dy (x - mean)); doffset = sum(dy), the sums over the axes that mean
 * broadcasts along.
 */
function gradFunc(
  dy: Tensor | Tensor[],
  saved: Tensor[],
  attrs: NamedAttrMap,
): Record<string, () => Tensor> {
  const g = dy as Tensor;
  const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
  const eps = (attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
  const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
  const reduce = (t: Tensor): Tensor =>
    tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
  const r = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
  const k = scale === undefined ? r : tf.mul(r, scale);
  // made once for the four parameter gradients, in the backward pass' scope, which disposes them
  const sumDy = reduce(g);
  const sumDyXm = reduce(tf.mul(g, tf.sub(x, mean)));
  return {
    x: () => tf.mul(g, k),
    mean: () => tf.neg(tf.mul(sumDy, k)),
    variance: () => tf.mul(tf.mul(tf.mul(tf.mul(r, r), k), tf.scalar(-0.5)), sumDyXm),
    scale: () => tf.mul(r, sumDyXm),
    offset: () => tf.clone(sumDy),
  };
}

let stock: GradConfig | undefined;

/**
 * Registers the Tile-free FusedBatchNorm gradient (after tfjs-layers registered its own), or,
 * with `fast` false, puts the stock one back (for tests that compare the two).
 */
export function registerBatchNormGradient(fast = true): void {
  stock ??= tf.getGradient(tf.FusedBatchNorm);
  if (!fast) {
    if (stock !== undefined) tf.registerGradient(stock);
    return;
  }
  tf.registerGradient({
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ["x", "mean", "variance", "scale"],
    gradFunc,
  } as GradConfig);
}
