import { CudaError } from "./cuda_error.ts";

/**
 * The CUDA library loaded but there is no usable device: no GPU, no driver, or a driver too
 * old for the library's CUDA runtime. `detail` holds the runtime's reason.
 *
 * @example Telling "no GPU" apart from other failures
 * ```ts
 * import { CudaError, CudaNoDeviceError } from "@facealign/awing/gpu";
 * import { ok } from "node:assert/strict";
 * const error = new CudaNoDeviceError("Cannot list devices: no CUDA device", {
 *   code: 2,
 *   detail: "no CUDA device",
 * });
 * ok(error instanceof CudaError && error.name === "CudaNoDeviceError");
 * ```
 */
export class CudaNoDeviceError extends CudaError {
  /** The error name, `"CudaNoDeviceError"`. */
  override name = "CudaNoDeviceError";
}
