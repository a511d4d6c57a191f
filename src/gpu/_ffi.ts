// The one FFI symbol table of the awing CUDA library (src/cuda/awing.h), its lazy loader and
// the status check every native call goes through. Importing this module never calls
// Deno.dlopen: the library is opened on first use and closed by closeLibrary().
import { fileURLToPath } from "node:url";
import { CudaError } from "./cuda_error.ts";
import { CudaNoDeviceError } from "./cuda_no_device_error.ts";
import { CudaOutOfMemoryError } from "./cuda_out_of_memory_error.ts";
import { CudaUnavailableError } from "./cuda_unavailable_error.ts";

/** Status codes (`awlResult_t`). */
export const STATUS = {
  success: 0,
  invalidArg: 1,
  noDevice: 2,
  outOfMemory: 3,
  cuda: 4,
  internal: 5,
} as const;

/** The ABI revision this bridge speaks (`AWL_ABI_VERSION`). */
export const ABI_VERSION = 2;
/** `awlWindow_t`. */
export const WINDOW = { "3sigma": 0, full: 1 } as const;
/** `awlOffMap_t`. */
export const OFF_MAP = { partial: 0, empty: 1 } as const;
/** Size of `awl_awing_stats`: total f64 @0, target_min f32 @8, target_max f32 @12, flags @16. */
export const STATS_BYTES = 24;
/** Environment variable naming the library, overriding the local build. */
export const ENV_VAR = "AWL_CUDA_LIB";
const BUILD_HINT =
  "build it with `deno task build:cuda` (needs nvcc) or set AWL_CUDA_LIB to the path of " +
  "libawing_cuda.so";

