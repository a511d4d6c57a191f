// Native device buffers and streams as the TypeScript side tracks them. Every live allocation
// is in one set, so that closing the library frees them all first (a handle must never outlive
// the library), and a FinalizationRegistry frees what was never disposed.
//
// Streams: each thread (the main thread and every Worker: this module's state is per isolate)
// runs all its work for a device on one stream of its own, created on first use
// (cudaStreamNonBlocking), so that copies and kernels stay in program order and the work of two
// Workers is not serialised on the legacy default stream.
//
// Reuse: a released allocation is kept (at most CACHE_LIMIT per device) and handed to the next
// request of the same size on that device, so that a loop that allocates and disposes the same
// tensors every step calls neither cudaMalloc nor cudaFree (which waits for the whole device).
// The reuse is safe because all of this thread's work on the device is on its one stream.
import { currentGeneration, ffi, isLoaded, onClose, unwrap } from "./_ffi.ts";
import { CudaOutOfMemoryError } from "./cuda_out_of_memory_error.ts";

/** One `awl_buffer*` and what the bridge knows about it. */
export interface NativeBuffer {
  readonly handle: Deno.PointerObject;
  readonly bytes: number;
  readonly device: number;
  /** The library generation it belongs to (see `_ffi.ts`). */
  readonly generation: number;
  freed: boolean;
}

/** How many released allocations each device keeps for reuse. */
export const CACHE_LIMIT = 8;

const live = new Set<NativeBuffer>();
const scratch = new Map<string, NativeBuffer>();
/** Released allocations kept for reuse, per device, oldest first. */
const cache = new Map<number, NativeBuffer[]>();
/** This thread's stream on each device. */
const streams = new Map<number, Deno.PointerObject>();

onClose(() => {
  scratch.clear();
  for (const buffer of [...live]) releaseQuietly(buffer);
  for (const device of [...cache.keys()]) quietly(() => drainCache(device));
  for (const [device, stream] of streams) {
    quietly(() => ffi().awl_stream_destroy(device, stream));
  }
  streams.clear();
});

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // a finalizer or a close has nobody to report to; the handle is gone either way
  }
}

function pointer(value: bigint, action: string, what: string): Deno.PointerObject {
  const p = Deno.UnsafePointer.create(value);
  if (p === null) throw new Error(`Cannot ${action}: the library returned a NULL ${what}`);
  return p;
}

/**
 * This thread's stream on `device`: created on first use, destroyed when the library closes.
 * All work of the bridge for the device (copies, zero fills, kernels) goes on it, in order.
 */
export function deviceStream(device: number, action: string): Deno.PointerObject {
  const known = streams.get(device);
  if (known !== undefined) return known;
  const out = new BigUint64Array(1);
  unwrap(ffi().awl_stream_create(device, out), action);
  const stream = pointer(out[0]!, action, "stream");
  streams.set(device, stream);
  return stream;
}

function nativeFree(buffer: NativeBuffer, action: string): void {
  unwrap(ffi().awl_buffer_free(buffer.handle), action);
}

/** Frees the device's kept allocations (cudaFree). */
function drainCache(device: number): void {
  const kept = cache.get(device) ?? [];
  cache.delete(device);
  for (const buffer of kept) nativeFree(buffer, "free a device buffer");
}

function nativeAlloc(bytes: number, device: number, action: string): Deno.PointerObject {
  const out = new BigUint64Array(1);
  try {
    unwrap(ffi().awl_buffer_alloc(BigInt(bytes), out, device), action);
  } catch (error) {
    if (!(error instanceof CudaOutOfMemoryError) || !cache.has(device)) throw error;
    drainCache(device); // the kept allocations may be what is missing
    unwrap(ffi().awl_buffer_alloc(BigInt(bytes), out, device), action);
  }
  return pointer(out[0]!, action, "handle");
}

/**
 * Allocates `bytes` on `device`: a kept allocation of that size when there is one, else a new
 * one. With `zero`, a zero fill is enqueued on this thread's stream (work enqueued after it on
 * that stream sees zeros); without, the contents are undefined (for outputs that a kernel or a
 * copy overwrites whole).
 */
export function allocBuffer(
  bytes: number,
  device: number,
  action: string,
  zero: boolean,
): NativeBuffer {
  const kept = cache.get(device);
  const at = kept?.findIndex((b) => b.bytes === bytes) ?? -1;
  let buffer: NativeBuffer;
  if (kept !== undefined && at >= 0) {
    buffer = kept.splice(at, 1)[0]!;
    if (kept.length === 0) cache.delete(device);
  } else {
    buffer = {
      handle: nativeAlloc(bytes, device, action),
      bytes,
      device,
      generation: currentGeneration(),
      freed: false,
    };
  }
  live.add(buffer);
  if (zero && bytes > 0) {
    try {
      unwrap(
        ffi().awl_buffer_zero(
          buffer.handle,
          0n,
          BigInt(bytes),
          device,
          deviceStream(device, action),
        ),
        action,
      );
    } catch (error) {
      releaseQuietly(buffer);
      throw error;
    }
  }
  return buffer;
}

/**
 * Releases a buffer once: a no-op when it was released already or the library was closed. The
 * allocation is kept for reuse (the oldest kept one of its device is freed when there are more
 * than {@link CACHE_LIMIT}); one of 0 bytes is freed.
 */
