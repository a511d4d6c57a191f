import { KIND } from "../_wasm.ts";
import type { HeatmapLoss, LossOptions } from "../types.ts";
import { checkGradientBound } from "./_options.ts";
import { positiveParamLoss } from "./_run_loss.ts";

/** Options of {@link softWingLoss}. */
export interface SoftWingLossOptions extends LossOptions {
  /** w1, the width of the L1 region. Defaults to 2. */
  w1?: number | undefined;
  /** w2, the scale of the log region. Defaults to 20. */
  w2?: number | undefined;
  /** epsilon, the curvature of the log region. Defaults to 0.5. */
  epsilon?: number | undefined;
}

/**
 * The Soft Wing loss (Lin et al., TIP 2021) over heatmaps: |e| for |e| < w1, else
 * w2 ln(1 + |e|/epsilon) + B with B = w1 - w2 ln(1 + w1/epsilon), e = pred - target.
 *
 * @example
 * ```ts
 * import { softWingLoss } from "@facealign/awing/loss";
 * import { ok } from "node:assert/strict";
 * const { loss } = softWingLoss(new Float32Array([0.5]), new Float32Array([0]), {
 *   shape: [1, 1, 1, 1],
 * });
 * ok(Math.abs(loss - 0.5) < 1e-6);
 * ```
 *
 * @param pred Predicted heatmaps, N*K*H*W floats.
 * @param target Target heatmaps, same length.
 * @param options Shape (required), w1, w2, epsilon and the common loss options.
 * @returns The loss and its gradient.
 * @throws {TypeError} When lengths or shape do not match, or an output overlaps another array
 * (except `pred` itself as `grad`, computed in place).
 * @throws {RangeError} For w1, w2 or epsilon <= 0 or not a normal float32, w2 / (epsilon + w1)
 * (the largest gradient in the log region) beyond float32, NaN or infinite inputs, losses that
 * overflow float32, or an empty batch.
 */
export const softWingLoss: HeatmapLoss<SoftWingLossOptions> = positiveParamLoss<
  SoftWingLossOptions,
  "w1" | "w2" | "epsilon"
>(KIND.softWing, { w1: 2, w2: 20, epsilon: 0.5 }, ({ w1, w2, epsilon }) => {
  checkGradientBound(w2 / (epsilon + w1), "w2 / (epsilon + w1)");
  return [w1, w2, epsilon, w1 - w2 * Math.log1p(w1 / epsilon)];
});
