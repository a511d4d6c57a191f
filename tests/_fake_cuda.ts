// A stand-in for the CUDA library: the symbols of src/gpu/_ffi.ts as JavaScript functions over
// made-up devices, each call recorded, so that tests without a GPU can check which native calls
// the bridge makes (which device it initialises, which stream it uses, what it allocates and
// frees) and how it decides. Installed with useLibraryForTests; closeCuda() uninstalls it.
import { STATUS, SYMBOLS, type Symbols, useLibraryForTests } from "../src/gpu/_ffi.ts";

/** A made-up device. */
export interface FakeDevice {
  /** Its name; "" makes awl_device_properties fail with AWL_ERR_CUDA. */
  name: string;
  /** Compute capability [major, minor]. */
  cc: [number, number];
  /** cudaComputeMode: 0 default (the default), 2 prohibited, 3 exclusive-process. */
  computeMode?: number;
  /** Held by another process: initialising it fails with cudaErrorDevicesUnavailable. */
  busy?: boolean;
  /** What awl_device_init reports: [binary_version, ptx_version]; defaults to [cc, cc]. */
  code?: [number, number];
  /** Bytes the device can hold (default 2^40). */
  memory?: number;
}

/** One recorded call: the symbol and its scalar arguments (pointers as addresses). */
export interface FakeCall {
  name: string;
  args: (number | bigint | null | "buffer")[];
}

/** The stand-in and what it saw. */
export interface FakeCuda {
  calls: FakeCall[];
  /** The calls of one symbol. */
  of(name: string): FakeCall[];
  /** Bytes allocated now, per device. */
  allocated: Map<number, number>;
  /** The streams awl_stream_create made, in order. */
  streams: bigint[];
}

const encoder = new TextEncoder();

function writeText(out: Uint8Array, capacity: number, text: string): void {
  const bytes = encoder.encode(text).subarray(0, capacity - 1);
  out.set(bytes);
  out[bytes.length] = 0;
}

/**
 * Installs a stand-in library with these devices and build targets (`""`: unrecorded). The
 * FFI permission is needed (pointers are made with Deno.UnsafePointer).
 */
