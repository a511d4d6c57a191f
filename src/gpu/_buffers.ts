// Native device buffers as the TypeScript side tracks them: every live allocation is in one
// set, so that closing the library frees them all first (a handle must never outlive the
// library), and a FinalizationRegistry frees what was never disposed.
import { currentGeneration, ffi, isLoaded, onClose, unwrap } from "./_ffi.ts";

/** One `awl_buffer*` and what the bridge knows about it. */
export interface NativeBuffer {
  readonly handle: Deno.PointerObject;
  readonly bytes: number;
  readonly device: number;
  /** The library generation it belongs to (see `_ffi.ts`). */
  readonly generation: number;
  freed: boolean;
}

const live = new Set<NativeBuffer>();
const scratch = new Map<string, NativeBuffer>();

onClose(() => {
  scratch.clear();
  for (const buffer of [...live]) releaseQuietly(buffer);
});

/** Allocates `bytes` (zero-filled) on `device`. */
export function allocBuffer(bytes: number, device: number, action: string): NativeBuffer {
  const symbols = ffi();
  const out = new BigUint64Array(1);
  unwrap(symbols.awl_buffer_alloc(BigInt(bytes), out, device), action);
  const handle = Deno.UnsafePointer.create(out[0]!);
  if (handle === null) throw new Error(`Cannot ${action}: the library returned a NULL handle`);
  const buffer: NativeBuffer = {
    handle,
    bytes,
    device,
    generation: currentGeneration(),
    freed: false,
  };
  live.add(buffer);
  return buffer;
}

/** Frees a buffer once; a no-op when it was freed already or the library was closed. */
export function freeBuffer(buffer: NativeBuffer, action: string): void {
  if (buffer.freed) return;
  buffer.freed = true;
  live.delete(buffer);
  if (!isLoaded() || buffer.generation !== currentGeneration()) return;
  unwrap(ffi().awl_buffer_free(buffer.handle), action);
}

function releaseQuietly(buffer: NativeBuffer): void {
  try {
    freeBuffer(buffer, "free a device buffer");
  } catch {
    // a finalizer or a close has nobody to report to; the handle is gone either way
  }
}

/** Frees buffers whose owner was garbage-collected without dispose(). */
export const finalizer: FinalizationRegistry<NativeBuffer> = new FinalizationRegistry(
  releaseQuietly,
);

/** Number of live native buffers (tests). */
export function liveBuffers(): number {
  return live.size;
}

/**
 * Copies `data` to the buffer at `byteOffset`. Returns once `data` may be reused (the library
 * copies synchronously with respect to host memory). Empty data never reaches native code.
 */
export function copyToDevice(
  buffer: NativeBuffer,
  data: ArrayBufferView,
  byteOffset: number,
  action: string,
): void {
  if (data.byteLength === 0) return;
  unwrap(
    ffi().awl_copy_htod(
      buffer.handle,
      BigInt(byteOffset),
      data,
      BigInt(data.byteLength),
      buffer.device,
      null,
    ),
    action,
  );
}

/** Copies `out.byteLength` bytes from the buffer at `byteOffset` into `out`; waits for all
 * work enqueued before on the default stream. */
export function copyToHost(
  out: ArrayBufferView,
  buffer: NativeBuffer,
  byteOffset: number,
  action: string,
): void {
  if (out.byteLength === 0) return;
  unwrap(
    ffi().awl_copy_dtoh(
      out,
      buffer.handle,
      BigInt(byteOffset),
      BigInt(out.byteLength),
      buffer.device,
      null,
    ),
    action,
  );
}

/**
 * A grow-only scratch buffer of at least `bytes`, one per device and purpose (the loss's
 * workspace, uploaded landmark weights...), reused across calls on the default stream and
 * freed when the library closes.
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
  const buffer = allocBuffer(Math.max(bytes, 256), device, action);
  scratch.set(key, buffer);
  return buffer;
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
