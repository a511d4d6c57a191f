import { statusName } from "./_status.ts";

/** Options of {@link CudaError}. */
export interface CudaErrorOptions extends ErrorOptions {
  /** The library's status code (`awlResult_t` in `src/cuda/awing.h`). */
  code: number;
  /** The library's last-error text: what failed, the CUDA error and where. */
  detail: string;
}

/**
 * A failure reported by the awing CUDA library: a CUDA runtime error, an invalid argument that
 * reached native code, or an internal failure. {@link CudaNoDeviceError} and
 * {@link CudaOutOfMemoryError} are the two cases worth catching on their own.
 *
 * @example Inspecting a failure
 * ```ts
 * import { CudaError } from "@facealign/awing/gpu";
 * import { equal } from "node:assert/strict";
 * const error = new CudaError("Cannot run kernel: boom", { code: 4, detail: "boom" });
 * equal(error.status, "AWL_ERR_CUDA");
 * equal(error.detail, "boom");
 * ```
 */
export class CudaError extends Error {
  /** The error name, `"CudaError"`. */
  override name = "CudaError";
  /** The library's status code (`awlResult_t`): 1 invalid argument, 2 no device, 3 out of
   * memory, 4 CUDA error, 5 internal error. */
  readonly code: number;
  /** The status code's name, such as `"AWL_ERR_CUDA"`. */
  readonly status: string;
  /** The library's last-error text (`awl_get_last_error`): what failed, the CUDA error name and
   * its `cudaGetErrorString` text, and the library's file and line. */
  readonly detail: string;

  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options The status code, the library's error text and an optional cause.
   */
  constructor(message: string, options: CudaErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = statusName(options.code);
    this.detail = options.detail;
  }
}
