// The convolution gradients the wasm backend of TensorFlow.js 4.22 lacks or runs slowly, built
// from the backend's own kernels (transpose, pad, reverse and its XNNPACK Conv2D and matrix
// product):
// - Conv2DBackpropFilter is missing: no conv net trains on wasm without it. It is computed as
//   one XNNPACK matrix product per filter tap, each reading a shifted view of the padded,
//   channel-major input, so that no im2col copy is made;
// - its own Conv2DBackpropInput is a plain loop several times slower than its forward conv:
//   it is replaced, for every stride, by a forward conv of the zero-upsampled dy with the
//   rotated kernel.
import * as tf from "@tensorflow/tfjs-core";
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  DataId,
  KernelBackend,
  KernelConfig,
  NamedAttrMap,
  TensorInfo,
} from "@tensorflow/tfjs-core";

const BACKEND = "wasm";
type Shape4 = [number, number, number, number];
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs?: NamedAttrMap };

/** What this file uses of the wasm backend (`BackendWasm` of tfjs-backend-wasm 4.22.0). */
interface WasmBackend extends KernelBackend {
  dataIdMap: {
    get(dataId: DataId): { id: number; memoryOffset: number };
    delete(dataId: DataId): boolean;
  };
  makeOutput(shape: number[], dtype: "float32", memoryOffset?: number): TensorInfo;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { disposeData(id: number): void };
  };
}

