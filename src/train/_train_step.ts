// One training step of trainModel that changes nothing when it fails: the batch is checked
// before any tensor exists, the moving statistics are kept until the update is applied, and
// what a failed step made is freed.
import { checkFinite } from "../_validate.ts";
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { _FusedAdam } from "../tfjs/_fused_adam.ts";
import { lossFunction } from "./loss_function.ts";
import type { LossName } from "./types.ts";

/** The sizes of one training sample: image and target heatmap values. */
export interface _SampleSizes {
  /** Image shape `[S, S, Ci]`. */
  input: readonly [number, number, number];
  /** Heatmap shape `[h, w, C]`. */
  output: readonly [number, number, number];
}

/** The action of an error message about step `step` (1-based). */
export function _stepAction(step: number): string {
  return `train at step ${step}`;
}

/**
 * Checks a batch from the source before any tensor is made: two Float32Arrays that hold a
 * whole number of samples (the same number) with finite values; returns the batch size.
 */
export function _checkBatch(batch: unknown, sizes: _SampleSizes, step: number): number {
  const action = _stepAction(step);
  const b = batch as { images?: unknown; heatmaps?: unknown } | null;
  const images = b?.images, heatmaps = b?.heatmaps;
  if (!(images instanceof Float32Array && heatmaps instanceof Float32Array)) {
    throw new TypeError(
      `Cannot ${action}: the source must give { images, heatmaps } Float32Arrays but it gave ${
        typeof batch === "object" && batch !== null
          ? `images ${describe(images)} and heatmaps ${describe(heatmaps)}`
          : describe(batch)
      }`,
    );
  }
  const [s, s2, ci] = sizes.input, [h, w, c] = sizes.output;
  const n = images.length / (s * s2 * ci);
  if (!(Number.isInteger(n) && n >= 1 && heatmaps.length === n * h * w * c)) {
    throw new TypeError(
      `Cannot ${action}: a batch of ${images.length} image and ${heatmaps.length} heatmap values does not fit the model's [B, ${s}, ${s2}, ${ci}] input and [B, ${h}, ${w}, ${c}] output`,
    );
  }
  checkFinite(images, "images", action);
  checkFinite(heatmaps, "heatmaps", action);
  return n;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  return (v as object).constructor?.name ?? "an object";
}

/** Whether every value is finite. */
export function _allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) return false;
  }
  return true;
}

/** The number of values of each weight. */
export function _sizesOf(weights: readonly tfl.LayerVariable[]): number[] {
  return weights.map((w) => w.shape.reduce((a: number, d) => a * (d ?? 1), 1));
}

/** The values of `tensors` (`sizes` values each, zeros for a null) one after the other. */
export function _flatten(tensors: readonly (tf.Tensor | null)[], sizes: number[]): Float32Array {
  const out = new Float32Array(sizes.reduce((s, n) => s + n, 0));
  let at = 0;
  tensors.forEach((t, i) => {
    if (t !== null) out.set(t.dataSync() as Float32Array, at);
    at += sizes[i]!;
  });
  return out;
}

/**
 * The error of a failed step: the same class (RangeError, TypeError or Error), its message
 * prefixed with the step, the original as the cause.
 */
export function _stepError(error: unknown, step: number): Error {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `Cannot ${_stepAction(step)}`;
  if (message.startsWith(prefix)) return error as Error;
  const full = `${prefix}: ${message}`;
  if (error instanceof RangeError) return new RangeError(full, { cause: error });
  if (error instanceof TypeError) return new TypeError(full, { cause: error });
  return new Error(full, { cause: error });
}

/**
 * The error of a step whose loss or gradient is not finite (e.g. the weights diverged): the
 * update is not applied.
 */
export function _nonFiniteError(loss: number, step: number): RangeError {
  return new RangeError(
    Number.isFinite(loss)
      ? `Cannot ${_stepAction(step)}: the gradient is not finite (the loss is ${loss})`
      : `Cannot ${_stepAction(step)}: the loss is ${loss}`,
  );
}

/**
 * Frees the tensors a gradient computation saved for its backward pass when it failed
 * half-way: TensorFlow.js frees them only at the end of a successful `tf.variableGrads`, and
 * keeps an abandoned tape until the next one replaces it (without freeing it).
 */
function releaseAbandonedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || state.activeTape == null) return;
  for (const node of state.activeTape) {
    for (const t of node.saved ?? []) t.dispose();
  }
  state.activeTape = null as unknown as typeof state.activeTape;
}

/** The gradient and loss of a computed step, not yet applied. */
export interface _Gradients {
  /** The loss of the batch (with the model's regularisation losses, as `trainOnBatch`). */
  loss: number;
  /** One gradient per trainable weight, in `model.trainableWeights` order; null where none. */
  grads: (tf.Tensor | null)[];
}

/**
 * A model, its Adam optimiser (tfjs-core's update rule, fused: `_FusedAdam`) and loss, trained in two phases: {@link _Replica.compute} runs the
 * layers in training mode (batch norm on batch statistics, its moving statistics updated) and
 * takes the gradients, then {@link _Replica.apply} applies an update or {@link _Replica.undo}
 * puts the moving statistics back. A step that throws in `compute` has undone itself and
 * freed its tensors.
 */
