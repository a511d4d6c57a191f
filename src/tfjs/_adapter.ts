// The bridge from the WASM core losses to TensorFlow.js: input checks, the layout handling
// (in _coreLoss alone) and the custom gradient.
import * as tf from "@tensorflow/tfjs-core";
import "./_register.ts";
import { checkFinite, checkOneOf } from "../_validate.ts";
import type { LossOptions, LossResult, Shape4 } from "../types.ts";
import type { TfLayout, TfLossOptions } from "./types.ts";

const ACTION = "compute loss";

/** A core loss of src/loss/: Float32Arrays in, loss and gradient out. */
export type CoreLoss<O extends LossOptions> = (
  pred: Float32Array,
  target: Float32Array,
  options: O,
) => LossResult;

/** Core options without the shape, the buffers and the layout they get from the adapter. */
type CoreOptions<O extends LossOptions> = Omit<O, "shape" | "out" | "gradient">;

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

/** [n, a, b] to [n, b, a]: NHWC to NCHW with (a, b) = (H*W, K), and back with (K, H*W). */
function swapLastAxes(src: Float32Array, n: number, a: number, b: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let m = 0; m < n; m++) {
    const base = m * a * b;
    for (let i = 0; i < a; i++) {
      const from = base + i * b;
      for (let j = 0, to = base + i; j < b; j++, to += a) out[to] = src[from + j]!;
    }
  }
  return out;
}

/**
 * Runs the core loss on data in `layout` with `shape` given in that layout; the gradient
 * comes back in the same layout, in a fresh array (never a buffer awing reuses).
 */
export function _coreLoss<O extends LossOptions>(
  core: CoreLoss<O>,
  pred: Float32Array,
  target: Float32Array,
  shape: Shape4,
  layout: TfLayout,
  options: CoreOptions<O>,
): { loss: number; grad: Float32Array } {
  if (layout === "nchw") {
    const { loss, grad } = core(pred, target, { ...options, shape } as unknown as O);
    return { loss, grad: grad! };
  }
  // Until the core reads [N, H, W, K] itself, channel-last data is transposed here; the
  // scan first names a bad value by its index in the caller's layout.
  const [n, h, w, k] = shape;
  if (options.validate !== false) {
    checkFinite(pred, "pred", ACTION);
    checkFinite(target, "target", ACTION);
  }
  const { loss, grad } = core(
    swapLastAxes(pred, n, h * w, k),
    swapLastAxes(target, n, h * w, k),
    { ...options, shape: [n, k, h, w] } as unknown as O,
  );
  return { loss, grad: swapLastAxes(grad!, n, k, h * w) };
}

/** The wasm backend's own view of its tensors' memory. */
interface WasmHeap {
  dataIdMap: { has(dataId: object): boolean };
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * A float32 tensor's values, read without a copy where the backend allows: a view of the wasm
 * backend's heap (valid until the next TensorFlow.js allocation), or the cpu backend's own
 * array. Read only.
 */
function readF32(t: tf.Tensor): Float32Array {
  if (tf.getBackend() === "wasm") {
    const heap = tf.backend() as unknown as WasmHeap;
    if (heap.dataIdMap.has(t.dataId)) return heap.typedArrayFromHeap(t);
  }
  return t.dataSync() as Float32Array;
}

/** Reads `landmarkWeights` (a tensor or floats) as floats; the core checks their length. */
function landmarkWeightsData(lw: tf.Tensor | Float32Array | undefined): Float32Array | undefined {
  if (lw === undefined || lw instanceof Float32Array) return lw;
  return checkTensor(lw, "landmarkWeights").dataSync() as Float32Array;
}

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
  const lw = landmarkWeightsData(landmarkWeights);
  // The loss' own parameters (alpha, w, ...) travel in `rest` with the common options.
  const coreOptions = (lw ? { ...rest, landmarkWeights: lw } : rest) as unknown as CoreOptions<O>;
  const shape = pred.shape as Shape4;
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const p = args[0] as tf.Tensor4D;
    // Both read as views right before the core runs: no TensorFlow.js allocation between.
    const out = _coreLoss(core, readF32(p), readF32(target), shape, layout, coreOptions);
    return {
      value: tf.scalar(out.loss),
      gradFunc: (dy: tf.Tensor) => {
        const grad = tf.tensor(out.grad, pred.shape, "float32");
        // A training step's upstream gradient is 1: no multiplication over the whole batch.
        return dy.dataSync()[0] === 1 ? grad : tf.mul(dy, grad);
      },
    };
  });
  return loss(pred) as tf.Scalar;
}
