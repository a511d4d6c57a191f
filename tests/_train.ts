// Small models and batches for the training-loop tests.
import type * as tfl from "@tensorflow/tfjs-layers";
import { createHeatmapModel } from "../src/train/mod.ts";
import type { Batch, BatchSource } from "../src/train/mod.ts";
import { heatmapPair, uniform } from "./_random.ts";

/** Input side, heatmap side and channels of {@link smallModel}. */
export const [S, H, K] = [16, 8, 3];

/** A small U-Net with batch norm (seeded, so the same seed gives the same weights). */
export function smallModel(seed = 3, coordConv = false): tfl.LayersModel {
  return createHeatmapModel({
    inputSize: S,
    numLandmarks: K,
    width: 4,
    levels: 1,
    seed,
    coordConv,
  });
}

/** A batch of `b` random images in [0, 1) and heatmap-like targets in [0, 1). */
export function batchOf(b: number, seed: number, s = S, h = H, k = K): Batch {
  return {
    images: Float32Array.from(uniform(b * s * s * 3, 1000 + seed)),
    heatmaps: heatmapPair(b * h * h * k, seed + 1).target,
  };
}

/** A source that gives batch `i` (1-based) from `make(i)`. */
export function sourceOf(make: (i: number) => Batch): BatchSource {
  let i = 0;
  return { next: () => Promise.resolve(make(++i)) };
}