export class _Replica {
  readonly model: tfl.LayersModel;
  readonly optimizer: _FusedAdam;
  readonly #loss: (pred: tf.Tensor4D, target: tf.Tensor4D) => tf.Scalar;
  readonly #vars: tf.Variable[];
  readonly #sizes: _SampleSizes;
  #saved: { variable: tf.Variable; value: tf.Tensor }[] | null = null;

  constructor(model: tfl.LayersModel, loss: LossName, learningRate: number, sizes: _SampleSizes) {
    this.model = model;
    this.#loss = lossFunction(loss);
    this.#vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.#sizes = sizes;
    this.optimizer = new _FusedAdam(learningRate);
  }

  /**
   * The loss and gradients of `b` samples; the moving statistics are updated but kept until
   * {@link _Replica.apply} or {@link _Replica.undo}. On failure the model is as before, nothing
   * is left allocated, and the error is thrown.
   */
  compute(images: Float32Array, heatmaps: Float32Array, b: number): _Gradients {
    this.#keepStatistics();
    const [s, s2, ci] = this.#sizes.input, [h, w, c] = this.#sizes.output;
    const x = tf.tensor4d(images, [b, s, s2, ci]);
    const y = tf.tensor4d(heatmaps, [b, h, w, c]);
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
    try {
      result = tf.variableGrads(() => {
        const pred = this.model.apply(x, { training: true }) as tf.Tensor4D;
        let total = this.#loss(pred, y);
        for (const r of this.model.calculateLosses()) total = tf.add(total, r);
        return total;
      }, this.#vars);
      const named = result.grads;
      return {
        loss: result.value.dataSync()[0]!,
        grads: this.#vars.map((v) => named[v.name] ?? null),
      };
    } catch (error) {
      releaseAbandonedTape();
      if (result !== null) tf.dispose(Object.values(result.grads));
      this.undo();
      throw error;
    } finally {
      tf.dispose([x, y, ...(result ? [result.value] : [])]);
    }
  }

  /** Applies Adam with `grads` at learning rate `lr`, frees them and the kept statistics. */
  apply(grads: readonly (tf.Tensor | null)[], lr: number): void {
    this.optimizer.learningRate = lr;
    // every variable by name, null where there is no gradient (the update skips it)
    const named: Record<string, tf.Tensor | null> = {};
    this.#vars.forEach((v, i) => named[v.name] = grads[i] ?? null);
    try {
      this.optimizer.applyGradients(named as unknown as Record<string, tf.Variable>);
    } finally {
      tf.dispose(grads.filter((g): g is tf.Tensor => g !== null));
      this.#dropStatistics();
    }
  }

  /** Puts the moving statistics kept by {@link _Replica.compute} back. */
  undo(): void {
    for (const { variable, value } of this.#saved ?? []) variable.assign(value);
    this.#dropStatistics();
  }

  /** Frees the optimiser's state and anything kept. */
  dispose(): void {
    this.undo();
    this.optimizer.dispose();
  }

  #keepStatistics(): void {
    this.#dropStatistics();
    this.#saved = this.model.nonTrainableWeights.map((w) => {
      const variable = w.read() as tf.Variable;
      return { variable, value: tf.clone(variable) };
    });
  }

  #dropStatistics(): void {
    if (this.#saved !== null) tf.dispose(this.#saved.map((s) => s.value));
    this.#saved = null;
  }
}

/** How trainModel runs its steps: on the calling thread, or on Workers. */
export interface _Stepper {
  /**
   * One step on a checked batch of `b` samples at learning rate `lr`; resolves to its loss. A
   * step that fails rejects with the model (and the optimiser) as they were.
   */
  step(
    images: Float32Array,
    heatmaps: Float32Array,
    b: number,
    lr: number,
    step: number,
  ): Promise<number>;
  /** Brings the caller's model up to date with the training (a no-op on the calling thread). */
  sync(): Promise<void>;
  /** Frees the optimiser (and ends the Workers). */
  close(): void;
}

/** The steps on the calling thread. */
export function _localStepper(
  model: tfl.LayersModel,
  loss: LossName,
  learningRate: number,
  sizes: _SampleSizes,
): _Stepper {
  const replica = new _Replica(model, loss, learningRate, sizes);
  return {
    step: (images, heatmaps, b, lr, step) => {
      let computed: _Gradients;
      try {
        computed = replica.compute(images, heatmaps, b);
      } catch (error) {
        throw _stepError(error, step);
      }
      const { loss, grads } = computed;
      const present = grads.filter((g): g is tf.Tensor => g !== null);
      if (
        !(Number.isFinite(loss) && present.every((g) => _allFinite(g.dataSync() as Float32Array)))
      ) {
        tf.dispose(present);
        replica.undo();
        throw _nonFiniteError(loss, step);
      }
      replica.apply(grads, lr);
      return Promise.resolve(loss);
    },
    sync: () => Promise.resolve(),
    close: () => replica.dispose(),
  };
}
