import { closeLibrary } from "./_ffi.ts";
import "./_buffers.ts"; // registers the hook that frees live buffers before the library closes

/**
 * Frees every device tensor and scratch buffer still alive and unloads the awing CUDA library
 * (a no-op when it is not loaded). Tensors freed this way count as disposed; the library is
 * loaded again by the next GPU call. Tests must call it (or `deno test` reports a dynamic
 * library that was loaded but not unloaded).
 *
 * @example
 * ```ts
 * import { closeCuda } from "@facealign/awing/gpu";
 * import { equal } from "node:assert/strict";
 * equal(closeCuda(), undefined); // nothing loaded: nothing to do
 * ```
 */
export function closeCuda(): void {
  closeLibrary();
}