export function freeBuffer(buffer: NativeBuffer, action: string): void {
  if (buffer.freed) return;
  buffer.freed = true;
  live.delete(buffer);
  if (!isLoaded() || buffer.generation !== currentGeneration()) return;
  if (buffer.bytes === 0) return nativeFree(buffer, action);
  const kept = cache.get(buffer.device) ?? [];
  cache.set(buffer.device, kept);
  // a fresh record: the released one stays freed for whoever still holds it
  kept.push({ ...buffer, freed: false });
  if (kept.length > CACHE_LIMIT) nativeFree(kept.shift()!, action);
}

function releaseQuietly(buffer: NativeBuffer): void {
  quietly(() => freeBuffer(buffer, "free a device buffer"));
}

/** Releases buffers whose owner was garbage-collected without dispose(). */
export const finalizer: FinalizationRegistry<NativeBuffer> = new FinalizationRegistry(
  releaseQuietly,
);

/** Number of buffers in use (tests). */
export function liveBuffers(): number {
  return live.size;
}

/** Number of released allocations kept for reuse (tests). */
export function keptBuffers(): number {
  return [...cache.values()].reduce((sum, kept) => sum + kept.length, 0);
}

/**
 * Copies `data` to the buffer at `byteOffset` on this thread's stream. Returns once `data` may
 * be reused and the copy has completed (the library waits for the stream). Empty data never
 * reaches native code.
 */
export function copyToDevice(
  buffer: NativeBuffer,
  data: ArrayBufferView,
  byteOffset: number,
  action: string,
): void {
  if (data.byteLength === 0) return;
  const stream = deviceStream(buffer.device, action);
  unwrap(
    ffi().awl_copy_htod(
      buffer.handle,
      BigInt(byteOffset),
      data,
      BigInt(data.byteLength),
      buffer.device,
      stream,
    ),
    action,
  );
}

/** Copies `out.byteLength` bytes from the buffer at `byteOffset` into `out`, after all work
 * enqueued before on this thread's stream has completed. */
export function copyToHost(
  out: ArrayBufferView,
  buffer: NativeBuffer,
  byteOffset: number,
  action: string,
): void {
  if (out.byteLength === 0) return;
  const stream = deviceStream(buffer.device, action);
  unwrap(
    ffi().awl_copy_dtoh(
      out,
      buffer.handle,
      BigInt(byteOffset),
      BigInt(out.byteLength),
      buffer.device,
      stream,
    ),
    action,
  );
}

/**
 * A grow-only scratch buffer of at least `bytes`, one per device and purpose (the loss's
 * workspace, uploaded landmark weights...), reused across calls on this thread's stream and
 * freed when the library closes. Its contents are undefined.
 */
export function scratchBuffer(
  device: number,
  purpose: string,
  bytes: number,
  action: string,
): NativeBuffer {
  const key = `${device}:${purpose}`;
  const current = scratch.get(key);
  if (current !== undefined && !current.freed && current.bytes >= bytes) return current;
  if (current !== undefined) {
    scratch.delete(key);
    freeBuffer(current, action);
  }
  const buffer = allocBuffer(Math.max(bytes, 256), device, action, false);
  scratch.set(key, buffer);
  return buffer;
}

/**
 * The scratch workspace of an operation, sized by the library: `query` asks for the bytes
 * (e.g. `awl_awing_workspace_bytes`) and returns its status. null when it needs none.
 */
export function workspaceBuffer(
  device: number,
  purpose: string,
  query: (bytes: BigUint64Array) => number,
  action: string,
): NativeBuffer | null {
  const bytes = new BigUint64Array(1);
  unwrap(query(bytes), action);
  return bytes[0] === 0n ? null : scratchBuffer(device, purpose, Number(bytes[0]), action);
}

const owners = new WeakMap<object, NativeBuffer>();

/** Binds a tensor object to its buffer (see {@link ownedBuffer}). */
export function bindOwner(owner: object, buffer: NativeBuffer): void {
  owners.set(owner, buffer);
}

/**
 * The live buffer of a device tensor passed as argument `name`; a TypeError when `value` is no
 * device tensor or was disposed.
 */
export function ownedBuffer(value: unknown, name: string, action: string): NativeBuffer {
  const buffer = typeof value === "object" && value !== null ? owners.get(value) : undefined;
  if (buffer === undefined) {
    throw new TypeError(`Cannot ${action}: "${name}" must be a DeviceTensor`);
  }
  if (buffer.freed) {
    throw new TypeError(`Cannot ${action}: "${name}" was disposed`);
  }
  return buffer;
}

/** The options key (never exported from the package) of {@link withoutZeroFill}. */
const SKIP_ZERO_FILL = Symbol("awing: skip the zero fill");

/**
 * `options` of a DeviceTensor with a key, unknown outside the bridge, that asks for no zero
 * fill: for outputs that a kernel or an upload overwrites whole.
 */
export function withoutZeroFill<T extends object>(options: T): T {
  return { ...options, [SKIP_ZERO_FILL]: true };
}

/** Whether `options` came from {@link withoutZeroFill}. */
export function skipsZeroFill(options: object): boolean {
  return (options as { [SKIP_ZERO_FILL]?: boolean })[SKIP_ZERO_FILL] === true;
}
