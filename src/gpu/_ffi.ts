// The one FFI symbol table of the awing CUDA library (src/cuda/awing.h), its lazy loader and
// the status check every native call goes through. Importing this module never calls
// Deno.dlopen: the library is opened on first use and closed by closeLibrary().
import { fileURLToPath } from "node:url";
import { CudaError } from "./cuda_error.ts";
import { CudaNoDeviceError } from "./cuda_no_device_error.ts";
import { CudaOutOfMemoryError } from "./cuda_out_of_memory_error.ts";
import { CudaUnavailableError } from "./cuda_unavailable_error.ts";
import { STATUS } from "./_status.ts";

export { STATUS } from "./_status.ts";

/** The ABI revision this bridge speaks (`AWL_ABI_VERSION`). */
export const ABI_VERSION = 3;
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

// Parameter lists, each entry annotated with its C declaration in src/cuda/awing.h
// (tests/abi_test.ts compares them with the header's prototypes).
const SHAPE = [
  "i32", // int32_t n
  "i32", // int32_t k
  "i32", // int32_t h
  "i32", // int32_t w
] as const;
const AWING_SCALARS = [
  ...SHAPE,
  "f32", // float alpha
  "f32", // float omega
  "f32", // float epsilon
  "f32", // float theta
  "f32", // float map_weight
  "f32", // float map_threshold
  "f32", // float grad_scale
] as const;
const GAUSSIAN_SCALARS = [
  ...SHAPE,
  "f64", // double sigma
  "i32", // int32_t window
  "i32", // int32_t off_map
] as const;
const ON_STREAM = [
  "i32", // int32_t device
  "pointer", // awl_stream_t stream
] as const;

/**
 * The library's symbols; every one returns an `awlResult_t` (i32) but the two error-text
 * getters. `stream` arguments are a cudaStream_t or null (the default stream).
 */
