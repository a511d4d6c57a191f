import { probeCuda } from "./_probe.ts";

/**
 * Whether the GPU path can run here: FFI permission for the library, the library loads, and a
 * CUDA device that it supports (compute capability 7.5 or newer) initialises. It answers as
 * `selectBackend({ backend: "auto" })` chooses, and like it initialises (creates a CUDA context
 * on) only the device it would pick. Never throws for a missing library, device or permission;
 * never prompts. When it loaded the library just to answer and found no device it can use, it
 * unloads it again.
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
