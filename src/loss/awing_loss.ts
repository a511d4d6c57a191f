import { KIND } from "../_wasm.ts";
import type { HeatmapLoss, LossOptions } from "../types.ts";
import { awingTargetCheck, checkAwingCall } from "./_options.ts";
import { heatmapLoss, runLoss } from "./_run_loss.ts";

/** Options of {@link awingLoss}: the loss parameters (paper defaults) and the common options. */
export interface AWingLossOptions extends LossOptions {
  /** alpha; the exponent is alpha - y, so alpha must exceed 1 + max(target). Defaults to 2.1. */
  alpha?: number | undefined;
  /** omega, the loss scale. Defaults to 14. */
  omega?: number | undefined;
  /** epsilon, the error scale. Defaults to 1. */
  epsilon?: number | undefined;
  /** theta, where the log branch turns linear. Defaults to 0.5. */
  theta?: number | undefined;
}

/**
 * The Adaptive Wing loss (Wang, Bo, Fuxin, ICCV 2019) of predicted heatmaps against target
 * heatmaps, and its gradient with respect to the prediction, in one fused WASM SIMD pass
 * with the paper's weighted loss map:
 *
 * AWing(y, p) = omega ln(1 + |(y - p)/epsilon|^(alpha - y)) if |y - p| < theta, else
 * A |y - p| - C (A and C make value and slope continuous at theta), multiplied per pixel by
 * `mapWeight * M + 1`, M = [3x3 grey dilation of the target > mapThreshold] (compared in
 * float32, as the official code does: a target equal to `Math.fround(0.2)` is not above the
 * default threshold 0.2).
 *
 * With `mapWeight: 0` this equals mmpose's `AdaptiveWingLoss`. Per-landmark weights multiply
 * the loss; unlike mmpose the target is never scaled (it sets the exponent alpha - y).
 * `gradient: false` computes the value alone.
 *
 * @example The mmpose unit-test value, AWing(y = 0, p = 1)
 * ```ts
 * import { awingLoss } from "@facealign/awing/loss";
 * import { ok } from "node:assert/strict";
 * const { loss } = awingLoss(new Float32Array([1]), new Float32Array([0]), {
 *   shape: [1, 1, 1, 1],
 *   mapWeight: 0,
 * });
 * ok(Math.abs(loss - 8.495946) < 1e-5);
 * ```
 *
 * @example A training step that allocates nothing
 * ```ts
 * import { awingLoss } from "@facealign/awing/loss";
 * import { equal } from "node:assert/strict";
 * const shape = [2, 68, 64, 64] as const;
 * const size = 2 * 68 * 64 * 64;
 * const pred = new Float32Array(size), target = new Float32Array(size);
 * const grad = new Float32Array(size);
 * const { loss } = awingLoss(pred, target, { shape, out: { grad } });
 * equal(loss, 0);
 * ```
 *
 * @example Channel-last heatmaps [N, H, W, K], as TensorFlow.js stores them, without a transpose
 * ```ts
 * import { awingLoss } from "@facealign/awing/loss";
 * import { ok } from "node:assert/strict";
 * const [n, h, w, k] = [1, 8, 8, 3];
 * const pred = new Float32Array(n * h * w * k), target = new Float32Array(n * h * w * k);
 * target[(4 * w + 4) * k + 2] = 1; // landmark 2 at row 4, column 4
 * const { grad } = awingLoss(pred, target, { shape: [n, h, w, k], layout: "nhwc" });
 * ok(grad[(4 * w + 4) * k + 2]! < 0 && grad[(4 * w + 4) * k + 1] === 0);
 * ```
 *
 * @param pred Predicted heatmaps, N*K*H*W floats.
 * @param target Target heatmaps, same length; values must stay below alpha - 1.
 * @param options Shape (required), loss parameters, loss map, reduction, outputs.
 * @returns The loss, the gradient (unless `gradient: false`) and, for `"none"`, the per-pixel
 * losses.
 * @throws {TypeError} When lengths, shape or buffers do not match, or an output overlaps
 * another array (except `pred` itself as `grad`, computed in place).
 * @throws {RangeError} For omega, epsilon or theta <= 0, a parameter (mapWeight and
 * mapThreshold too) that is not a normal float32, alpha <= 1 + max(target), NaN or infinite
 * inputs, losses that overflow float32 (with validation on), or an empty batch.
 */
export const awingLoss: HeatmapLoss<AWingLossOptions> = heatmapLoss<AWingLossOptions>(
  (pred, target, options) => {
    const { params, call } = checkAwingCall(pred, target, options, true);
    const { alpha, omega, epsilon, theta } = params;
    const checkTarget = awingTargetCheck(alpha);
    return runLoss(
      { kind: KIND.awing, params: [alpha, omega, epsilon, theta], checkTarget },
      pred,
      target,
      call,
    );
  },
);
