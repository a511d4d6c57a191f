/**
 * TensorFlow.js in Deno, fixed for training: `useWasmBackend` starts the `wasm` backend with
 * the convolution gradients it lacks.
 *
 * This is the only subpath that imports TensorFlow.js (`@tensorflow/tfjs-core`,
 * `-backend-cpu`, `-backend-wasm` and `-layers` 4.22.0); importing it registers every
 * gradient and keeps `cpu` as the default backend.
 *
 * @example
 * ```ts
 * import { useWasmBackend } from "@facealign/awing/tfjs";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { equal } from "node:assert/strict";
 * await useWasmBackend();
 * equal(tf.getBackend(), "wasm");
 * await tf.setBackend("cpu");
 * ```
 *
 * @module
 */
export * from "./use_wasm_backend.ts";
