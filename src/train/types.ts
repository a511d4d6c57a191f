/**
 * Types shared by the training pipeline.
 *
 * @module
 */

/**
 * The training losses by name: the Adaptive Wing loss with the paper's weighted loss map
 * (W = 10), without it (W = 0), and the baselines.
 */
export type LossName = "awing" | "awing-nomap" | "wing" | "mse" | "l1" | "softwing";

/**
 * One training batch, channel-last as TensorFlow.js wants it: `images` `[B, S, S, 3]` in
 * [0, 1], `heatmaps` `[B, h, h, C]` (C = K landmark channels, plus the boundary channel when
 * the model has one).
 */
export interface Batch {
  /** Images `[B, S, S, 3]`. */
  readonly images: Float32Array;
  /** Target heatmaps `[B, h, h, C]`. */
  readonly heatmaps: Float32Array;
}

/** Where training batches come from (e.g. a Worker that renders and augments faces). */
export interface BatchSource {
  /** The next batch. */
  next(): Promise<Batch>;
}

/**
 * Faces to evaluate on: the network's input crops and the ground truth in the image frame.
 * A landmark p in crop pixels lies at `A p + t` in image pixels, with the per-face affine
 * `toImage` = [a, b, tx, c, d, ty] (x' = a x + b y + tx, y' = c x + d y + ty); without it the
 * crop is the image.
 */
export interface EvalSet {
  /** Input crops `[N, S, S, 3]` in [0, 1]. */
  readonly images: Float32Array;
  /** Ground-truth landmarks `[N, K, 2]` (x, y) in image pixels. */
  readonly landmarks: Float32Array;
  /** Crop-to-image affines `[N, 6]`. */
  readonly toImage?: Float64Array;
}
