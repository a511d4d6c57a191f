// The ranges of the training flags that deno task train and deno task ablation share: a value
// outside them is a usage error (exit 2) found before any work, not a failure deep inside
// TensorFlow.js or an allocation.
import { batchBytes, MAX_BATCH_BYTES } from "../src/data/_source.ts";
import { _MAX_STEPS } from "../src/train/train_model.ts";

/** Side of the training crops (the train script's model input). */
export const INPUT_SIZE = 64;

/** Most optimiser steps of a run: trainModel's limit. */
export const MAX_STEPS = _MAX_STEPS;

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

/** The sizes of the U-Net of createHeatmapModel that decide a training step's memory. */
export interface ModelSizes {
  /** Weights, trainable or not (`model.countParams()`). */
  readonly params: number;
  /** Values of every layer's output for one sample, the input layer's included. */
  readonly activations: number;
}

/**
 * The parameter and activation counts of `createHeatmapModel(options)` (68 landmarks, 64 px
 * input), counted from its architecture without making it: a model far too large would fail
 * inside TensorFlow.js, or take minutes, while being made. Tested against made models.
 */
export function modelSizes(o: {
  readonly stride: number;
  readonly width: number;
  readonly levels: number;
  readonly head: number;
  readonly coordConv: boolean;
  readonly boundary: boolean;
}): ModelSizes {
  let params = 0, activations = 0;
  let res = INPUT_SIZE, channels = 3;
  const out = (r: number, c: number): void => {
    activations += r * r * c;
  };
  out(res, channels); // the input layer
  if (o.coordConv) out(res, channels += 3);
  // conv (no bias) + batch norm (4 weights a channel) + ReLU
  const conv = (filters: number, kernel = 3, stride = 1): void => {
    params += kernel * kernel * channels * filters + 4 * filters;
    res /= stride;
    channels = filters;
    out(res, channels);
    out(res, channels);
    out(res, channels);
  };
  conv(o.width, 3, o.stride);
  conv(o.width);
  const skips: number[] = [];
  for (let l = 1; l <= o.levels; l++) {
    skips.push(channels);
    res /= 2;
    out(res, channels); // max pooling
    conv(o.width * (l + 1));
    conv(o.width * (l + 1));
  }
  for (let l = o.levels - 1; l >= 0; l--) {
    res *= 2;
    out(res, channels); // up-sampling
    channels += skips[l]!;
    out(res, channels); // concatenation
    conv(o.width * (l + 1));
  }
  if (o.head > 0) conv(o.head, 1);
  const k = 68 + (o.boundary ? 1 : 0);
  params += channels * k + k; // the output layer, with biases
  out(res, k);
  return { params, activations };
}

/**
 * The largest batch a training step of a model of these sizes can take on the WASM backend:
 * its activations (per sample) and parameters against the 4 GiB heap. An estimate from
 * measured steps, so that a batch far too large is refused before the data is loaded rather
 * than failing inside TensorFlow.js.
 */
export function maxStepBatch({ params, activations }: ModelSizes): number {
  const fixed = 4 * FLOATS_PER_PARAMETER * params;
  return Math.max(
    0,
    Math.floor((WASM_HEAP_BYTES - fixed) / (4 * FLOATS_PER_ACTIVATION * activations)),
  );
}