/** The library's symbols. `stream` arguments are a cudaStream_t or null (default stream). */
export const SYMBOLS = {
  /** const char* awl_get_error_string(awlResult_t status) */
  awl_get_error_string: { parameters: ["i32"], result: "pointer" },
  /** const char* awl_get_last_error(void) */
  awl_get_last_error: { parameters: [], result: "pointer" },
  /** awlResult_t awl_get_version(int32_t* version, int32_t* abi) */
  awl_get_version: { parameters: ["buffer", "buffer"], result: "i32" },
  /** awlResult_t awl_device_count(int32_t* count) */
  awl_device_count: { parameters: ["buffer"], result: "i32" },
  /** awlResult_t awl_device_name(int32_t device, char* name, int32_t capacity) */
  awl_device_name: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** awlResult_t awl_device_memory(int32_t device, uint64_t* free_bytes, uint64_t* total_bytes) */
  awl_device_memory: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** awlResult_t awl_synchronize(int32_t device, awl_stream_t stream) */
  awl_synchronize: { parameters: ["i32", "pointer"], result: "i32" },
  /** awlResult_t awl_buffer_alloc(uint64_t bytes, awl_buffer** out, int32_t device) */
  awl_buffer_alloc: { parameters: ["u64", "buffer", "i32"], result: "i32" },
  /** awlResult_t awl_buffer_free(awl_buffer* buffer) */
  awl_buffer_free: { parameters: ["pointer"], result: "i32" },
  /** awlResult_t awl_buffer_info(const awl_buffer* buffer, uint64_t* bytes, int32_t* device) */
  awl_buffer_info: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  /**
   * awlResult_t awl_copy_htod(awl_buffer* dst, uint64_t dst_offset, const void* src,
   *                           uint64_t bytes, int32_t device, awl_stream_t stream)
   */
  awl_copy_htod: {
    parameters: ["pointer", "u64", "buffer", "u64", "i32", "pointer"],
    result: "i32",
  },
  /**
   * awlResult_t awl_copy_dtoh(void* dst, const awl_buffer* src, uint64_t src_offset,
   *                           uint64_t bytes, int32_t device, awl_stream_t stream)
   */
  awl_copy_dtoh: {
    parameters: ["buffer", "pointer", "u64", "u64", "i32", "pointer"],
    result: "i32",
  },
  /** awlResult_t awl_awing_workspace_bytes(int32_t n, int32_t k, int32_t h, int32_t w,
   *                                        uint64_t* bytes) */
  awl_awing_workspace_bytes: {
    parameters: ["i32", "i32", "i32", "i32", "buffer"],
    result: "i32",
  },
  /**
   * awlResult_t awl_awing(const awl_buffer* pred, const awl_buffer* target,
   *   const awl_buffer* chan_w, awl_buffer* grad, awl_buffer* loss_map, awl_buffer* workspace,
   *   int32_t n, int32_t k, int32_t h, int32_t w, float alpha, float omega, float epsilon,
   *   float theta, float map_weight, float map_threshold, float grad_scale, int32_t device,
   *   awl_stream_t stream)
   */
  awl_awing: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "i32",
      "pointer",
    ],
    result: "i32",
  },
  /**
   * awlResult_t awl_gaussian(const awl_buffer* landmarks, const awl_buffer* visibility,
   *   awl_buffer* heatmaps, int32_t n, int32_t k, int32_t h, int32_t w, double sigma,
   *   int32_t window, int32_t off_map, int32_t device, awl_stream_t stream)
   */
  awl_gaussian: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "i32",
      "i32",
      "i32",
      "f64",
      "i32",
      "i32",
      "i32",
      "pointer",
    ],
    result: "i32",
  },
  /**
   * awlResult_t awl_argmax(const awl_buffer* heatmaps, awl_buffer* landmarks,
   *   awl_buffer* confidence, int32_t n, int32_t k, int32_t h, int32_t w, int32_t device,
   *   awl_stream_t stream)
   */
  awl_argmax: {
    parameters: ["pointer", "pointer", "pointer", "i32", "i32", "i32", "i32", "i32", "pointer"],
    result: "i32",
  },
  /** awlResult_t awl_timer_create(awl_timer** out, int32_t device) */
  awl_timer_create: { parameters: ["buffer", "i32"], result: "i32" },
  /** awlResult_t awl_timer_start(awl_timer* timer, awl_stream_t stream) */
  awl_timer_start: { parameters: ["pointer", "pointer"], result: "i32" },
  /** awlResult_t awl_timer_stop(awl_timer* timer, awl_stream_t stream, float* ms) */
  awl_timer_stop: { parameters: ["pointer", "pointer", "buffer"], result: "i32" },
  /** awlResult_t awl_timer_destroy(awl_timer* timer) */
  awl_timer_destroy: { parameters: ["pointer"], result: "i32" },
  /**
   * awlResult_t awl_host_awing(const float* pred, const float* target, const float* chan_w,
   *   float* grad, float* loss_map, int32_t n, int32_t k, int32_t h, int32_t w, float alpha,
   *   float omega, float epsilon, float theta, float map_weight, float map_threshold,
   *   float grad_scale, awl_awing_stats* stats)
   */
  awl_host_awing: {
    parameters: [
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "f32",
      "buffer",
    ],
    result: "i32",
  },
  /**
   * awlResult_t awl_host_gaussian(const float* landmarks, const float* visibility,
   *   float* heatmaps, int32_t n, int32_t k, int32_t h, int32_t w, double sigma, int32_t window,
   *   int32_t off_map)
   */
  awl_host_gaussian: {
    parameters: ["buffer", "buffer", "buffer", "i32", "i32", "i32", "i32", "f64", "i32", "i32"],
    result: "i32",
  },
  /**
   * awlResult_t awl_host_argmax(const float* heatmaps, float* landmarks, float* confidence,
   *   int32_t n, int32_t k, int32_t h, int32_t w)
   */
  awl_host_argmax: {
    parameters: ["buffer", "buffer", "buffer", "i32", "i32", "i32", "i32"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded library's symbols. */
export type Symbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
/** Bumped whenever the library is closed: handles of an older generation are gone. */
let generation = 0;
const closeHooks: Array<() => void> = [];

/** Reads an environment variable without prompting; undefined without the permission. */
export function tryGetEnv(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    return Deno.env.get(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return undefined;
    }
    throw error;
  }
}

let pathOverride: string | undefined;

/**
 * Tests only: use `path` instead of `AWL_CUDA_LIB` and the local build (undefined restores
 * them), without touching the process environment that parallel test workers share.
 */
export function overrideLibraryPath(path: string | undefined): void {
  pathOverride = path;
}

/**
 * Where the library is looked for: `AWL_CUDA_LIB`, else `build/libawing_cuda.so` of this
 * checkout (resolved from this module's URL, never from the working directory).
 */
export function libraryPath(): string {
  if (pathOverride !== undefined) return pathOverride;
  const env = tryGetEnv(ENV_VAR);
  if (env !== undefined && env !== "") return env;
  const url = new URL("../../build/libawing_cuda.so", import.meta.url);
  if (url.protocol !== "file:") {
    throw new CudaUnavailableError(
      `Cannot load CUDA library: the package was imported from ${url.origin}, so the library ` +
        `must be given by AWL_CUDA_LIB (the path of a libawing_cuda.so built with ` +
        "`deno task build:cuda` from a checkout)",
    );
  }
  return fileURLToPath(url);
}

function cString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

/** Opens the library on first use and returns its symbols. */
export function ffi(): Symbols {
  if (library !== undefined) return library.symbols;
  const path = libraryPath();
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = Deno.dlopen(path, SYMBOLS);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw error;
    }
    const text = error instanceof Error ? error.message : String(error);
    throw new CudaUnavailableError(`Cannot load CUDA library "${path}": ${text}: ${BUILD_HINT}`, {
      cause: error,
      path,
    });
  }
  const version = new Int32Array(1), abi = new Int32Array(1);
  const status = lib.symbols.awl_get_version(version, abi);
  if (status !== STATUS.success || abi[0] !== ABI_VERSION) {
    lib.close();
    throw new CudaUnavailableError(
      `Cannot load CUDA library "${path}": it speaks ABI revision ${abi[0]} but this bridge ` +
        `needs ${ABI_VERSION}: rebuild it with \`deno task build:cuda\``,
      { path },
    );
  }
  library = lib;
  return lib.symbols;
}

