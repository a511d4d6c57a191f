// Small models and batches for the training-loop tests.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { deepEqual, equal, rejects } from "node:assert/strict";
import { createHeatmapModel, trainModel } from "../src/train/mod.ts";
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

/** Copies of every weight of a model (trainable weights, then the moving statistics). */
export function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => (w.read().dataSync() as Float32Array).slice());
}

/** Batch 3 of a run that fails there (from a good batch), the error class and its message. */
export const FAILURES: [string, (good: Batch) => unknown, ErrorConstructor, RegExp][] = [
  [
    "a NaN in the images",
    (g) => ({ ...g, images: g.images.map((v, i) => (i === 7 ? NaN : v)) }),
    RangeError,
    /^Cannot train at step 3: "images" has a NaN at index 7$/,
  ],
  [
    "an infinite target",
    (g) => ({ ...g, heatmaps: g.heatmaps.map((v, i) => (i === 9 ? -Infinity : v)) }),
    RangeError,
    /^Cannot train at step 3: "heatmaps" has an infinite value at index 9$/,
  ],
  [
    "a target out of AWing's range (inside the loss)",
    (g) => ({ ...g, heatmaps: g.heatmaps.map((v, i) => (i === 9 ? 5 : v)) }),
    RangeError,
    /^Cannot train at step 3: Cannot compute loss as alpha must be > 1 \+ max\(target\) = 6/,
  ],
  [
    "images whose activations overflow float32 (a non-finite gradient)",
    (g) => ({ ...g, images: g.images.map((v, i) => (i % 3 === 0 ? 3e38 : v)) }),
    RangeError,
    /^Cannot train at step 3: the gradient is not finite \(the loss is \d/,
  ],
  [
    "a batch of the wrong shape",
    (g) => ({ ...g, heatmaps: g.heatmaps.subarray(1) }),
    TypeError,
    /^Cannot train at step 3: a batch of 3072 image and 767 heatmap values does not fit the model's \[B, 16, 16, 3\] input and \[B, 8, 8, 3\] output$/,
  ],
  [
    "no batch",
    () => null,
    TypeError,
    /^Cannot train at step 3: the source must give \{ images, heatmaps \} Float32Arrays but it gave null$/,
  ],
  [
    "a batch of arrays",
    (g) => ({ images: Array.from(g.images), heatmaps: g.heatmaps }),
    TypeError,
    /but it gave images Array and heatmaps Float32Array$/,
  ],
];

/**
 * Trains {@link smallModel} for 4 steps whose third batch is `bad(good batch)`: the run must
 * fail with an error that `expected` accepts, leave the weights and moving statistics of step
 * 2 (as the validation after it saw them) and no tensor behind.
 */
export async function assertFailedStep(
  bad: (good: Batch) => unknown,
  workers: number,
  expected: (error: Error) => boolean,
): Promise<void> {
  const model = smallModel();
  let after2: Float32Array[] = [];
  try {
    const tensors = tf.memory().numTensors;
    await rejects(
      trainModel(model, {
        loss: "awing",
        steps: 4,
        learningRate: 1e-2,
        workers,
        source: sourceOf((i) => (i === 3 ? bad(batchOf(4, 3)) : batchOf(4, i)) as Batch),
        validateEvery: 1,
        validate: (m, step) => {
          if (step === 2) after2 = weightsOf(m);
          return Promise.resolve();
        },
      }),
      expected,
    );
    equal(tf.memory().numTensors, tensors, "tensors left by the failed run");
    equal(after2.length, model.weights.length);
    deepEqual(weightsOf(model), after2, "weights and moving statistics after step 2");
  } finally {
    model.dispose();
  }
}
