// The one probe of whether CUDA can run here, behind isCudaAvailable and selectBackend.
import { isLoaded, libraryPath } from "./_ffi.ts";
import { closeCuda } from "./close_cuda.ts";
import { type CudaDeviceInfo, cudaDevices } from "./cuda_devices.ts";
import { CudaNoDeviceError } from "./cuda_no_device_error.ts";
import { CudaUnavailableError } from "./cuda_unavailable_error.ts";

/** What {@link probeCuda} found: the devices, or why CUDA cannot run here. */
export type CudaProbe =
  | { ok: true; devices: CudaDeviceInfo[] }
  | { ok: false; reason: string };

function unavailableReason(error: CudaUnavailableError): string {
  if (error.path !== undefined && /No such file or directory/.test(error.message)) {
    return `CUDA library not found at ${error.path} (build it with \`deno task build:cuda\` or ` +
      "set AWL_CUDA_LIB)";
  }
  return error.message;
}

/**
 * Whether the CUDA path can run: FFI permission for the library, the library loads, and there
 * is at least one device. Never throws for a missing library, device or permission and never
 * prompts; when it loaded the library only to find no device, it unloads it again.
 */
export function probeCuda(): CudaProbe {
  const wasLoaded = isLoaded();
  try {
    const path = libraryPath();
    if (!wasLoaded && Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") {
      return { ok: false, reason: `no FFI permission for "${path}" (run with --allow-ffi)` };
    }
    return { ok: true, devices: cudaDevices() };
  } catch (error) {
    if (error instanceof CudaUnavailableError) {
      return { ok: false, reason: unavailableReason(error) };
    }
    if (error instanceof CudaNoDeviceError) {
      if (!wasLoaded) closeCuda();
      return {
        ok: false,
        reason: `no CUDA device (${error.detail.replace(/^no CUDA device: /, "")})`,
      };
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      if (!wasLoaded) closeCuda();
      return { ok: false, reason: error.message };
    }
    throw error;
  }
}
