// Whether the CUDA tests can run here: the library built by `deno task build:cuda` (or named
// by AWL_CUDA_LIB) and a device. Asked once per test file, after that file has checked that
// importing never loads the library; the library is unloaded again afterwards.
import { libraryPath } from "../src/gpu/_ffi.ts";
import { closeCuda, isCudaAvailable } from "../src/gpu/mod.ts";

/** What the CUDA tests of this machine can use. */
export interface CudaTestStatus {
  /** Where the library is looked for. */
  lib: string;
  /** Whether the library file exists. */
  haveLib: boolean;
  /** Whether it loads and sees a device. */
  gpu: boolean;
  /** Suffix naming why library tests are skipped ("" when they run). */
  noLib: string;
}

/** Probes the library and the device (loading and unloading the library). */
export function cudaTestStatus(): CudaTestStatus {
  const lib = libraryPath();
  let haveLib = false;
  try {
    haveLib = Deno.statSync(lib).isFile;
  } catch {
    haveLib = false;
  }
  const gpu = haveLib && isCudaAvailable();
  closeCuda();
  const noLib = haveLib ? "" : ` (skipped: ${lib} not found; run deno task build:cuda)`;
  return { lib, haveLib, gpu, noLib };
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
