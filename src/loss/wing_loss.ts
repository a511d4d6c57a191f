import { KIND } from "../_wasm.ts";
import type { HeatmapLoss, LossOptions } from "../types.ts";
import { checkGradientBound } from "./_options.ts";
import { positiveParamLoss } from "./_run_loss.ts";

/** Options of {@link wingLoss}. */
export interface WingLossOptions extends LossOptions {
  /** w, the width of the log region. Defaults to 10. */
  w?: number | undefined;
  /** epsilon, the curvature of the log region. Defaults to 2. */
  epsilon?: number | undefined;
}

/**
 * The Wing loss (Feng et al., CVPR 2018) over heatmaps, a baseline of the paper:
 * w ln(1 + |e|/epsilon) for |e| < w, else |e| - C with C = w - w ln(1 + w/epsilon),
 * e = pred - target; value and gradient from the WASM core. Its gradient jumps to ±w/epsilon
 * next to zero error, which is what the Adaptive Wing loss fixes for background pixels.
 *
 * @example
 * ```ts
 * import { wingLoss } from "@facealign/awing/loss";
 * import { ok } from "node:assert/strict";
 * const { loss, grad } = wingLoss(new Float32Array([0.5]), new Float32Array([0]), {
 *   shape: [1, 1, 1, 1],
 * });
 * ok(Math.abs(loss - 10 * Math.log(1.25)) < 1e-5);
 * ok(Math.abs(grad[0]! - 10 / 2.5) < 1e-5);
 * ```
 *
 * @param pred Predicted heatmaps, N*K*H*W floats.
 * @param target Target heatmaps, same length.
 * @param options Shape (required), w, epsilon and the common loss options.
 * @returns The loss and its gradient.
 * @throws {TypeError} When lengths or shape do not match, or an output overlaps another array
 * (except `pred` itself as `grad`, computed in place).
 * @throws {RangeError} For w or epsilon <= 0 or not a normal float32, w / epsilon (the largest
 * gradient) beyond float32, NaN or infinite inputs, losses that overflow float32, or an empty
 * batch.
 */
export const wingLoss: HeatmapLoss<WingLossOptions> = positiveParamLoss<
  WingLossOptions,
  "w" | "epsilon"
>(KIND.wing, { w: 10, epsilon: 2 }, ({ w, epsilon }) => {
  checkGradientBound(w / epsilon, "w / epsilon");
  return [w, epsilon, w - w * Math.log1p(w / epsilon), 0];
});