export function useFakeCuda(
  devices: readonly FakeDevice[],
  targets = "sm_75 sm_80 sm_90 compute_75",
): FakeCuda {
  const calls: FakeCall[] = [];
  const allocated = new Map<number, number>();
  const streams: bigint[] = [];
  const buffers = new Map<bigint, { bytes: number; device: number }>();
  let next = 0x1000n;
  let lastError = encoder.encode("no error\0");
  const texts: Uint8Array[] = []; // kept alive while their pointers are in use

  const fail = (status: number, text: string): number => {
    lastError = encoder.encode(`${text}\0`);
    return status;
  };
  const address = (p: unknown): bigint =>
    p === null ? 0n : Deno.UnsafePointer.value(p as Deno.PointerObject);
  const record = (name: string, args: unknown[]): void => {
    calls.push({
      name,
      args: args.map((a) =>
        typeof a === "number" || typeof a === "bigint"
          ? a
          : a === null
          ? null
          : ArrayBuffer.isView(a)
          ? "buffer"
          : address(a)
      ),
    });
  };
  const checkDevice = (device: number): number | undefined =>
    device >= 0 && device < devices.length
      ? undefined
      : fail(STATUS.invalidArg, `device ${device} does not exist (fake)`);

  /** A workspace query (n, k, h, w, bytes) that answers `size`. */
  const workspace =
    (size: bigint) =>
    (_n: number, _k: number, _h: number, _w: number, bytes: BigUint64Array): number => {
      bytes[0] = size;
      return STATUS.success;
    };
  const impl: Record<string, (...args: never[]) => unknown> = {
    awl_get_error_string(): Deno.PointerValue {
      const text = encoder.encode("fake status\0");
      texts.push(text);
      return Deno.UnsafePointer.of(text);
    },
    awl_get_last_error(): Deno.PointerValue {
      texts.push(lastError);
      return Deno.UnsafePointer.of(lastError);
    },
    awl_device_count(count: Int32Array): number {
      count[0] = devices.length;
      return devices.length === 0
        ? fail(STATUS.noDevice, "no CUDA device: cudaGetDeviceCount reported 0 devices (fake)")
        : STATUS.success;
    },
    awl_device_properties(
      device: number,
      name: Uint8Array,
      capacity: number,
      major: Int32Array,
      minor: Int32Array,
      mode: Int32Array,
      total: BigUint64Array,
    ): number {
      const d = devices[device];
      if (d === undefined) return checkDevice(device)!;
      if (d.name === "") return fail(STATUS.cuda, "cudaGetDeviceProperties failed (fake)");
      writeText(name, capacity, d.name);
      [major[0], minor[0]] = d.cc;
      mode[0] = d.computeMode ?? 0;
      total[0] = BigInt(d.memory ?? 2 ** 40);
      return STATUS.success;
    },
    awl_build_targets(text: Uint8Array, capacity: number): number {
      writeText(text, capacity, targets);
      return STATUS.success;
    },
    awl_device_init(
      device: number,
      free: BigUint64Array,
      total: BigUint64Array,
      binary: Int32Array,
      ptx: Int32Array,
    ): number {
      const d = devices[device];
      if (d === undefined) return checkDevice(device)!;
      if (d.busy) {
        return fail(
          STATUS.cuda,
          "cudaSetDevice(device) failed: cudaErrorDevicesUnavailable: CUDA-capable device(s) " +
            "is/are busy or unavailable (fake)",
        );
      }
      const memory = d.memory ?? 2 ** 40;
      free[0] = BigInt(memory - (allocated.get(device) ?? 0));
      total[0] = BigInt(memory);
      const cc = 10 * d.cc[0] + d.cc[1];
      [binary[0], ptx[0]] = d.code ?? [cc, cc];
      return STATUS.success;
    },
    awl_stream_create(device: number, out: BigUint64Array): number {
      const bad = checkDevice(device);
      if (bad !== undefined) return bad;
      out[0] = next;
      streams.push(next);
      next += 0x100n;
      return STATUS.success;
    },
    awl_stream_destroy(): number {
      return STATUS.success;
    },
    awl_buffer_alloc(bytes: bigint, out: BigUint64Array, device: number): number {
      const bad = checkDevice(device);
      if (bad !== undefined) return bad;
      const used = allocated.get(device) ?? 0;
      if (used + Number(bytes) > (devices[device]!.memory ?? 2 ** 40)) {
        return fail(STATUS.outOfMemory, `cudaMalloc of ${bytes} bytes failed (fake)`);
      }
      allocated.set(device, used + Number(bytes));
      buffers.set(next, { bytes: Number(bytes), device });
      out[0] = next;
      next += 0x100n;
      return STATUS.success;
    },
    awl_buffer_free(handle: Deno.PointerValue): number {
      const b = buffers.get(address(handle));
      if (b === undefined) return fail(STATUS.invalidArg, "unknown buffer (fake)");
      buffers.delete(address(handle));
      allocated.set(b.device, allocated.get(b.device)! - b.bytes);
      return STATUS.success;
    },
    awl_copy_dtoh(dst: Uint8Array): number {
      new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).fill(0);
      return STATUS.success;
    },
    awl_awing_workspace_bytes: workspace(1024n),
    awl_argmax_workspace_bytes: workspace(0n),
  };
  const symbols = new Proxy({}, {
    get(_, name: string): (...args: never[]) => unknown {
      if (!(name in SYMBOLS)) throw new Error(`the library has no symbol ${name}`);
      return (...args: never[]): unknown => {
        record(name, args);
        return impl[name]?.(...args) ?? STATUS.success;
      };
    },
  }) as Symbols;
  useLibraryForTests({ symbols, close(): void {} });
  return { calls, allocated, streams, of: (name) => calls.filter((c) => c.name === name) };
}
