import { checkOneOf, checkOptions } from "../_validate.ts";
import type { DecodeOptions, DecodeResult } from "../decode/types.ts";
import { decodeArgmax } from "../decode/decode_argmax.ts";
import {
  gaussianHeatmaps,
  type GaussianHeatmapsOptions,
  type GaussianHeatmapsResult,
} from "../heatmap/gaussian_heatmaps.ts";
import { awingLoss, type AWingLossOptions } from "../loss/awing_loss.ts";
import type { FloatArray, HeatmapLoss } from "../types.ts";
import { CudaBackend } from "./_cuda_backend.ts";
import { chooseCudaDevice, type CudaChoice, probeCuda } from "./_probe.ts";

/** Which implementation to run: the WASM SIMD core, a CUDA device, or CUDA when it can run. */
export type BackendChoice = "wasm" | "cuda" | "auto";

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * `"auto"` (default): CUDA when the library loads and a device it supports can be used, else
   * WASM.
   */
  backend?: BackendChoice | undefined;
  /**
   * The CUDA device. Defaults to the first device that the library supports (compute
   * capability 7.5 or newer) and that is free.
   */
  device?: number | undefined;
}

/**
 * The package's host-array operations on one backend. Both backends take and return host
 * `Float32Array`s with the same options, checks and error messages; the CUDA backend uploads
 * the inputs and downloads the results, reusing its device buffers while sizes stay the same.
 */
export interface Backend extends Disposable {
  /** The backend that runs: `"wasm"` or `"cuda"`. */
  readonly name: "wasm" | "cuda";
  /**
   * Why it was chosen, e.g. `"CUDA device 0: NVIDIA H200 (139.8 GiB, compute capability 9.0,
   * sm_90 machine code)"` or, for a fallback, `"no CUDA device (cudaGetDeviceCount failed:
   * ...); using WASM"` or `"no CUDA device the library can use: device 0 (Tesla V100-SXM2-16GB,
   * compute capability 7.0): compute capability 7.0 is below 7.5, ...; using WASM"`.
   */
  readonly reason: string;
  /** The CUDA device, for `"cuda"`. */
  readonly device: number | undefined;
  /** `awingLoss` of `@facealign/awing/loss`. */
  readonly awingLoss: HeatmapLoss<AWingLossOptions>;
  /**
   * `gaussianHeatmaps` of `@facealign/awing/heatmap` (on CUDA, the `"official"` mode runs on
   * the WASM core).
   */
  gaussianHeatmaps(
    landmarks: FloatArray,
    options: GaussianHeatmapsOptions,
  ): GaussianHeatmapsResult;
  /** `decodeArgmax` of `@facealign/awing/decode`. */
  decodeArgmax(heatmaps: FloatArray, options: DecodeOptions): DecodeResult;
  /** Frees the backend's device buffers (a no-op for WASM). */
  dispose(): void;
}

function wasmBackend(reason: string): Backend {
  return {
    name: "wasm",
    reason,
    device: undefined,
    awingLoss,
    gaussianHeatmaps,
    decodeArgmax,
    dispose(): void {},
    [Symbol.dispose](): void {},
  };
}

function cudaBackend(choice: CudaChoice, auto: boolean): CudaBackend {
  const d = choice.info;
  const gib = `${(d.totalMemory / 2 ** 30).toFixed(1)} GiB`;
  const skipped = choice.skipped.length === 0 ? "" : `; passed over ${choice.skipped.join("; ")}`;
  return new CudaBackend(
    d.index,
    `CUDA device ${d.index}: ${d.name} (${gib}, compute capability ${d.computeCapability}, ` +
      `${choice.code})${auto ? ", auto-selected" : ""}${skipped}`,
  );
}

/**
 * Chooses where the package's operations run, and says why. `"wasm"` always works;
 * `"cuda"` needs the awing CUDA library (`deno task build:cuda`, or `AWL_CUDA_LIB`),
 * `--allow-ffi` and a device it supports (compute capability 7.5 or newer), and throws
 * otherwise; `"auto"` tries CUDA and falls back to WASM without throwing (and without
 * prompting for permissions), with the reason in `reason`. When `"auto"` loaded the library
 * only to find no device it can use, it unloads it again.
 *
 * Devices are listed without creating a CUDA context on any of them; only the device that is
 * picked is initialised (its context created): `device`, or else the first supported device
 * that initialises, so that a GPU that another process holds in exclusive-process mode is
 * passed over (and named in `reason`) when another one is free.
 *
 * @example Falling back to WASM when CUDA cannot run
 * ```ts
 * import { closeCuda, selectBackend } from "@facealign/awing/gpu";
 * import { ok } from "node:assert/strict";
 * using backend = selectBackend({ backend: "auto" });
 * ok(backend.name === "cuda" || backend.reason.endsWith("using WASM"));
 * const { loss } = backend.awingLoss(new Float32Array([1]), new Float32Array([0]), {
 *   shape: [1, 1, 1, 1],
 *   mapWeight: 0,
 * });
 * ok(Math.abs(loss - 8.495946) < 1e-5);
 * backend.dispose();
 * closeCuda();
 * ```
 *
 * @param options The backend choice and the CUDA device.
 * @returns The backend, with its name and the reason for the choice.
 * @throws {TypeError} For an unknown backend name.
 * @throws {RangeError} For a negative or non-integer device, or (with `"cuda"`) a device that
 * does not exist.
 * @throws {CudaUnavailableError} With `"cuda"`, when the library cannot be loaded.
 * @throws {CudaNoDeviceError} With `"cuda"`, when there is no device, or none (or not
 * `device`) that the library supports and can initialise; the message gives every reason.
 */
export function selectBackend(options: SelectBackendOptions = {}): Backend {
  const action = "select a backend";
  checkOptions(options, action);
  const choice = options.backend ?? "auto";
  checkOneOf(choice, "backend", ["wasm", "cuda", "auto"], action);
  const device = options.device;
  if (device !== undefined && (!Number.isInteger(device) || device < 0)) {
    throw new RangeError(
      `Cannot ${action} as device must be a non-negative integer: current value is ${device}`,
    );
  }
  if (choice === "wasm") return wasmBackend("WASM backend requested");
  if (choice === "cuda") return cudaBackend(chooseCudaDevice(device, action), false);
  const probe = probeCuda(device);
  if (!probe.ok) return wasmBackend(`${probe.reason}; using WASM`);
  return cudaBackend(probe.choice, true);
}
