// The one probe of whether and where CUDA can run here, behind isCudaAvailable and
// selectBackend. It lists the devices without creating a context on any of them, leaves out the
// ones the library has no code for, and touches (creates a context on) only the device it
// picks: the requested one, or else the first supported one that initialises, so that a GPU
// held by another process in exclusive-process mode does not hide a free one.
import { ffi, isLoaded, libraryPath, libraryTargets, STATUS, unwrap } from "./_ffi.ts";
import { parseTargets } from "./_targets.ts";
import { closeCuda } from "./close_cuda.ts";
import { type CudaDeviceInfo, cudaDevices } from "./cuda_devices.ts";
import { CudaError } from "./cuda_error.ts";
import { CudaNoDeviceError } from "./cuda_no_device_error.ts";
import { CudaUnavailableError } from "./cuda_unavailable_error.ts";

/** The device a probe picked, initialised. */
export interface CudaChoice {
  /** The device, as listed. */
  info: CudaDeviceInfo;
  /** Its free memory in bytes when it was initialised. */
  freeMemory: number;
  /** The code it runs, e.g. `"sm_90 machine code"`. */
  code: string;
  /** Why devices before it were passed over, e.g. `"device 0 (Tesla V100): ..."`. */
  skipped: string[];
}

/** What {@link probeCuda} found: the device it picked, or why CUDA cannot run here. */
export type CudaProbe =
  | { ok: true; choice: CudaChoice }
  | { ok: false; reason: string };

type Decision =
  | { ok: true; choice: CudaChoice }
  | { ok: false; reason: string; missing?: { device: number; count: number } };

function label(d: CudaDeviceInfo): string {
  return `device ${d.index} (${d.name}, compute capability ${d.computeCapability})`;
}

/** Initialises one device (its first context); the code it runs, or why it cannot be used. */
function touch(
  d: CudaDeviceInfo,
  targets: string,
  action: string,
): { free: number; code: string } | string {
  const free = new BigUint64Array(1), total = new BigUint64Array(1);
  const binary = new Int32Array(1), ptx = new Int32Array(1);
  try {
    unwrap(ffi().awl_device_init(d.index, free, total, binary, ptx), action);
  } catch (error) {
    if (!(error instanceof CudaError)) throw error;
    return `${label(d)} cannot be used: ${error.detail}`;
  }
  const b = binary[0]!, p = ptx[0]!;
  const machine = parseTargets(targets).some((t) => t.kind === "sm" && t.text === `sm_${b}`);
  const code = machine
    ? `sm_${b} machine code`
    : `compute_${p} PTX compiled by the driver for sm_${b}`;
  return { free: Number(free[0]), code };
}

/**
 * Lists the devices and picks one: `device` when given, else each supported device in order
 * until one initialises. Only the picked device (and the ones before it that failed to
 * initialise) are touched. Throws what loading the library and listing the devices throw.
 */
function decide(device: number | undefined, action: string): Decision {
  const devices = cudaDevices();
  if (device !== undefined && device >= devices.length) {
    return {
      ok: false,
      reason: `CUDA device ${device} does not exist (${devices.length} found)`,
      missing: { device, count: devices.length },
    };
  }
  const targets = libraryTargets(action);
  const skipped: string[] = [];
  for (const d of device === undefined ? devices : [devices[device]!]) {
    if (!d.supported) {
      skipped.push(`${label(d)}: ${d.unsupportedReason}`);
      continue;
    }
    const touched = touch(d, targets, action);
    if (typeof touched === "string") {
      skipped.push(touched);
      continue;
    }
    return { ok: true, choice: { info: d, freeMemory: touched.free, code: touched.code, skipped } };
  }
  return { ok: false, reason: `no CUDA device the library can use: ${skipped.join("; ")}` };
}

/**
 * The device that `selectBackend({ backend: "cuda" })` uses, initialised.
 *
 * @throws {RangeError} When `device` does not exist.
 * @throws {CudaNoDeviceError} When no device (or not `device`) can be used, with every reason.
 * @throws {CudaUnavailableError} When the library cannot be loaded.
 */
export function chooseCudaDevice(device: number | undefined, action: string): CudaChoice {
  const decision = decide(device, action);
  if (decision.ok) return decision.choice;
  if (decision.missing !== undefined) {
    const { device: d, count } = decision.missing;
    throw new RangeError(
      `Cannot ${action} as device must be < ${count} (the number of CUDA devices): current value is ${d}`,
    );
  }
  throw new CudaNoDeviceError(`Cannot ${action}: ${decision.reason}`, {
    code: STATUS.noDevice,
    detail: decision.reason,
  });
}

function unavailableReason(error: CudaUnavailableError): string {
  if (error.path !== undefined && /No such file or directory/.test(error.message)) {
    return `CUDA library not found at ${error.path} (build it with \`deno task build:cuda\` or ` +
      "set AWL_CUDA_LIB)";
  }
  return error.message;
}

/**
 * Whether and where the CUDA path can run: FFI permission for the library, the library loads,
 * and a device it supports initialises (`device`, or the first such device). Never throws for
 * a missing library, device or permission and never prompts; when it loaded the library only
 * to find no device it can use, it unloads it again.
 */
export function probeCuda(device?: number): CudaProbe {
  const wasLoaded = isLoaded();
  try {
    const path = libraryPath();
    if (!wasLoaded && Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") {
      return { ok: false, reason: `no FFI permission for "${path}" (run with --allow-ffi)` };
    }
    const decision = decide(device, "probe CUDA");
    if (!decision.ok && !wasLoaded) closeCuda();
    return decision.ok ? decision : { ok: false, reason: decision.reason };
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
    if (error instanceof CudaError) {
      if (!wasLoaded) closeCuda();
      return { ok: false, reason: `CUDA failed while listing devices (${error.detail})` };
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      if (!wasLoaded) closeCuda();
      return { ok: false, reason: error.message };
    }
    throw error;
  }
}
