/**
 * GPU tensor operations through the awing CUDA library (`src/cuda/`, built by
 * `deno task build:cuda`) and Deno FFI: device tensors, the fused Adaptive Wing loss with its
 * gradient and weighted loss map, Gaussian heatmaps and argmax decoding on the GPU, and a
 * backend choice (`"wasm" | "cuda" | "auto"`) for the package's host-array API.
 *
 * Importing this module loads nothing; the library is opened on first use (`--allow-ffi`,
 * plus `--allow-env=AWL_CUDA_LIB` to point at a library elsewhere) and unloaded by
 * {@link closeCuda}. The library is looked for in `AWL_CUDA_LIB`, else in `build/` of the
 * checkout; a package imported from a remote URL needs `AWL_CUDA_LIB`.
 *
 * @example Run where it can, say where it runs
 * ```ts
 * import { closeCuda, selectBackend } from "@facealign/awing/gpu";
 * import { ok } from "node:assert/strict";
 * using backend = selectBackend();
 * ok(backend.reason.length > 0);
 * const target = new Float32Array(8 * 8);
 * target[27] = 1;
 * const { loss, grad } = backend.awingLoss(new Float32Array(8 * 8), target, {
 *   shape: [1, 1, 8, 8],
 * });
 * ok(loss > 0 && grad[27]! < 0);
 * backend.dispose();
 * closeCuda();
 * ```
 *
 * @module
 */
export * from "./device_tensor.ts";
export * from "./awing_loss_cuda.ts";
export * from "./gaussian_heatmaps_cuda.ts";
export * from "./decode_argmax_cuda.ts";
export * from "./select_backend.ts";
export * from "./cuda_devices.ts";
export * from "./is_cuda_available.ts";
export * from "./close_cuda.ts";
export * from "./cuda_error.ts";
export * from "./cuda_no_device_error.ts";
export * from "./cuda_out_of_memory_error.ts";
export * from "./cuda_unavailable_error.ts";
// types of the WASM API that the GPU API's signatures use
export type { LossOptions, LossResult, Reduction, Shape4 } from "../types.ts";
export type { AWingLossOptions } from "../loss/awing_loss.ts";
export type {
  GaussianHeatmapsOptions,
  GaussianHeatmapsResult,
  SkippedLandmark,
  SkipReason,
} from "../heatmap/gaussian_heatmaps.ts";
export type { DecodeOptions, DecodeResult } from "../decode/types.ts";
