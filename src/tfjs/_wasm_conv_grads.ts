// The convolution gradients the wasm backend of TensorFlow.js 4.22 lacks or runs slowly, built
// from the backend's own kernels (transpose, pad, reverse and its XNNPACK Conv2D and matrix
// product):
// - Conv2DBackpropFilter is missing: no conv net trains on wasm without it. It is computed as
//   one XNNPACK matrix product per filter tap, each reading a shifted view of the padded,
//   channel-major input (split into its stride phases), so that no im2col copy is made;
// - its own Conv2DBackpropInput is a plain loop several times slower than its forward conv:
//   it is replaced by a forward conv of dy with the rotated kernel (stride 1), by one conv with
//   the stride phases as output channels, interleaved in one pass (equal strides), or by a
//   conv of the zero-upsampled dy (unequal strides).
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelBackend,
  KernelConfig,
  NamedAttrMap,
  TensorInfo,
} from "npm:@tensorflow/tfjs-core@4.22.0";
import {
  BACKEND,
  dispose,
  type KernelArgs,
  matMul,
  pad,
  releaseView,
  replaceKernel,
  reshape,
  run,
  type Shape4,
  transpose,
  view,
  type WasmBackend,
} from "./_wasm_backend.ts";

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
function upsampleWithZeros(
  backend: KernelBackend,
  dy: TensorInfo,
  sh: number,
  sw: number,
): TensorInfo {
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
 * The channel-major input of the filter gradient, [rows, L] with L = N Hq Wq, and where each
 * tap's rows start in it. With equal strides s > 1 the padded input is split into its s x s
 * phases (grid rows m s + p, columns mm s + q; one [Ci, L] block per phase, written here in one
 * pass), so that dy needs no zeros between its pixels: tap (a, b) reads phase
 * (a mod s, b mod s) shifted by floor(a / s) Wq + floor(b / s). Otherwise the grid is the padded
 * input itself (Hq = Hp, as backend kernels make it) and dy is upsampled with zeros.
 */
function filterGradientLayout(
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): { xp: TensorInfo; dyp: TensorInfo; l: number; shift: (a: number, b: number) => number } {
  const { top, left } = info.padInfo;
  const { batchSize: n, inChannels: ci, strideHeight: sh, strideWidth: sw } = info;
  const kh = info.filterHeight, kw = info.filterWidth;
  const oh = info.outHeight, ow = info.outWidth, h = info.inHeight, w = info.inWidth;
  const s = sh === sw ? sh : 1;
  // the grid: every pixel the forward conv read, every dy pixel at (oh s, ow s), whole phases
  const hq = Math.ceil(Math.max((oh - 1) * sh + kh, oh * sh, s > 1 ? h + top : 0) / s);
  const wq = Math.ceil(Math.max((ow - 1) * sw + kw, ow * sw, s > 1 ? w + left : 0) / s);
  const l = n * hq * wq;
  const maxShift = Math.floor((kh - 1) / s) * wq + Math.floor((kw - 1) / s);
  const tail = maxShift > 0 ? 1 : 0;
  if (s > 1) {
    const xp = backend.makeOutput([s * s * ci + tail, l], "float32");
    const heap = backend.wasm.HEAPF32;
    const xo = backend.dataIdMap.get(x.dataId).memoryOffset / 4;
    const po = backend.dataIdMap.get(xp.dataId).memoryOffset / 4;
    heap.fill(0, po, po + (s * s * ci + tail) * l);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < h; i++) {
        const r = i + top, rowPhase = (r % s) * s, row = (b * hq + Math.floor(r / s)) * wq;
        for (let j = 0; j < w; j++) {
          const c = j + left, to = po + ((rowPhase + (c % s)) * ci) * l + row + Math.floor(c / s);
          const from = xo + ((b * h + i) * w + j) * ci;
          for (let k = 0; k < ci; k++) heap[to + k * l] = heap[from + k]!;
        }
      }
    }
    const dyp = pad(backend, dy, [[0, 0], [0, hq - oh], [0, wq - ow], [0, 0]]);
    const shift = (a: number, b: number) =>
      ((a % s) * s + (b % s)) * ci * l + Math.floor(a / s) * wq + Math.floor(b / s);
    return { xp, dyp, l, shift };
  }
  // Rows (columns) past the last one the forward conv read are cut, missing ones padded.
  let xs = x;
  if (h + top > hq || w + left > wq) {
    xs = run("Slice", backend, { x }, {
      begin: [0, 0, 0, 0],
      size: [n, Math.min(h, hq - top), Math.min(w, wq - left), ci],
    });
  }
  const [, hs, ws] = xs.shape as Shape4;
  const xt = transpose(backend, xs, [3, 0, 1, 2]);
  const xp = pad(backend, xt, [[0, tail], [0, 0], [top, hq - hs - top], [left, wq - ws - left]]);
  const up = upsampleWithZeros(backend, dy, sh, sw);
  const dyp = pad(backend, up, [[0, 0], [0, hq - oh * sh], [0, wq - ow * sw], [0, 0]]);
  dispose(backend, xt, up, ...(xs === x ? [] : [xs]));
  return { xp, dyp, l, shift: (a, b) => a * wq + b };
}

