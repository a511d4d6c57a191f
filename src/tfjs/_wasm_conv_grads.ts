// The convolution gradients the wasm backend of TensorFlow.js 4.22 lacks or runs slowly, built
// from the backend's own kernels (transpose, reverse, slice and its XNNPACK Conv2D):
// - Conv2DBackpropFilter is missing: no conv net trains on wasm without it;
// - its own Conv2DBackpropInput is a plain loop several times slower than its forward conv:
//   for stride 1 it is replaced by a forward conv with the rotated kernel.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelBackend,
  KernelConfig,
  NamedAttrMap,
  TensorInfo,
} from "npm:@tensorflow/tfjs-core@4.22.0";

const BACKEND = "wasm";
type Shape4 = [number, number, number, number];

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
 * dW[a, b, ci, co] = sum over n, oh, ow of x[n, oh*sh + a - top, ow*sw + b - left, ci] *
 * dy[n, oh, ow, co]: a convolution of x seen as [Ci, H, W, N] with dy seen as the filter
 * [OH, OW, N, Co], dilated by the forward stride, giving [Ci, KH, KW, Co].
 */
function conv2dBackpropFilter(
  args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs?: NamedAttrMap },
): TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = conv2dInfo(x.shape as Shape4, attrs.filterShape, attrs);
  const { top, left } = info.padInfo;
  // Rows (columns) past the last one the forward conv read are dropped; missing ones padded.
  const spanH = info.filterHeight + (info.outHeight - 1) * info.strideHeight;
  const spanW = info.filterWidth + (info.outWidth - 1) * info.strideWidth;
  const bottom = spanH - top - info.inHeight, right = spanW - left - info.inWidth;
  const temps: TensorInfo[] = [];
  let xs = x;
  if (bottom < 0 || right < 0) {
    const [n, h, w, c] = x.shape as Shape4;
    xs = run("Slice", backend, { x }, {
      begin: [0, 0, 0, 0],
      size: [n, h + Math.min(0, bottom), w + Math.min(0, right), c],
    });
    temps.push(xs);
  }
  const xt = transpose(backend, xs, [3, 1, 2, 0]);
  const dyt = transpose(backend, dy, [1, 2, 0, 3]);
  temps.push(xt, dyt);
  const pad = [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]];
  const dw = run("Conv2D", backend, { x: xt, filter: dyt }, {
    strides: [1, 1],
    pad,
    dataFormat: "NHWC",
    dilations: [info.strideHeight, info.strideWidth],
    dimRoundingMode: "floor",
  } as unknown as NamedAttrMap);
  temps.push(dw);
  const out = transpose(backend, dw, [1, 2, 0, 3]);
  for (const t of temps) backend.disposeData(t.dataId);
  return out;
}

/**
 * With stride 1, dx is the forward convolution of dy with the kernel rotated by 180 degrees
 * and its channels swapped, padded by (K - 1 - pad); other strides keep the backend's kernel.
 */
function conv2dBackpropInput(
  original: KernelConfig,
): (
  args: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs?: NamedAttrMap },
) => TensorInfo {
  return (args) => {
    const { backend } = args;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const info = conv2dInfo(attrs.inputShape, filter.shape as Shape4, attrs);
    const { top, left } = info.padInfo;
    const kh = info.filterHeight, kw = info.filterWidth;
    const padTop = kh - 1 - top, padLeft = kw - 1 - left;
    const padBottom = info.inHeight - info.outHeight + kh - 1 - padTop;
    const padRight = info.inWidth - info.outWidth + kw - 1 - padLeft;
    if (
      info.strideHeight !== 1 || info.strideWidth !== 1 ||
      Math.min(padTop, padLeft, padBottom, padRight) < 0
    ) {
      return original.kernelFunc(args) as TensorInfo;
    }
    const flipped = run("Reverse", backend, { x: filter }, { dims: [0, 1] });
    const rotated = transpose(backend, flipped, [0, 1, 3, 2]);
    const dx = run("Conv2D", backend, { x: dy, filter: rotated }, {
      strides: [1, 1],
      pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: "floor",
    } as unknown as NamedAttrMap);
    backend.disposeData(flipped.dataId);
    backend.disposeData(rotated.dataId);
    return dx;
  };
}

let registered = false;

/**
 * Registers the wasm backend's missing `Conv2DBackpropFilter` and its faster stride-1
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
