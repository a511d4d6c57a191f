/**
 * Options shared by the TensorFlow.js losses of `@facealign/awing/tfjs`.
 *
 * @module
 */
import type { Tensor } from "npm:@tensorflow/tfjs-core@4.22.0";
import type { HeatmapLayout } from "../types.ts";

export type { HeatmapLayout };

/** Options every TensorFlow.js loss accepts: the core losses' options, minus the buffers. */
export interface TfLossOptions {
  /**
   * Layout of `pred` and `target`: `"nhwc"`, `[N, H, W, K]` (TensorFlow.js' own, the default),
   * or `"nchw"`, `[N, K, H, W]`. Both are computed as they are, without a transpose.
   */
  layout?: HeatmapLayout;
  /** Reduction of the per-pixel losses to the returned scalar. Defaults to `"mean"`. */
  reduction?: "mean" | "sum";
  /**
   * Weight of the paper's loss map: each pixel's loss is multiplied by `mapWeight * M + 1`,
   * `M = [3x3 grey dilation of target > mapThreshold]`. Defaults to 10 for the Adaptive Wing
   * loss and to 0 for the baselines.
   */
  mapWeight?: number;
  /** Threshold of the loss map (strict `>`). Defaults to 0.2. */
  mapThreshold?: number;
  /**
   * Per-landmark weights `[N, K]` (a tensor or N*K floats) multiplying each channel's loss;
   * the mean still divides by all N*K*H*W pixels.
   */
  landmarkWeights?: Tensor | Float32Array;
  /**
   * Scan the inputs for NaN and infinite values (and the target's range) and throw a clear
   * error. Defaults to `true`.
   */
  validate?: boolean;
}