/** Whether the library is open. */
export function isLoaded(): boolean {
  return library !== undefined;
}

/** The current generation (bumped by every close). */
export function currentGeneration(): number {
  return generation;
}

/** Registers a callback that frees native resources right before the library closes. */
export function onClose(hook: () => void): void {
  closeHooks.push(hook);
}

/** Frees every native resource (through the hooks) and closes the library, if open. */
export function closeLibrary(): void {
  if (library === undefined) return;
  try {
    for (const hook of closeHooks) hook();
  } finally {
    library.close();
    library = undefined;
    generation++;
  }
}

/** The library's last-error text on this thread. */
export function lastError(): string {
  return library === undefined ? "" : cString(library.symbols.awl_get_last_error());
}

/** The library's text for a status code. */
export function statusText(status: number): string {
  return library === undefined ? "" : cString(library.symbols.awl_get_error_string(status));
}

/**
 * Throws for a non-zero status: {@link CudaNoDeviceError}, {@link CudaOutOfMemoryError} or
 * {@link CudaError}, with `Cannot <action>: <the library's last-error text>`.
 */
export function unwrap(status: number, action: string): void {
  if (status === STATUS.success) return;
  const detail = lastError() || statusText(status) || `status ${status}`;
  const message = `Cannot ${action}: ${detail}`;
  const options = { code: status, detail };
  if (status === STATUS.noDevice) throw new CudaNoDeviceError(message, options);
  if (status === STATUS.outOfMemory) throw new CudaOutOfMemoryError(message, options);
  throw new CudaError(message, options);
}
