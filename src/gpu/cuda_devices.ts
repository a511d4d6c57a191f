import { ffi, unwrap } from "./_ffi.ts";

/** A CUDA device as the awing library sees it. */
export interface CudaDeviceInfo {
  /** The device index, as passed to `device` options. */
  index: number;
  /** The device's name, such as `"NVIDIA H200"`. */
  name: string;
  /** Total device memory in bytes. */
  totalMemory: number;
  /** Free device memory in bytes, when asked. */
  freeMemory: number;
}

const ACTION = "list CUDA devices";

/**
 * The CUDA devices, with their names and memory. Loads the awing CUDA library on first use
 * (`--allow-ffi`); call `closeCuda()` to unload it.
 *
 * @example
 * ```ts ignore
 * import { closeCuda, cudaDevices } from "@facealign/awing/gpu";
 * import { ok } from "node:assert/strict";
 * const [first] = cudaDevices();
 * ok(first.totalMemory > 0 && first.name.length > 0);
 * closeCuda();
 * ```
 *
 * @returns One entry per device, at least one.
 * @throws {CudaUnavailableError} When the library cannot be loaded.
 * @throws {CudaNoDeviceError} When there is no device or no usable driver; `detail` says why.
 * @throws {CudaError} For other CUDA failures.
 */
export function cudaDevices(): CudaDeviceInfo[] {
  const symbols = ffi();
  const count = new Int32Array(1);
  unwrap(symbols.awl_device_count(count), ACTION);
  const devices: CudaDeviceInfo[] = [];
  const name = new Uint8Array(256);
  const free = new BigUint64Array(1), total = new BigUint64Array(1);
  for (let index = 0; index < count[0]!; index++) {
    unwrap(symbols.awl_device_name(index, name, name.length), ACTION);
    unwrap(symbols.awl_device_memory(index, free, total), ACTION);
    const end = name.indexOf(0);
    devices.push({
      index,
      name: new TextDecoder().decode(name.subarray(0, end < 0 ? name.length : end)),
      totalMemory: Number(total[0]),
      freeMemory: Number(free[0]),
    });
  }
  return devices;
}
