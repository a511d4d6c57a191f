// The ranges of the training flags that deno task train and deno task ablation share: a value
// outside them is a usage error (exit 2) found before any work, not a failure deep inside
// TensorFlow.js or an allocation.
import type * as tfl from "@tensorflow/tfjs-layers";
import { batchBytes, MAX_BATCH_BYTES } from "../src/data/_source.ts";

/** Side of the training crops (the train script's model input). */
export const INPUT_SIZE = 64;

/** Most optimiser steps of a run (the loss log holds one number per step). */
export const MAX_STEPS = 10_000_000;

/** The data sources' own cap on a batch. */
const SOURCE_MAX_BATCH = 65536;

/**
 * The largest --batch whose batches (64 px crops, 68 heatmaps plus the boundary channel, at
 * `stride` input pixels per heatmap pixel) the batch sources accept.
 */
export function maxBatch(stride: number, boundary: boolean): number {
  const per = batchBytes({
    batch: 1,
    inputSize: INPUT_SIZE,
    heatmapSize: INPUT_SIZE / stride,
    numPoints: 68,
    boundary,
    coord: false,
  });
  return Math.min(SOURCE_MAX_BATCH, Math.floor(MAX_BATCH_BYTES / per));
}

/** The WASM backend's largest heap (its memory is 32-bit). */
const WASM_HEAP_BYTES = 4294901760;

/**
 * Floats of the WASM heap a training step takes, per activation value of one sample and per
 * parameter: measured at about 5 (width 4 to 16) to 6 (width 64) per activation value, with
 * the parameters' weights, gradients and Adam moments; 6 and 6 leave a margin.
 */
const FLOATS_PER_ACTIVATION = 6, FLOATS_PER_PARAMETER = 6;

/**
 * The largest batch a training step of `model` can take on the WASM backend: the model's
 * activations (the sum of its layers' outputs, per sample) and parameters against the 4 GiB
 * heap. An estimate from measured steps, so that a batch far too large is refused before the
 * data is loaded rather than failing inside TensorFlow.js.
 */
export function maxStepBatch(model: tfl.LayersModel): number {
  let activations = 0;
  for (const layer of model.layers) {
    const shape = layer.outputShape as (number | null)[];
    activations += shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
  }
  const fixed = 4 * FLOATS_PER_PARAMETER * model.countParams();
  return Math.max(
    0,
    Math.floor((WASM_HEAP_BYTES - fixed) / (4 * FLOATS_PER_ACTIVATION * activations)),
  );
}
