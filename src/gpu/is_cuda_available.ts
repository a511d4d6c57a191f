import { ffi, isLoaded, libraryPath } from "./_ffi.ts";
import { CudaNoDeviceError } from "./cuda_no_device_error.ts";
import { CudaUnavailableError } from "./cuda_unavailable_error.ts";
import { cudaDevices } from "./cuda_devices.ts";
import { closeCuda } from "./close_cuda.ts";

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
  const wasLoaded = isLoaded();
  try {
    const path = libraryPath();
    if (!wasLoaded && Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") {
      return false;
    }
    ffi();
    return cudaDevices().length > 0;
  } catch (error) {
    if (
      error instanceof CudaUnavailableError || error instanceof CudaNoDeviceError ||
      error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
    ) {
      if (!wasLoaded) closeCuda();
      return false;
    }
    throw error;
  }
}
