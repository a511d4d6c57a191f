import { checkOptions } from "../_validate.ts";
import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { lossFunction } from "./loss_function.ts";
import { _modelShapes } from "./_model_shapes.ts";
import { _checkBatch, _localStepper } from "./_train_step.ts";
import { _startWorkers } from "./_data_parallel.ts";
import type { BatchSource, LossName } from "./types.ts";

/** Progress of one training step, for {@link TrainModelOptions.onStep}. */
export interface StepInfo {
  /** 1-based step number. */
  step: number;
  /** The training loss of this step's batch (before the update). */
  loss: number;
  /** The learning rate used. */
  learningRate: number;
  /** Seconds since training started. */
  seconds: number;
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  /** The loss by name (see {@link lossFunction}). */
  loss: LossName;
  /** Number of optimiser steps (batches). */
  steps: number;
  /** Adam's learning rate; it decays along a half cosine to 1% over the last 40% of steps. */
  learningRate: number;
  /** The training batches. */
  source: BatchSource;
  /** Runs every `validateEvery` steps and after the last step, e.g. the validation NME. */
  validate?: (model: tfl.LayersModel, step: number) => Promise<void>;
  /** Steps between two validations. Defaults to 0 (only after the last step). */
  validateEvery?: number;
  /** Called after every step. */
  onStep?: (info: StepInfo) => void;
  /**
   * Threads that train: 1 (the default) trains on the calling thread; n >= 2 trains on n
   * Workers with data parallelism. Each Worker holds a replica of the model (rebuilt from its
   * topology and weights, on the `wasm` backend, which must be the current one) and computes
   * the loss and gradients of its share of every batch (the batch split into n nearly equal
   * parts, so a batch needs at least n samples); the gradients are averaged, weighted by the
   * shares' sizes, and every replica applies the same Adam update, so the replicas keep the
   * same weights. Without batch norm a step is the one-thread step to float32 rounding. Batch
   * norm is not synchronised: each replica normalises by its own share's statistics and keeps
   * its own moving statistics, so that its updates differ from a one-thread step on the whole
   * batch. The model is brought up to date before each validation and when training ends,
   * successfully or not: the trainable weights from the replicas, and every non-trainable
   * weight (batch norm's moving statistics) averaged over them. The Workers need
   * `--allow-read` (their module and the wasm backend's files) and end with the call; the
   * model's layers must be TensorFlow.js' own or awing's.
   *
   * Worth it only with an idle core: on 2 cores, for the default model of `createHeatmapModel`
   * with batches of 8 and the MSE loss, 2 Workers run 1.3x the steps per second of one thread
   * when the second core is free (median step 62 ms against 81 ms), and 0.86x when another
   * process keeps it busy (101 ms against 87 ms).
   */
  workers?: number;
}

/** What {@link trainModel} returns. */
export interface TrainModelResult {
  /** The loss of every step. */
  losses: Float64Array;
  /** Wall-clock seconds of the whole loop (validation included). */
  seconds: number;
}

const ACTION = "train";

/** The learning rate at a 0-based step: constant, then a half cosine to 1% over the last 40%. */
export function _learningRate(base: number, step: number, steps: number): number {
  const start = Math.floor(0.6 * steps);
  if (step < start) return base;
  const t = (step - start) / Math.max(1, steps - start);
  return base * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

function checkNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${ACTION}: "${name}" must be a number but it is ${
        value === null ? "null" : typeof value
      }`,
    );
  }
}

function checkWhole(value: unknown, name: string, min: number, max = Infinity): number {
  checkNumber(value, name);
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(
      `Cannot ${ACTION} as ${name} must be a whole number ${
        max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`
      }: current value is ${value}`,
    );
  }
  return value;
}

function checkFunction(value: unknown, name: string, what: string): void {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(
      `Cannot ${ACTION}: "${name}" must be ${what} but it is ${
        value === null ? "null" : typeof value
      }`,
    );
  }
}

/** The most steps {@link trainModel} takes (it keeps one float64 loss per step). */
export const _MAX_STEPS = 10_000_000;

/** The most Workers {@link TrainModelOptions.workers} takes. */
const MAX_WORKERS = 64;

/** Checks the model and options of {@link trainModel} before anything is made. */
function checkTrainOptions(model: unknown, options: TrainModelOptions): void {
  checkOptions(options, "train model");
  if (options === undefined) {
    throw new TypeError(
      `Cannot ${ACTION}: "options" must be an object with loss, steps, learningRate and source but it is undefined`,
    );
  }
  if (!(model instanceof tfl.LayersModel)) {
    throw new TypeError(`Cannot ${ACTION}: "model" must be a tf.LayersModel`);
  }
  lossFunction(options.loss);
  checkWhole(options.steps, "steps", 1, _MAX_STEPS);
  checkNumber(options.learningRate, "learningRate");
  if (!(options.learningRate > 0 && Number.isFinite(options.learningRate))) {
    throw new RangeError(
      `Cannot ${ACTION} as the learning rate must be > 0: current value is ${options.learningRate}`,
    );
  }
  const source = options.source as unknown;
  if (typeof (source as BatchSource | null)?.next !== "function") {
    throw new TypeError(
      `Cannot ${ACTION}: "source" must be a batch source with a next() method but it is ${
        source === null ? "null" : typeof source
      }`,
    );
  }
  checkFunction(options.validate, "validate", "a function or undefined");
  checkFunction(options.onStep, "onStep", "a function or undefined");
  if (options.validateEvery !== undefined) checkWhole(options.validateEvery, "validateEvery", 0);
  if (options.workers !== undefined) checkWhole(options.workers, "workers", 1, MAX_WORKERS);
}

