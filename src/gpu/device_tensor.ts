import { checkDims } from "../_validate.ts";
import {
  allocBuffer,
  bindOwner,
  copyToDevice,
  copyToHost,
  finalizer,
  freeBuffer,
  type NativeBuffer,
  skipsZeroFill,
  withoutZeroFill,
} from "./_buffers.ts";

/** Options of {@link DeviceTensor}. */
export interface DeviceTensorOptions {
  /** The CUDA device to allocate on. Defaults to 0. */
  device?: number | undefined;
}

const ACTION = "allocate a device tensor";

function checkShape(shape: readonly number[]): number {
  if (!Array.isArray(shape)) {
    throw new TypeError(`Cannot ${ACTION}: "shape" must be an array of sizes`);
  }
  const size = checkDims(shape, "shape", ACTION);
  if (size * 4 > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`Cannot ${ACTION}: shape ${JSON.stringify(shape)} is too large`);
  }
  return size;
}

/**
 * A float32 tensor in GPU memory, owned by the awing CUDA library: a shape, a device and an
 * allocation (zero-filled). Move data with {@link DeviceTensor.upload} and
 * {@link DeviceTensor.download}; release it with `using`, {@link DeviceTensor.dispose} (safe to
 * call twice) or, as a backstop, when it is garbage-collected. A released allocation is kept
 * for the next tensor of the same size on the device (at most 8 per device), so that a loop
 * that makes and disposes the same tensors every step allocates nothing after its first step;
 * `closeCuda()` frees every tensor still alive and every kept allocation.
 *
 * All work of a thread (the main thread or a Worker) for one device runs, in order, on one
 * CUDA stream of that thread; {@link DeviceTensor.upload} and {@link DeviceTensor.download}
 * wait for it.
 *
 * The first tensor loads the library (`--allow-ffi`; the library comes from `AWL_CUDA_LIB` or
 * the checkout's `build/libawing_cuda.so`, built by `deno task build:cuda`).
 *
 * @example Round trip through the GPU
 * ```ts ignore
 * import { closeCuda, DeviceTensor } from "@facealign/awing/gpu";
 * import { deepEqual } from "node:assert/strict";
 * {
 *   using t = DeviceTensor.from(new Float32Array([1, 2, 3, 4]), [2, 2]);
 *   deepEqual(Array.from(t.download()), [1, 2, 3, 4]);
 * }
 * closeCuda();
 * ```
 */
export class DeviceTensor implements Disposable {
  /** The shape, row-major. */
  readonly shape: readonly number[];
  /** Number of elements: the product of the shape. */
  readonly size: number;
  /** The CUDA device holding the data. */
  readonly device: number;
  #buffer: NativeBuffer;

