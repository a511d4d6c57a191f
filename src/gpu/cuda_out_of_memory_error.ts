import { CudaError } from "./cuda_error.ts";

/**
 * A device allocation failed: the GPU does not have that much free memory. `detail` says how
 * many bytes were asked for and how many were free.
 *
 * @example
 * ```ts
 * import { CudaError, CudaOutOfMemoryError } from "@facealign/awing/gpu";
 * import { ok } from "node:assert/strict";
 * const error = new CudaOutOfMemoryError("Cannot allocate a device tensor: out of memory", {
 *   code: 3,
 *   detail: "out of memory",
 * });
 * ok(error instanceof CudaError && error.status === "AWL_ERR_OUT_OF_MEMORY");
 * ```
 */
export class CudaOutOfMemoryError extends CudaError {
  /** The error name, `"CudaOutOfMemoryError"`. */
  override name = "CudaOutOfMemoryError";
}
