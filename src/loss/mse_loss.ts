import { KIND } from "../_wasm.ts";
import type { HeatmapLoss, LossOptions } from "../types.ts";
import { plainLoss } from "./_run_loss.ts";

/**
 * The mean squared error (pred - target)^2 over heatmaps, the usual heatmap-regression
 * baseline, with the same options as the other losses (the loss map is off by default).
 *
 * @example
 * ```ts
 * import { mseLoss } from "@facealign/awing/loss";
 * import { ok } from "node:assert/strict";
 * const { loss, grad } = mseLoss(new Float32Array([1, 3]), new Float32Array([0, 0]), {
 *   shape: [1, 1, 1, 2],
 * });
 * ok(Math.abs(loss - 5) < 1e-6);
 * ok(Math.abs(grad[1]! - 3) < 1e-6);
 * ```
 *
 * @param pred Predicted heatmaps, N*K*H*W floats.
 * @param target Target heatmaps, same length.
 * @param options Shape (required) and the common loss options.
 * @returns The loss and its gradient.
 * @throws {TypeError} When lengths or shape do not match, or an output overlaps another array
 * (except `pred` itself as `grad`, computed in place).
 * @throws {RangeError} For NaN or infinite inputs, mapWeight or mapThreshold not a normal
 * float32, losses that overflow float32 (with validation on), or an empty batch.
 */
export const mseLoss: HeatmapLoss<LossOptions> = plainLoss(KIND.mse);
