/** Options of {@link CudaUnavailableError}. */
export interface CudaUnavailableErrorOptions extends ErrorOptions {
  /** The library path that was tried, if any. */
  path?: string | undefined;
}

/**
 * The awing CUDA library could not be loaded: it was not built (`deno task build:cuda`), the
 * path in `AWL_CUDA_LIB` is wrong, it was built for another ABI revision, or the package was
 * imported from a remote URL (then the library must be given by `AWL_CUDA_LIB`). Missing
 * permissions are not wrapped: `Deno.errors.NotCapable` passes through unchanged.
 *
 * @example
 * ```ts
 * import { CudaUnavailableError } from "@facealign/awing/gpu";
 * import { equal } from "node:assert/strict";
 * const error = new CudaUnavailableError("Cannot load CUDA library", { path: "/x.so" });
 * equal(error.path, "/x.so");
 * ```
 */
export class CudaUnavailableError extends Error {
  /** The error name, `"CudaUnavailableError"`. */
  override name = "CudaUnavailableError";
  /** The library path that was tried, if any. */
  readonly path: string | undefined;

  /**
   * Constructs a new instance.
   *
   * @param message The error message.
   * @param options The path that was tried and an optional cause.
   */
  constructor(message: string, options: CudaUnavailableErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.path = options.path;
  }
}
