/**
 * awing's losses as TensorFlow.js losses, and the fixes that let TensorFlow.js train
 * convolutional networks fast in Deno: `tfAwingLoss` (with the paper's weighted loss map),
 * `tfWingLoss`, `tfSoftWingLoss`, `tfMseLoss`, `tfL1Loss`, whose value and gradient come from
 * the WASM SIMD core, and `useWasmBackend`, which starts the `wasm` backend with the
 * convolution gradients it lacks.
 *
 * This is the only subpath that imports TensorFlow.js (`@tensorflow/tfjs-core`,
 * `-backend-cpu`, `-backend-wasm` and `-layers` 4.22.0); importing it registers every
 * gradient and keeps `cpu` as the default backend.
 *
 * @example
 * ```ts
 * import { tfAwingLoss } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { ok } from "node:assert/strict";
 * const target = tf.zeros<tf.Rank.R4>([1, 64, 64, 68]);
 * const pred = tf.fill<tf.Rank.R4>([1, 64, 64, 68], 0.1);
 * const grad = tf.grad((p: tf.Tensor) => tfAwingLoss(p as tf.Tensor4D, target))(pred);
 * ok(tfAwingLoss(pred, target).dataSync()[0]! > 0 && tf.max(grad).dataSync()[0]! > 0);
 * ```
 *
 * @module
 */
export * from "./awing_loss.ts";
export * from "./wing_loss.ts";
export * from "./soft_wing_loss.ts";
export * from "./mse_loss.ts";
export * from "./l1_loss.ts";
export * from "./use_wasm_backend.ts";
export type * from "./types.ts";
