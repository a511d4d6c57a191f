// Calls into the wasm backend of TensorFlow.js 4.22.0 (pinned) for the kernels awing registers
// there: the backend's own kernels by name, views into its memory and its XNNPACK matrix
// product called directly, so that its operands and result can be such views; and the
// replacement of its kernels.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type {
  DataId,
  KernelBackend,
  KernelConfig,
  NamedAttrMap,
  TensorInfo,
} from "npm:@tensorflow/tfjs-core@4.22.0";

export const BACKEND = "wasm";
export type Shape4 = [number, number, number, number];
export type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
};

/** What awing uses of the wasm backend (`BackendWasm` of tfjs-backend-wasm 4.22.0). */
export interface WasmBackend extends KernelBackend {
  dataIdMap: {
    get(dataId: DataId): { id: number; memoryOffset: number };
    has(dataId: DataId): boolean;
    delete(dataId: DataId): boolean;
  };
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: "float32", memoryOffset?: number): TensorInfo;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { disposeData(id: number): void };
    HEAPF32: Float32Array;
  };
}

/** Runs the wasm backend's own kernel `name`. */
export function run(
  name: string,
  backend: KernelBackend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  return tf.getKernel(name, BACKEND).kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

export function transpose(backend: KernelBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return run("Transpose", backend, { x }, { perm });
}

export function pad(
  backend: KernelBackend,
  x: TensorInfo,
  paddings: [number, number][],
): TensorInfo {
  if (paddings.every(([a, b]) => a === 0 && b === 0)) {
    return run("Identity", backend, { x }, {});
  }
  return run("PadV2", backend, { x }, { paddings, constantValue: 0 } as unknown as NamedAttrMap);
}

export function reshape(backend: KernelBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return run("Reshape", backend, { x }, { shape });
}

export function dispose(backend: KernelBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/**
 * A tensor over `size` floats of `base`'s memory from float `offset` on, for the backend's C++
 * kernels. It owns no memory: release it with {@link releaseView}, never with disposeData
 * (which would free `base`'s memory at the wrong address).
 */
export function view(
  backend: WasmBackend,
  base: TensorInfo,
  offset: number,
  shape: number[],
): TensorInfo {
  const { memoryOffset } = backend.dataIdMap.get(base.dataId);
  return backend.makeOutput(shape, "float32", memoryOffset + 4 * offset);
}

export function releaseView(backend: WasmBackend, v: TensorInfo): void {
  const { id } = backend.dataIdMap.get(v.dataId);
  backend.dataIdMap.delete(v.dataId);
  backend.wasm.tfjs.disposeData(id);
}

const matMuls = new WeakMap<WasmBackend, (...args: unknown[]) => void>();

/**
 * out[1, M, N] = a[1, M, K] b[1, K, N] by the backend's XNNPACK fully-connected operator, which
 * packs b once and keeps it, keyed by b, until b is disposed.
 */
export function matMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo, out: TensorInfo): void {
  let f = matMuls.get(backend);
  if (f === undefined) {
    const types = ["number", "array", "number", "number", "array", "number", "number", "number"];
    f = backend.wasm.cwrap("BatchMatMul", null, [...types, "number"]);
    matMuls.set(backend, f);
  }
  const bytes = (s: number[]) => new Uint8Array(new Int32Array(s).buffer);
  const id = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).id;
  f(id(a), bytes(a.shape), 3, id(b), bytes(b.shape), 3, false, false, id(out));
}

const replaced = new Set<string>();

/**
 * Replaces the wasm backend's kernel `name` by `make(original)`, keeping the original's setup
 * (which binds its WASM function when the backend starts). Idempotent.
 */
export function replaceKernel(
  name: string,
  make: (original: KernelConfig) => (args: KernelArgs) => TensorInfo,
): void {
  if (replaced.has(name)) return;
  replaced.add(name);
  const original = tf.getKernel(name, BACKEND);
  tf.unregisterKernel(name, BACKEND);
  tf.registerKernel({ ...original, kernelFunc: make(original) as unknown as tf.KernelFunc });
}