/**
 * dW[a, b, ci, co] = sum over n, oh, ow of xp[n, oh sh + a, ow sw + b, ci] dy[n, oh, ow, co],
 * xp being x padded to a grid ({@link filterGradientLayout}). On that grid, with dy in place
 * (dyp, [L, Co]), tap (a, b) is the product of the channel-major xp ([Ci, L]) shifted to the
 * tap with dyp: one matrix product per tap, all against the same dyp (packed once), the shifted
 * xp a view. A shift runs past a channel's row only where dyp is zero; a zero row after the
 * last one keeps those reads inside the tensor.
 */
function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = conv2dInfo(x.shape as Shape4, attrs.filterShape, attrs);
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const { xp, dyp, l, shift } = filterGradientLayout(backend, x, dy, info);
  const b = reshape(backend, dyp, [1, l, co]);
  const dw = backend.makeOutput([kh, kw, ci, co], "float32");
  for (let a = 0; a < kh; a++) {
    for (let c = 0; c < kw; c++) {
      const av = view(backend, xp, shift(a, c), [1, ci, l]);
      const ov = view(backend, dw, (a * kw + c) * ci * co, [1, ci, co]);
      matMul(backend, av, b, ov);
      releaseView(backend, av);
      releaseView(backend, ov);
    }
  }
  dispose(backend, b, xp, dyp);
  return dw;
}

/**
 * dx of a convolution with equal strides s > 1, without the zeros of an upsampled dy: with
 * i + top = m s + p, dx[i] = sum over u of dy[m - u] w[p + u s], so every output phase (p, q)
 * is a stride-1 convolution of dy with the taps p + u s, q + v s of the kernel. One convolution
 * with all s x s phases as output channels (kernel [U, V, Co, s s Ci], U = ceil(K / s)), then
 * their interleaving (DepthToSpace) and the crop, does s^2 fewer products than convolving the
 * upsampled dy.
 */
function stridedInputGradient(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const s = info.strideHeight, ci = info.inChannels, co = info.outChannels;
  const kh = info.filterHeight, kw = info.filterWidth, { top, left } = info.padInfo;
  const u = Math.ceil(kh / s), v = Math.ceil(kw / s), depth = s * s * ci;
  // output rows m of the phase convolution: enough for i + top < m s, and every row of dy
  const m = Math.max(Math.ceil((info.inHeight + top) / s), info.outHeight);
  const mw = Math.max(Math.ceil((info.inWidth + left) / s), info.outWidth);
  const phases = backend.makeOutput([u, v, co, depth], "float32");
  const heap = backend.wasm.HEAPF32;
  const at = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset / 4;
  const fo = at(phases), wo = at(filter);
  heap.fill(0, fo, fo + u * v * co * depth);
  for (let a0 = 0; a0 < u; a0++) {
    for (let b0 = 0; b0 < v; b0++) {
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          const a = p + (u - 1 - a0) * s, b = q + (v - 1 - b0) * s;
          if (a >= kh || b >= kw) continue;
          for (let c = 0; c < ci; c++) {
            const src = wo + ((a * kw + b) * ci + c) * co;
            const dst = fo + (a0 * v + b0) * co * depth + (p * s + q) * ci + c;
            for (let o = 0; o < co; o++) heap[dst + o * depth] = heap[src + o]!;
          }
        }
      }
    }
  }
  const y = run("Conv2D", backend, { x: dy, filter: phases }, {
    strides: [1, 1],
    pad: [[0, 0], [u - 1, m - info.outHeight], [v - 1, mw - info.outWidth], [0, 0]],
    dataFormat: "NHWC",
    dilations: [1, 1],
    dimRoundingMode: "floor",
  } as unknown as NamedAttrMap);
  // DepthToSpace and the crop in one pass: dx[n, i, j, c] = y[n, m, mm, (p s + q) Ci + c] with
  // i + top = m s + p, j + left = mm s + q (the backend's DepthToSpace is a scalar loop)
  const { batchSize: n, inHeight: h, inWidth: w } = info;
  const dx = backend.makeOutput([n, h, w, ci], "float32");
  const mem = backend.wasm.HEAPF32, yo = at(y), xo = at(dx);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      const r = i + top, row = yo + (b * m + Math.floor(r / s)) * mw * depth + (r % s) * s * ci;
      for (let j = 0; j < w; j++) {
        const c = j + left, src = row + Math.floor(c / s) * depth + (c % s) * ci;
        mem.copyWithin(xo + ((b * h + i) * w + j) * ci, src, src + ci);
      }
    }
  }
  dispose(backend, phases, y);
  return dx;
}

/**
 * dx is the forward convolution of dy (upsampled with zeros by the stride when the two strides
 * differ) with the kernel rotated by 180 degrees and its channels swapped, padded by
 * (K - 1 - pad) before and what makes the output H x W after; equal strides above 1 take
 * {@link stridedInputGradient}; a layout neither can express keeps the backend's kernel.
 */
function conv2dBackpropInput(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const backend = args.backend as WasmBackend;
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
    if (sh === sw && sh > 1) return stridedInputGradient(backend, dy, filter, info);
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

/**
 * Registers the wasm backend's missing `Conv2DBackpropFilter` and its faster
 * `Conv2DBackpropInput`. Idempotent.
 */
export function registerWasmConvGradients(): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, BACKEND) === undefined) {
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: BACKEND,
      kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
    });
  }
  replaceKernel(tf.Conv2DBackpropInput, conv2dBackpropInput);
}
