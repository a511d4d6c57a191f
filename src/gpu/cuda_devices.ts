import { cText, ffi, libraryTargets, unwrap } from "./_ffi.ts";
import { COMPUTE_MODES, unsupportedReason } from "./_targets.ts";

/** A CUDA device as the awing CUDA library sees it, before anything runs on it. */
export interface CudaDeviceInfo {
  /** The device index, as passed to `device` options. */
  index: number;
  /** The device's name, such as `"NVIDIA H200"`. */
  name: string;
  /** Its compute capability, such as `"9.0"`. */
  computeCapability: string;
  /** Total device memory in bytes. */
  totalMemory: number;
  /**
   * Its compute mode: `"default"`, `"exclusive-process"` (one process at a time: busy while
   * another holds it), `"prohibited"` or `"exclusive-thread"`.
   */
  computeMode: string;
  /**
   * Whether the library has code that runs on it (compute capability 7.5 or newer, for the
   * architectures the library was built for) and its compute mode is not `"prohibited"`.
   * Whether it is free (not held by another process in exclusive-process mode) is known only
   * when it is used.
   */
  supported: boolean;
  /** Why it is not supported, or `undefined`. */
  unsupportedReason: string | undefined;
}

const ACTION = "list CUDA devices";

/**
 * The CUDA devices, with their names, compute capabilities and memory, and whether the library
 * supports them. Creates no CUDA context (it reads device properties only), so it neither
 * takes memory on any GPU nor fails on one that another process holds. Loads the awing CUDA
 * library on first use (`--allow-ffi`); call `closeCuda()` to unload it.
 *
 * @example
 * ```ts ignore
 * import { closeCuda, cudaDevices } from "@facealign/awing/gpu";
 * import { ok } from "node:assert/strict";
 * const [first] = cudaDevices();
 * ok(first.totalMemory > 0 && /^\d+\.\d$/.test(first.computeCapability));
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
  const targets = libraryTargets(ACTION);
  const devices: CudaDeviceInfo[] = [];
  const name = new Uint8Array(256);
  const major = new Int32Array(1), minor = new Int32Array(1), mode = new Int32Array(1);
  const total = new BigUint64Array(1);
  for (let index = 0; index < count[0]!; index++) {
    unwrap(
      symbols.awl_device_properties(index, name, name.length, major, minor, mode, total),
      ACTION,
    );
    const reason = unsupportedReason(major[0]!, minor[0]!, mode[0]!, targets);
    devices.push({
      index,
      name: cText(name),
      computeCapability: `${major[0]}.${minor[0]}`,
      totalMemory: Number(total[0]),
      computeMode: COMPUTE_MODES[mode[0]!] ?? `mode ${mode[0]}`,
      supported: reason === undefined,
      unsupportedReason: reason,
    });
  }
  return devices;
}
