// The gradient of nearest-neighbour upsampling by a whole factor on the wasm backend. Its own
// ResizeNearestNeighborGrad is a scalar loop over the output; for an s x s upsampling without
// align-corners or half-pixel centres, every input pixel is copied to one s x s block, so dx is
// the sum over each block of dy: a depthwise convolution with an all-ones s x s kernel and
// stride s, which XNNPACK runs.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type {
  KernelConfig,
  NamedAttrMap,
  ResizeNearestNeighborGradAttrs,
  TensorInfo,
} from "npm:@tensorflow/tfjs-core@4.22.0";
import {
  dispose,
  type KernelArgs,
  replaceKernel,
  run,
  type Shape4,
  type WasmBackend,
} from "./_wasm_backend.ts";

function resizeNearestNeighborGrad(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const backend = args.backend as WasmBackend;
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as ResizeNearestNeighborGradAttrs;
    const [, h, w, c] = images.shape as Shape4;
    const [, oh, ow] = dy.shape as Shape4;
    const sh = oh / h, sw = ow / w;
    if (
      attrs.alignCorners || attrs.halfPixelCenters || images.dtype !== "float32" ||
      !Number.isInteger(sh) || !Number.isInteger(sw)
    ) {
      return original.kernelFunc(args) as TensorInfo;
    }
    const ones = backend.makeOutput([sh, sw, c, 1], "float32");
    const offset = backend.dataIdMap.get(ones.dataId).memoryOffset / 4;
    backend.wasm.HEAPF32.fill(1, offset, offset + sh * sw * c);
    const dx = run("DepthwiseConv2dNative", backend, { x: dy, filter: ones }, {
      strides: [sh, sw],
      pad: "valid",
      dilations: [1, 1],
      dimRoundingMode: "floor",
      dataFormat: "NHWC",
    } as unknown as NamedAttrMap);
    dispose(backend, ones);
    return dx;
  };
}

/** Registers the faster ResizeNearestNeighborGrad for whole factors. Idempotent. */
export function registerWasmResizeGradient(): void {
  replaceKernel(tf.ResizeNearestNeighborGrad, resizeNearestNeighborGrad);
}