/**
 * Trains a heatmap model with Adam on batches from `source`: each step predicts in training
 * mode (batch norm uses and updates its batch statistics), takes the loss named by `loss`
 * against the batch's target heatmaps and applies one update. The next batch is requested
 * before the step runs, so a source that prepares batches elsewhere (a Worker) never makes
 * a step wait. The learning rate is constant for 60% of the steps and then decays along a
 * half cosine to 1% of it. With `workers`, the steps run on that many Workers (see
 * {@link TrainModelOptions.workers}).
 *
 * A step that fails changes nothing and leaves nothing allocated: each batch is checked first
 * (two Float32Arrays of whole samples for the model, finite values), and the update (Adam's
 * state and the weights) and the batch-norm moving statistics of a step are kept only when its
 * loss and gradient are finite. The model then holds the weights of the last step that
 * succeeded when the error reaches the caller.
 *
 * @example Ten steps towards all-zero heatmaps
 * ```ts
 * import { createHeatmapModel, trainModel } from "@facealign/awing/train";
 * import { ok } from "node:assert/strict";
 * const model = createHeatmapModel({ width: 4, levels: 1, numLandmarks: 2, inputSize: 16 });
 * const batch = { images: new Float32Array(4 * 16 * 16 * 3).fill(0.5), heatmaps: new Float32Array(4 * 8 * 8 * 2) };
 * const { losses } = await trainModel(model, {
 *   loss: "mse", steps: 10, learningRate: 1e-2, source: { next: () => Promise.resolve(batch) },
 * });
 * ok(losses[9]! < losses[0]!);
 * model.dispose();
 * ```
 *
 * @param model The model (its output channels must match the target heatmaps).
 * @param options Loss, steps, learning rate, batch source, validation and progress hooks,
 * Workers.
 * @returns The per-step losses and the time taken.
 * @throws {TypeError} For a model that is not a `tf.LayersModel`, options of the wrong type (a
 * source without `next()`, hooks that are not functions), or a batch that is not two
 * Float32Arrays fitting the model's input and output shapes (naming the step).
 * @throws {RangeError} For steps that are not a whole number in [1, 10^7], a learning rate that is
 * not > 0, `validateEvery` not a whole number >= 0, `workers` not a whole number in [1, 64],
 * NaN or infinite values in a batch, or a loss or gradient that is not finite (naming the
 * step); errors of the loss itself (e.g. targets out of its range) name the step too.
 * @throws {Deno.errors.NotCapable} With `workers` and without `--allow-read`.
 */
export async function trainModel(
  model: tfl.LayersModel,
  options: TrainModelOptions,
): Promise<TrainModelResult> {
  checkTrainOptions(model, options);
  const { steps, learningRate, source } = options;
  const { s, ci, h, w, c } = _modelShapes(model, ACTION);
  const sizes = { input: [s, s, ci], output: [h, w, c] } as const;
  const workers = options.workers ?? 1;
  const stepper = workers > 1
    ? await _startWorkers(model, workers, options.loss, learningRate, sizes)
    : _localStepper(model, options.loss, learningRate, sizes);
  const every = options.validateEvery ?? 0;
  const losses = new Float64Array(steps);
  const t0 = performance.now();
  const nextBatch = async () => await source.next();
  let pending = nextBatch();
  try {
    for (let step = 1; step <= steps; step++) {
      const batch = await pending;
      if (step < steps) pending = nextBatch();
      const b = _checkBatch(batch, sizes, step);
      const lr = _learningRate(learningRate, step - 1, steps);
      const value = await stepper.step(batch.images, batch.heatmaps, b, lr, step);
      losses[step - 1] = value;
      options.onStep?.({
        step,
        loss: value,
        learningRate: lr,
        seconds: (performance.now() - t0) / 1000,
      });
      if (options.validate && ((every > 0 && step % every === 0) || step === steps)) {
        await stepper.sync();
        await options.validate(model, step);
      }
    }
    await stepper.sync();
  } catch (error) {
    pending.catch(() => {}); // a batch asked for ahead is not wanted any more
    await stepper.sync().catch(() => {}); // the model after the last step that succeeded
    throw error;
  } finally {
    stepper.close();
  }
  return { losses, seconds: (performance.now() - t0) / 1000 };
}
