import { probeCuda } from "./_probe.ts";

/**
 * Whether the GPU path can run here: FFI permission for the library, the library loads, and
 * there is at least one CUDA device. Never throws for a missing library, device or
 * permission; never prompts. When it loaded the library just to answer and found no device,
 * it unloads it again.
 *
 * @example Choosing a path once
 * ```ts
 * import { closeCuda, isCudaAvailable } from "@facealign/awing/gpu";
 * import { equal } from "node:assert/strict";
 * const gpu = isCudaAvailable();
 * equal(typeof gpu, "boolean");
 * closeCuda();
 * ```
 *
 * @returns `true` when CUDA kernels can run.
 */
export function isCudaAvailable(): boolean {
  return probeCuda().ok;
}
