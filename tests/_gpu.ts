// Whether the CUDA tests can run here: the library built by `deno task build:cuda` (or named
// by AWL_CUDA_LIB), the permissions to read and load it, and a device. Asked once per test
// file, after that file has checked that importing never loads the library; the library is
// unloaded again afterwards.
import { libraryPath } from "../src/gpu/_ffi.ts";
import { closeCuda, isCudaAvailable } from "../src/gpu/mod.ts";

/** What the CUDA tests of this machine can use. */
export interface CudaTestStatus {
  /** Where the library is looked for. */
  lib: string;
  /** Whether the library file exists and may be read and loaded. */
  haveLib: boolean;
  /** Whether it loads and a device it supports initialises. */
  gpu: boolean;
  /** Suffix naming why library tests are skipped ("" when they run): a missing permission
   * (named), or a missing library. */
  noLib: string;
  /** Suffix naming why GPU tests are skipped ("" when they run). */
  noGpu: string;
}

/** The permission flags missing to read and load the library at `lib`, e.g. `--allow-ffi`. */
export function missingPermissions(lib: string): string[] {
  const missing: string[] = [];
  for (const name of ["read", "ffi"] as const) {
    if (Deno.permissions.querySync({ name, path: lib }).state !== "granted") {
      missing.push(`--allow-${name}`);
    }
  }
  return missing;
}

/** Probes the library and the device (loading and unloading the library). */
export function cudaTestStatus(): CudaTestStatus {
  const lib = libraryPath();
  const missing = missingPermissions(lib);
  let found = false;
  if (missing.length === 0) {
    try {
      found = Deno.statSync(lib).isFile;
    } catch {
      found = false;
    }
  }
  const haveLib = missing.length === 0 && found;
  const gpu = haveLib && isCudaAvailable();
  closeCuda();
  const noLib = missing.length > 0
    ? ` (skipped: needs ${missing.join(" ")} for ${lib})`
    : found
    ? ""
    : ` (skipped: ${lib} not found; run deno task build:cuda)`;
  const noGpu = gpu ? "" : haveLib ? " (skipped: no CUDA device)" : noLib;
  return { lib, haveLib, gpu, noLib, noGpu };
}

/**
 * A test of the CUDA library, skipped when `ignore` is true: it unloads the library after
 * `fn`, however `fn` ends (the resource sanitizer checks each test on its own).
 */
export function cudaTest(name: string, ignore: boolean, fn: () => void): void {
  Deno.test({
    name,
    ignore,
    fn(): void {
      try {
        fn();
      } finally {
        closeCuda();
      }
    },
  });
}
