import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { checkF32, MAX_ELEMENTS } from "../_validate.ts";
import { _modelShapes } from "./_model_shapes.ts";

/** What {@link predictHeatmaps} returns. */
export interface PredictedHeatmaps {
  /** The heatmaps, channel-first `[N, C, h, w]` as awing's decoders want them. */
  heatmaps: Float32Array;
  /** Their shape `[N, C, h, w]`. */
  shape: [number, number, number, number];
}

/**
 * Runs a heatmap model in inference mode on a batch of images `[N, S, S, 3]` (in chunks of
 * `chunk` images, to bound memory) and returns its heatmaps channel-first, `[N, C, h, w]`,
 * ready for `decodeDark` and the other decoders (with a boundary channel, it is channel C - 1).
 *
 * @example
 * ```ts
 * import { createHeatmapModel, predictHeatmaps } from "@facealign/awing/train";
 * import { deepEqual } from "node:assert/strict";
 * const model = createHeatmapModel({ width: 4, levels: 1, numLandmarks: 3, inputSize: 16 });
 * const { shape } = predictHeatmaps(model, new Float32Array(5 * 16 * 16 * 3));
 * deepEqual(shape, [5, 3, 8, 8]);
 * model.dispose();
 * ```
 *
 * @param model A model with input `[S, S, 3]` and output `[h, w, C]`.
 * @param images Images `[N, S, S, 3]`.
 * @param chunk Images per forward pass. Defaults to 32.
 * @returns The heatmaps `[N, C, h, w]` and their shape.
 * @throws {TypeError} When `images` is not a Float32Array, or its length is not a whole
 * number >= 1 of images.
 * @throws {RangeError} When `chunk` is not a whole number >= 1, or the heatmaps would have
 * more than 2^31 - 1 elements.
 */
export function predictHeatmaps(
  model: tfl.LayersModel,
  images: Float32Array,
  chunk = 32,
): PredictedHeatmaps {
  const action = "predict heatmaps";
  const { s, ci, h, w, c } = _modelShapes(model, action);
  checkF32(images, "images", action);
  if (!(typeof chunk === "number" && Number.isInteger(chunk) && chunk >= 1)) {
    throw new RangeError(
      `Cannot ${action} as chunk must be a whole number >= 1: current value is ${String(chunk)}`,
    );
  }
  const n = images.length / (s * s * ci);
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new TypeError(
      `Cannot predict heatmaps: "images" has ${images.length} values, not a whole number >= 1 of [${s}, ${s}, ${ci}] images`,
    );
  }
  if (n * c * h * w > MAX_ELEMENTS) {
    throw new RangeError(
      `Cannot ${action} as the heatmaps [${n}, ${c}, ${h}, ${w}] must have at most ${MAX_ELEMENTS} elements: current value is ${
        n * c * h * w
      } (predict fewer images at a time)`,
    );
  }
  const out = new Float32Array(n * c * h * w);
  for (let i = 0; i < n; i += chunk) {
    const m = Math.min(chunk, n - i);
    const part = images.subarray(i * s * s * ci, (i + m) * s * s * ci);
    const values = tf.tidy(() => {
      const y = model.predict(tf.tensor4d(part, [m, s, s, ci])) as tf.Tensor4D;
      return tf.transpose(y, [0, 3, 1, 2]);
    });
    out.set(values.dataSync(), i * c * h * w);
    values.dispose();
  }
  return { heatmaps: out, shape: [n, c, h, w] };
}