export const SYMBOLS = {
  awl_get_error_string: {
    parameters: [
      "i32", // awlResult_t status
    ],
    result: "pointer", // const char*
  },
  awl_get_last_error: { parameters: [], result: "pointer" /* const char* */ },
  awl_get_version: {
    parameters: [
      "buffer", // int32_t* version
      "buffer", // int32_t* abi
    ],
    result: "i32",
  },
  awl_device_count: {
    parameters: [
      "buffer", // int32_t* count
    ],
    result: "i32",
  },
  awl_device_properties: {
    parameters: [
      "i32", // int32_t device
      "buffer", // char* name
      "i32", // int32_t capacity
      "buffer", // int32_t* major
      "buffer", // int32_t* minor
      "buffer", // int32_t* compute_mode
      "buffer", // uint64_t* total_bytes
    ],
    result: "i32",
  },
  awl_build_targets: {
    parameters: [
      "buffer", // char* text
      "i32", // int32_t capacity
    ],
    result: "i32",
  },
  awl_device_init: {
    parameters: [
      "i32", // int32_t device
      "buffer", // uint64_t* free_bytes
      "buffer", // uint64_t* total_bytes
      "buffer", // int32_t* binary_version
      "buffer", // int32_t* ptx_version
    ],
    result: "i32",
  },
  awl_stream_create: {
    parameters: [
      "i32", // int32_t device
      "buffer", // awl_stream_t* out
    ],
    result: "i32",
  },
  awl_stream_destroy: {
    parameters: [
      "i32", // int32_t device
      "pointer", // awl_stream_t stream
    ],
    result: "i32",
  },
  awl_buffer_alloc: {
    parameters: [
      "u64", // uint64_t bytes
      "buffer", // awl_buffer** out
      "i32", // int32_t device
    ],
    result: "i32",
  },
  awl_buffer_free: {
    parameters: [
      "pointer", // awl_buffer* buffer
    ],
    result: "i32",
  },
  awl_buffer_zero: {
    parameters: [
      "pointer", // awl_buffer* buffer
      "u64", // uint64_t offset
      "u64", // uint64_t bytes
      ...ON_STREAM,
    ],
    result: "i32",
  },
  awl_copy_htod: {
    parameters: [
      "pointer", // awl_buffer* dst
      "u64", // uint64_t dst_offset
      "buffer", // const void* src
      "u64", // uint64_t bytes
      ...ON_STREAM,
    ],
    result: "i32",
  },
  awl_copy_dtoh: {
    parameters: [
      "buffer", // void* dst
      "pointer", // const awl_buffer* src
      "u64", // uint64_t src_offset
      "u64", // uint64_t bytes
      ...ON_STREAM,
    ],
    result: "i32",
  },
  awl_awing_workspace_bytes: {
    parameters: [
      ...SHAPE,
      "buffer", // uint64_t* bytes
    ],
    result: "i32",
  },
  awl_awing: {
    parameters: [
      "pointer", // const awl_buffer* pred
      "pointer", // const awl_buffer* target
      "pointer", // const awl_buffer* chan_w
      "pointer", // awl_buffer* grad
      "pointer", // awl_buffer* loss_map
      "pointer", // awl_buffer* workspace
      ...AWING_SCALARS,
      ...ON_STREAM,
    ],
    result: "i32",
  },
  awl_gaussian: {
    parameters: [
      "pointer", // const awl_buffer* landmarks
      "pointer", // const awl_buffer* visibility
      "pointer", // awl_buffer* heatmaps
      ...GAUSSIAN_SCALARS,
      ...ON_STREAM,
    ],
    result: "i32",
  },
  awl_argmax_workspace_bytes: {
    parameters: [
      ...SHAPE,
      "buffer", // uint64_t* bytes
    ],
    result: "i32",
  },
  awl_argmax: {
    parameters: [
      "pointer", // const awl_buffer* heatmaps
      "pointer", // awl_buffer* landmarks
      "pointer", // awl_buffer* confidence
      "pointer", // awl_buffer* workspace
      ...SHAPE,
      ...ON_STREAM,
    ],
    result: "i32",
  },
  awl_timer_create: {
    parameters: [
      "buffer", // awl_timer** out
      "i32", // int32_t device
    ],
    result: "i32",
  },
  awl_timer_start: {
    parameters: [
      "pointer", // awl_timer* timer
      "pointer", // awl_stream_t stream
    ],
    result: "i32",
  },
  awl_timer_stop: {
    parameters: [
      "pointer", // awl_timer* timer
      "pointer", // awl_stream_t stream
      "buffer", // float* ms
    ],
    result: "i32",
  },
  awl_timer_destroy: {
    parameters: [
      "pointer", // awl_timer* timer
    ],
    result: "i32",
  },
  awl_host_awing: {
    parameters: [
      "buffer", // const float* pred
      "buffer", // const float* target
      "buffer", // const float* chan_w
      "buffer", // float* grad
      "buffer", // float* loss_map
      ...AWING_SCALARS,
      "buffer", // awl_awing_stats* stats
    ],
    result: "i32",
  },
  awl_host_gaussian: {
    parameters: [
      "buffer", // const float* landmarks
      "buffer", // const float* visibility
      "buffer", // float* heatmaps
      ...GAUSSIAN_SCALARS,
    ],
    result: "i32",
  },
  awl_host_argmax: {
    parameters: [
      "buffer", // const float* heatmaps
      "buffer", // float* landmarks
      "buffer", // float* confidence
      ...SHAPE,
      "i32", // int32_t parts
    ],
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

/** The text of a NUL-terminated C string written into `bytes` (all of it when there is no NUL). */
export function cText(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
}

/** The loaded library's build targets, such as `"sm_75 sm_80 sm_90 compute_75"` (`""` when the
 * build did not record them). */
export function libraryTargets(action: string): string {
  const text = new Uint8Array(256);
  unwrap(ffi().awl_build_targets(text, text.length), action);
  return cText(text);
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

/**
 * Tests only: `lib` stands in for the library until {@link closeLibrary} (a fake whose symbols
 * record their calls, tests/_fake_cuda.ts), so that the bridge's calls can be checked without a
 * GPU.
 */
export function useLibraryForTests(
  lib: Pick<Deno.DynamicLibrary<typeof SYMBOLS>, "symbols" | "close">,
): void {
  if (library !== undefined) throw new Error("Cannot use a stand-in library: one is loaded");
  library = lib as Deno.DynamicLibrary<typeof SYMBOLS>;
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