/** Runs the wasm backend's own kernel `name`. */
function run(
  name: string,
  backend: KernelBackend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  return tf.getKernel(name, BACKEND).kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

function transpose(backend: KernelBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return run("Transpose", backend, { x }, { perm });
}

function pad(backend: KernelBackend, x: TensorInfo, paddings: [number, number][]): TensorInfo {
  if (paddings.every(([a, b]) => a === 0 && b === 0)) {
    return run("Identity", backend, { x }, {});
  }
  return run("PadV2", backend, { x }, { paddings, constantValue: 0 } as unknown as NamedAttrMap);
}

function reshape(backend: KernelBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return run("Reshape", backend, { x }, { shape });
}

function dispose(backend: KernelBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/**
 * A tensor over `size` floats of `base`'s memory from float `offset` on, for the backend's C++
 * kernels. It owns no memory: release it with {@link releaseView}, never with disposeData
 * (which would free `base`'s memory at the wrong address).
 */
function view(backend: WasmBackend, base: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const { memoryOffset } = backend.dataIdMap.get(base.dataId);
  return backend.makeOutput(shape, "float32", memoryOffset + 4 * offset);
}

function releaseView(backend: WasmBackend, v: TensorInfo): void {
  const { id } = backend.dataIdMap.get(v.dataId);
  backend.dataIdMap.delete(v.dataId);
  backend.wasm.tfjs.disposeData(id);
}

const matMuls = new WeakMap<WasmBackend, (...args: unknown[]) => void>();

/**
 * out[1, M, N] = a[1, M, K] b[1, K, N] by the backend's XNNPACK fully-connected operator, which
 * packs b once and keeps it, keyed by b, until b is disposed.
 */
function matMul(backend: WasmBackend, a: TensorInfo, b: TensorInfo, out: TensorInfo): void {
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

function conv2dInfo(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: Conv2DBackpropFilterAttrs | Conv2DBackpropInputAttrs,
): tf.backend_util.Conv2DInfo {
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== "channelsLast") {
    throw new TypeError(
      `Cannot compute the convolution gradient on the wasm backend: dataFormat must be "NHWC" but it is "${attrs.dataFormat}"`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
}

/**
 * dy [N, OH, OW, C] with s - 1 zeros after every row and column: [N, OH s, OW s, C], so that
 * dy[n, oh, ow] lands at (oh s, ow s).
 */
function upsampleWithZeros(backend: KernelBackend, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, oh, ow, c] = dy.shape as Shape4;
  if (sh === 1 && sw === 1) return run("Identity", backend, { x: dy }, {});
  const r1 = reshape(backend, dy, [n * oh, ow, 1, c]);
  const p1 = pad(backend, r1, [[0, 0], [0, 0], [0, sw - 1], [0, 0]]);
  const r2 = reshape(backend, p1, [n, oh, 1, ow * sw * c]);
  const p2 = pad(backend, r2, [[0, 0], [0, 0], [0, sh - 1], [0, 0]]);
  const out = reshape(backend, p2, [n, oh * sh, ow * sw, c]);
  dispose(backend, r1, p1, r2, p2);
  return out;
}

/**
 * dW[a, b, ci, co] = sum over n, oh, ow of xp[n, oh sh + a, ow sw + b, ci] dy[n, oh, ow, co],
 * xp being x padded to an Hp x Wp grid. On that grid, with dy placed at (oh sh, ow sw) and zero
 * elsewhere (dyp, [L, Co] for L = N Hp Wp), tap (a, b) is the product of the channel-major
 * xp ([Ci, L]) shifted by a Wp + b with dyp: one matrix product per tap, all against the same
 * dyp (packed once), the shifted xp a view. The shift runs past a channel's plane only where
 * dyp is zero; a zero channel after the last one keeps those reads inside the tensor.
 */
function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = conv2dInfo(x.shape as Shape4, attrs.filterShape, attrs);
  const { top, left } = info.padInfo;
  const { batchSize: n, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } =
    info;
  const kh = info.filterHeight, kw = info.filterWidth;
  const oh = info.outHeight, ow = info.outWidth, h = info.inHeight, w = info.inWidth;
  const temps: TensorInfo[] = [];
  // Rows (columns) past the last one the forward conv read are cut, missing ones padded.
  const hp = Math.max((oh - 1) * sh + kh, oh * sh), wp = Math.max((ow - 1) * sw + kw, ow * sw);
  let xs = x;
  if (h + top > hp || w + left > wp) {
    xs = run("Slice", backend, { x }, {
      begin: [0, 0, 0, 0],
      size: [n, Math.min(h, hp - top), Math.min(w, wp - left), ci],
    });
    temps.push(xs);
  }
  const [, hs, ws] = xs.shape as Shape4;
  const maxShift = (kh - 1) * wp + kw - 1;
  const xt = transpose(backend, xs, [3, 0, 1, 2]);
  const xp = pad(backend, xt, [[0, maxShift > 0 ? 1 : 0], [0, 0], [top, hp - hs - top], [
    left,
    wp - ws - left,
  ]]);
  const up = upsampleWithZeros(backend, dy, sh, sw);
  const dyp = pad(backend, up, [[0, 0], [0, hp - oh * sh], [0, wp - ow * sw], [0, 0]]);
  const l = n * hp * wp;
  const b = reshape(backend, dyp, [1, l, co]);
  temps.push(xt, xp, up, dyp);
  const dw = backend.makeOutput([kh, kw, ci, co], "float32");
  for (let a = 0; a < kh; a++) {
    for (let c = 0; c < kw; c++) {
      const av = view(backend, xp, a * wp + c, [1, ci, l]);
      const ov = view(backend, dw, (a * kw + c) * ci * co, [1, ci, co]);
      matMul(backend, av, b, ov);
      releaseView(backend, av);
      releaseView(backend, ov);
    }
  }
  dispose(backend, b, ...temps);
  return dw;
}

/**
 * dx is the forward convolution of dy, upsampled with zeros by the stride, with the kernel
 * rotated by 180 degrees and its channels swapped, padded by (K - 1 - pad) before and what
 * makes the output H x W after; a layout this cannot express keeps the backend's kernel.
 */
function conv2dBackpropInput(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const { backend } = args;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const info = conv2dInfo(attrs.inputShape, filter.shape as Shape4, attrs);
    const { top, left } = info.padInfo;
    const kh = info.filterHeight, kw = info.filterWidth;
    const sh = info.strideHeight, sw = info.strideWidth;
    const padTop = kh - 1 - top, padLeft = kw - 1 - left;
    const padBottom = info.inHeight + top - info.outHeight * sh;
    const padRight = info.inWidth + left - info.outWidth * sw;
    if (Math.min(padTop, padLeft, padBottom, padRight) < 0) {
      return original.kernelFunc(args) as TensorInfo;
    }
    const up = upsampleWithZeros(backend, dy, sh, sw);
    const flipped = run("Reverse", backend, { x: filter }, { dims: [0, 1] });
    const rotated = transpose(backend, flipped, [0, 1, 3, 2]);
    const dx = run("Conv2D", backend, { x: up, filter: rotated }, {
      strides: [1, 1],
      pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: "floor",
    } as unknown as NamedAttrMap);
    dispose(backend, up, flipped, rotated);
    return dx;
  };
}

let registered = false;

/**
 * Registers the wasm backend's missing `Conv2DBackpropFilter` and its faster
 * `Conv2DBackpropInput`. Idempotent.
 */
export function registerWasmConvGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: BACKEND,
    kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
  });
  const original = tf.getKernel(tf.Conv2DBackpropInput, BACKEND);
  tf.unregisterKernel(tf.Conv2DBackpropInput, BACKEND);
  // The original's setup (binding its WASM function) must still run when the backend starts.
  tf.registerKernel({
    ...original,
    kernelFunc: conv2dBackpropInput(original) as unknown as tf.KernelFunc,
  });
}
