import type { Batch } from "./_make_batch.ts";
import type { FaceSet } from "./face_set.ts";
import type { AugmentationRanges } from "./random_augmentation.ts";

export type { Batch } from "./_make_batch.ts";

/**
 * Options shared by the batch sources (`createBatchSource` for rendered faces,
 * `createImageBatchSource` of `@facealign/awing/train` for real images).
 *
 * @example
 * ```ts
 * import type { BatchOptions } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * const options: BatchOptions = { batch: 16, inputSize: 128, heatmapSize: 32, sigma: 1.5 };
 * equal(options.inputSize! / options.heatmapSize!, 4);
 * ```
 */
export interface BatchOptions {
  /** Samples per batch B. Default 16. */
  readonly batch?: number;
  /** Side S of the square input images. Default 128. */
  readonly inputSize?: number;
  /** Side h of the square heatmaps. Default inputSize / 4. */
  readonly heatmapSize?: number;
  /** Standard deviation of the Gaussian targets, in heatmap pixels. Default 1.5. */
  readonly sigma?: number;
  /** Seed: the same options give the same batches, in thread or in the worker. Default 0. */
  readonly seed?: number;
  /**
   * Augmentation: `true` for the default ranges of `randomAugmentation`, ranges to change
   * them, `false` for none. Default: true for training data, false for evaluation splits.
   */
  readonly augment?: boolean | AugmentationRanges;
  /**
   * Shuffle: a new seeded face order each epoch. Otherwise the faces come in order, batch
   * after batch, wrapping around (so `faces` tells which face each sample is). Default: as
   * `augment`.
   */
  readonly shuffle?: boolean;
  /** Append the boundary heatmap (all boundary curves in one channel) as channel K. */
  readonly boundary?: boolean;
  /** Append the CoordConv channels x, y, r to the images (C = 6). Default false. */
  readonly coord?: boolean;
  /** Crop: the face box enlarged by this factor. Default 1.25. */
  readonly enlarge?: number;
  /** Prepare batches in a Worker, off the calling thread. Default true. */
  readonly worker?: boolean;
  /** Batches prepared ahead by the worker, 1 to 64, together at most 4 GiB. Default 2. */
  readonly prefetch?: number;
}

/**
 * A stream of batches, from `createBatchSource` or `createImageBatchSource`.
 *
 * @example
 * ```ts
 * import type { BatchSource } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * function imagesPerEpoch(source: BatchSource): number {
 *   return source.batchesPerEpoch * source.shapes.images[0];
 * }
 * equal(typeof imagesPerEpoch, "function");
 * ```
 */
export interface BatchSource {
  /** The faces drawn from. */
  readonly faces: FaceSet;
  /** Batches per pass over the faces: ceil(N / B). */
  readonly batchesPerEpoch: number;
  /** Shapes of the batch arrays (channel-last). */
  readonly shapes: {
    readonly images: readonly [b: number, s: number, s: number, c: number];
    readonly heatmaps: readonly [b: number, h: number, h: number, c: number];
    readonly landmarks: readonly [b: number, k: number, two: number];
  };
  /** The next batch (batch 0, 1, 2, ...). */
  next(): Promise<Batch>;
  /** Batch `index` computed on the calling thread (the same as the worker's). */
  batchAt(index: number): Batch;
  /** Stops the worker; later `next()` calls reject. */
  close(): void;
}
