// The bridge from the WASM core losses to TensorFlow.js: input checks, the reads without
// copies and the custom gradient.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import "./_register.ts";
import { checkOneOf, checkOptions } from "../_validate.ts";
import type { LossOptions, LossResult, Shape4 } from "../types.ts";
import type { TfLossOptions } from "./types.ts";
import type { WasmBackend } from "./_wasm_backend.ts";

const ACTION = "compute loss";

/** A core loss of src/loss/: Float32Arrays in, loss and gradient out. */
export type CoreLoss<O extends LossOptions> = (
  pred: Float32Array,
  target: Float32Array,
  options: O,
) => LossResult;

function checkTensor(t: unknown, name: string): tf.Tensor {
  if (!(t instanceof tf.Tensor)) {
    throw new TypeError(`Cannot ${ACTION}: "${name}" must be a tf.Tensor`);
  }
  if (t.isDisposed) throw new TypeError(`Cannot ${ACTION}: "${name}" is disposed`);
  if (t.dtype !== "float32") {
    throw new TypeError(`Cannot ${ACTION}: "${name}" must be float32 but it is ${t.dtype}`);
  }
  return t;
}

/**
 * A float32 tensor's values, read without a copy where the backend allows: a view of the wasm
 * backend's heap (valid until the next TensorFlow.js allocation), or the cpu backend's own
 * array. Read only.
 */
function readF32(t: tf.Tensor): Float32Array {
  if (tf.getBackend() === "wasm") {
    const heap = tf.backend() as unknown as WasmBackend;
    if (heap.dataIdMap.has(t.dataId)) return heap.typedArrayFromHeap(t);
  }
  return t.dataSync() as Float32Array;
}

/**
 * Reads `landmarkWeights` (a tensor of shape `[N, K]`, or N*K floats whose length the core
 * checks) as floats: a tensor of another shape, even with N*K elements (`[K, N]`), is refused.
 */
function landmarkWeightsData(
  lw: tf.Tensor | Float32Array | undefined,
  n: number,
  k: number,
): Float32Array | undefined {
  if (lw === undefined || lw instanceof Float32Array) return lw;
  const t = checkTensor(lw, "landmarkWeights");
  if (t.rank !== 2 || t.shape[0] !== n || t.shape[1] !== k) {
    throw new TypeError(
      `Cannot ${ACTION}: "landmarkWeights" must have shape [N, K] = [${n}, ${k}] but its shape is ${
        JSON.stringify(t.shape)
      }`,
    );
  }
  return t.dataSync() as Float32Array;
}

/**
 * Zero, as a function of the target whose gradient, when one is asked for (the target then
 * depends on what is differentiated), is a TypeError: the losses have a gradient for `pred`
 * only, and leaving the target's part out would be a wrong number.
 */
const targetGuard = tf.customGrad((..._target: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.zeros([]),
  gradFunc: (): tf.Tensor => {
    throw new TypeError(
      `Cannot ${ACTION} gradient with respect to "target": the losses are differentiable in "pred" only (pass a target that does not depend on the variables)`,
    );
  },
}));

/**
 * The TensorFlow.js loss of `core`: checks the tensors, reads them, and returns the loss as a
 * scalar whose gradient with respect to `pred` is the core's.
 */
export function _tfLoss<O extends LossOptions>(
  core: CoreLoss<O>,
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options: TfLossOptions | undefined,
): tf.Scalar {
  checkTensor(pred, "pred");
  checkTensor(target, "target");
  checkOptions(options, ACTION);
  const { layout = "nhwc", landmarkWeights, ...rest } = options ?? {};
  checkOneOf(layout, "layout", ["nhwc", "nchw"], ACTION);
  checkOneOf(rest.reduction ?? "mean", "reduction", ["mean", "sum"], ACTION);
  const dims = layout === "nhwc" ? "[N, H, W, K]" : "[N, K, H, W]";
  for (const [name, t] of [["pred", pred], ["target", target]] as const) {
    if (t.rank !== 4) {
      throw new TypeError(
        `Cannot ${ACTION}: "${name}" must be a 4-D tensor ${dims} but its shape is ${
          JSON.stringify(t.shape)
        }`,
      );
    }
  }
  if (pred.shape.some((d, i) => d !== target.shape[i])) {
    throw new TypeError(
      `Cannot ${ACTION}: "pred" has shape ${JSON.stringify(pred.shape)} but "target" has shape ${
        JSON.stringify(target.shape)
      }`,
    );
  }
  const [n, k] = layout === "nhwc" ? [pred.shape[0], pred.shape[3]] : pred.shape;
  const lw = landmarkWeightsData(landmarkWeights, n, k);
  // The loss' own parameters (alpha, w, ...) travel in `rest` with the common options; the
  // core reads channel-last data as it is.
  const coreOptions = {
    ...rest,
    ...(lw ? { landmarkWeights: lw } : {}),
    shape: pred.shape as Shape4,
    layout,
  } as unknown as O;
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const p = args[0] as tf.Tensor4D;
    // Both read as views right before the core runs (no TensorFlow.js allocation between);
    // the gradient is a fresh array, which the cpu backend may keep without a copy.
    const { loss, grad } = core(readF32(p), readF32(target), coreOptions);
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: tf.Tensor) => {
        const gradTensor = tf.tensor(grad!, pred.shape, "float32");
        // A training step's upstream gradient is 1: no multiplication over the whole batch.
        return dy.dataSync()[0] === 1 ? gradTensor : tf.mul(dy, gradTensor);
      },
    };
  });
  return tf.tidy(() => tf.add(loss(pred), targetGuard(target)) as tf.Scalar);
}