  /**
   * Allocates a zero-filled tensor (the fill is enqueued on this thread's stream, before any
   * later work on the tensor).
   *
   * @param shape The sizes of its dimensions (non-negative integers).
   * @param options The device.
   * @throws {TypeError} For a malformed shape.
   * @throws {RangeError} For a negative or non-integer device.
   * @throws {CudaUnavailableError} When the library cannot be loaded.
   * @throws {CudaNoDeviceError} When there is no CUDA device.
   * @throws {CudaOutOfMemoryError} When the device cannot hold it.
   */
  constructor(shape: readonly number[], options: DeviceTensorOptions = {}) {
    const device = options.device ?? 0;
    if (!Number.isInteger(device) || device < 0) {
      throw new RangeError(
        `Cannot ${ACTION} as device must be a non-negative integer: current value is ${device}`,
      );
    }
    this.size = checkShape(shape);
    this.shape = Object.freeze([...shape]);
    this.device = device;
    this.#buffer = allocBuffer(this.size * 4, device, ACTION, !skipsZeroFill(options));
    bindOwner(this, this.#buffer);
    finalizer.register(this, this.#buffer, this);
  }

  /**
   * A new tensor holding a copy of `data`.
   *
   * @example
   * ```ts ignore
   * import { closeCuda, DeviceTensor } from "@facealign/awing/gpu";
   * import { deepEqual } from "node:assert/strict";
   * using t = DeviceTensor.from(new Float32Array(6), [1, 2, 3]);
   * deepEqual(t.shape, [1, 2, 3]);
   * t.dispose();
   * closeCuda();
   * ```
   *
   * @param data The values, row-major.
   * @param shape Its shape; defaults to `[data.length]`.
   * @param options The device.
   * @returns The tensor.
   * @throws {TypeError} When `data` is not a Float32Array or does not match the shape.
   */
  static from(
    data: Float32Array,
    shape: readonly number[] = [data?.length],
    options: DeviceTensorOptions = {},
  ): DeviceTensor {
    if (!(data instanceof Float32Array)) {
      throw new TypeError(`Cannot ${ACTION}: "data" must be a Float32Array`);
    }
    // the upload overwrites every element: no zero fill
    const tensor = new DeviceTensor(shape, withoutZeroFill(options));
    try {
      tensor.upload(data);
    } catch (error) {
      tensor.dispose();
      throw error;
    }
    return tensor;
  }

  /** Whether the device memory was freed (by {@link DeviceTensor.dispose} or `closeCuda()`). */
  get disposed(): boolean {
    return this.#buffer.freed;
  }

  #live(action: string): NativeBuffer {
    if (this.#buffer.freed) {
      throw new TypeError(`Cannot ${action}: the device tensor was disposed`);
    }
    return this.#buffer;
  }

  /**
   * Copies `data` into the tensor; returns once the copy has completed, after the work enqueued
   * before it on this thread's stream.
   *
   * @param data Exactly {@link DeviceTensor.size} values, row-major.
   * @returns This tensor.
   * @throws {TypeError} When `data` is not a Float32Array of the tensor's size, or the tensor
   * was disposed.
   * @throws {CudaError} When the copy fails (an earlier kernel's error may surface here).
   */
  upload(data: Float32Array): this {
    const action = "upload to a device tensor";
    if (!(data instanceof Float32Array)) {
      throw new TypeError(`Cannot ${action}: "data" must be a Float32Array`);
    }
    if (data.length !== this.size) {
      throw new TypeError(
        `Cannot ${action}: "data" has ${data.length} elements but the tensor has ${this.size}`,
      );
    }
    copyToDevice(this.#live(action), data, 0, action);
    return this;
  }

  /**
   * Copies the tensor back to host memory, after all work enqueued before on this thread's
   * stream has completed.
   *
   * @param out Where to write (exactly {@link DeviceTensor.size} floats); a new array when
   * omitted.
   * @returns `out`, or the new array.
   * @throws {TypeError} When `out` has the wrong size or the tensor was disposed.
   * @throws {CudaError} When the copy, or an earlier kernel, failed.
   */
  download<T extends Float32Array = Float32Array<ArrayBuffer>>(out?: T): T {
    const action = "download a device tensor";
    const target = out ?? new Float32Array(this.size);
    if (!(target instanceof Float32Array)) {
      throw new TypeError(`Cannot ${action}: "out" must be a Float32Array`);
    }
    if (target.length !== this.size) {
      throw new TypeError(
        `Cannot ${action}: "out" has ${target.length} elements but the tensor has ${this.size}`,
      );
    }
    copyToHost(target, this.#live(action), 0, action);
    return target as T;
  }

  /**
   * Releases the device memory: it is kept for the next tensor of the same size on the device,
   * or freed when more than 8 are kept. Safe to call more than once, and after `closeCuda()`.
   *
   * @throws {CudaError} When the library reports a failure while freeing (the tensor counts
   * as disposed anyway).
   */
  dispose(): void {
    if (this.#buffer.freed) return;
    finalizer.unregister(this);
    freeBuffer(this.#buffer, "free a device tensor");
  }

  /** Releases the device memory (for `using`). */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
