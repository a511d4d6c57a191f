/**
 * Shared types of the awing API.
 *
 * @module
 */

/**
 * Shape of a batch of heatmaps, `[N, K, H, W]`: images, landmarks (channels), rows, columns.
 * Where a {@link HeatmapLayout} of `"nhwc"` is given, it is `[N, H, W, K]` instead.
 */
export type Shape4 = readonly [n: number, k: number, h: number, w: number];

/**
 * Memory order of a batch of heatmaps: `"nchw"`, channel-first `[N, K, H, W]` (PyTorch's and
 * awing's default), or `"nhwc"`, channel-last `[N, H, W, K]` (TensorFlow.js'), where the K
 * landmarks of one pixel are adjacent.
 */
export type HeatmapLayout = "nchw" | "nhwc";

/**
 * Landmark coordinates or heatmaps as the encoders, decoders and metrics take them: float32
 * (what the WASM and CUDA kernels compute in) or float64 (what the annotation readers return).
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * How per-pixel losses are reduced: `"mean"` over all N*K*H*W pixels (as mmpose does),
 * `"sum"`, or `"none"` (per-pixel values). The gradient always matches the reduction. Sums
 * are kept in float64 (float32 partial sums of 32 pixels at most), so that they stay within
 * 1e-6 relative of the exact sum of the per-pixel values over maps of any size.
 */
export type Reduction = "mean" | "sum" | "none";

/** Options shared by every heatmap loss of the package. */
export interface LossOptions {
  /** Shape of both `pred` and `target`: `[N, K, H, W]`, or `[N, H, W, K]` with `"nhwc"`. */
  shape: Shape4;
  /**
   * Memory order of `pred`, `target` and the outputs: `"nchw"` (`shape` is `[N, K, H, W]`)
   * or `"nhwc"` (`shape` is `[N, H, W, K]`, as TensorFlow.js stores heatmaps). Channel-last
   * batches are computed as they are, without a transpose, and give the same per-pixel
   * values, gradient and weight map as their channel-first transpose, bit for bit (the reduced
   * loss sums in another order: equal within 1e-6 relative). The weight map's 3x3 dilation
   * stays within each landmark's channel, and `landmarkWeights` stay `[N, K]`. Defaults to
   * `"nchw"`. The CUDA backend (`@facealign/awing/gpu`) takes `"nchw"` only for now and
   * rejects `"nhwc"` with a TypeError.
   */
  layout?: HeatmapLayout | undefined;
  /** Reduction of the per-pixel losses. Defaults to `"mean"`. */
  reduction?: Reduction | undefined;
  /**
   * Weight of the paper's loss map: each pixel's loss and gradient are multiplied by
   * `mapWeight * M + 1` with `M = [3x3 grey dilation of target > mapThreshold]`.
   * 0 gives the plain per-pixel loss. Defaults to 10 for the Adaptive Wing loss and to 0
   * for the baselines.
   */
  mapWeight?: number | undefined;
  /**
   * Threshold of the loss map (strict `>`, compared in float32: a target equal to
   * `Math.fround(0.2)` is not above the default 0.2). Defaults to 0.2.
   */
  mapThreshold?: number | undefined;
  /**
   * Per-landmark weights, shape `[N, K]` in either layout, multiplying each channel's loss and
   * gradient (0 drops an invisible landmark; the mean still divides by all N*K*H*W pixels, as
   * mmpose does).
   */
  landmarkWeights?: Float32Array | undefined;
  /** Compute the gradient with respect to `pred`. Defaults to `true`. */
  gradient?: boolean | undefined;
  /**
   * Caller-provided outputs (N*K*H*W floats each, in the layout of `pred`), so that a
   * training loop allocates nothing: `grad` receives the gradient, `lossMap` the per-pixel
   * (weighted) losses when the reduction is `"none"`. `grad` (or `lossMap`) may be `pred`
   * itself, the same elements of the same buffer: the gradient then overwrites the
   * prediction. Any other sharing of memory between an output and `pred`, `target`,
   * `landmarkWeights` or the other output, even of one element, is a TypeError. Their contents are unspecified if the call
   * throws.
   */
  out?: { grad?: Float32Array | undefined; lossMap?: Float32Array | undefined } | undefined;
  /**
   * Scan the inputs for NaN and infinite values (and the target's range) and throw a clear
   * error. Defaults to `true`; set `false` in hot loops over data known to be clean.
   */
  validate?: boolean | undefined;
}

/**
 * What a loss returns. `Grad` is `Float32Array` when the options leave `gradient` on (the
 * default), `undefined` for `gradient: false`, and either when that is known only at run time.
 */
export interface LossResult<Grad extends Float32Array | undefined = Float32Array | undefined> {
  /** The reduced loss: mean or sum; with `"none"`, the sum of the per-pixel values. */
  loss: number;
  /**
   * Gradient of `loss` with respect to `pred` (with `"none"`, of each pixel's own loss);
   * `undefined` with `gradient: false`.
   */
  grad: Grad;
  /** Per-pixel weighted losses, only with the reduction `"none"`. */
  lossMap: Float32Array | undefined;
}

/**
 * A heatmap loss of the package: `pred` and `target` of N*K*H*W floats in, the loss and its
 * gradient out. The result's `grad` is typed by the options' `gradient`.
 */
export interface HeatmapLoss<O extends LossOptions> {
  /** With `gradient` on (the default): `grad` is a `Float32Array`. */
  (
    pred: Float32Array,
    target: Float32Array,
    options: O & { gradient?: true | undefined },
  ): LossResult<Float32Array>;
  /** With `gradient: false`: the value alone, `grad` is `undefined`. */
  (pred: Float32Array, target: Float32Array, options: O & { gradient: false }): LossResult<
    undefined
  >;
  /** With `gradient` known only at run time. */
  (pred: Float32Array, target: Float32Array, options: O): LossResult;
}
