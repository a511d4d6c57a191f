// The convolution gradients the wasm backend of TensorFlow.js 4.22 lacks or runs slowly, built
// from the backend's own kernels (transpose, pad, reverse and its XNNPACK Conv2D and matrix
// product):
// - Conv2DBackpropFilter is missing: no conv net trains on wasm without it. It is computed as
//   one XNNPACK matrix product per filter tap, each reading a shifted view of the padded,
//   channel-major input, so that no im2col copy is made;
// - its own Conv2DBackpropInput is a plain loop several times slower than its forward conv:
//   it is replaced, for every stride, by a forward conv of the zero-upsampled dy with the
//   rotated kernel.
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
  const { batchSize: n, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw } = info;
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
