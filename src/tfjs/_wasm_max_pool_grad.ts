// The gradient of max pooling on the wasm backend. Its own MaxPoolGrad scans every window once
// per input pixel; this one scans each window once, channels innermost (contiguous in NHWC), and
// adds dy to the window's first maximum, as the cpu backend does (strict >, row-major window
// order, padding never the maximum, no gradient from a window of NaN only).
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import type { MaxPoolGradAttrs, TensorInfo } from "npm:@tensorflow/tfjs-core@4.22.0";
import { type KernelArgs, replaceKernel, type Shape4, type WasmBackend } from "./_wasm_backend.ts";

function maxPoolGrad(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as Shape4,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const c = info.inChannels, fh = info.filterHeight, fw = info.filterWidth;
  const { top, left } = info.padInfo;
  const dx = backend.makeOutput(input.shape, "float32");
  // after the allocation, which may grow (and so replace) the backend's memory
  const heap = backend.wasm.HEAPF32;
  const at = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset / 4;
  const xo = at(input), dyo = at(dy), dxo = at(dx);
  heap.fill(0, dxo, dxo + n * h * w * c);
  const best = new Float32Array(c), where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = Math.max(0, i * info.strideHeight - top);
      const r1 = Math.min(h, i * info.strideHeight - top + fh);
      for (let j = 0; j < ow; j++) {
        const c0 = Math.max(0, j * info.strideWidth - left);
        const c1 = Math.min(w, j * info.strideWidth - left + fw);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let q = c0; q < c1; q++) {
            const p = ((b * h + r) * w + q) * c;
            for (let k = 0; k < c; k++) {
              const v = heap[xo + p + k]!;
              if (v > best[k]!) {
                best[k] = v;
                where[k] = p + k;
              }
            }
          }
        }
        const g = dyo + ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) {
          const p = where[k]!;
          if (p >= 0) heap[dxo + p] = heap[dxo + p]! + heap[g + k]!;
        }
      }
    }
  }
  return dx;
}

/** Registers the faster MaxPoolGrad for float32 NHWC input. Idempotent. */
export function registerWasmMaxPoolGradient(): void {
  replaceKernel(tf.MaxPoolGrad, () => maxPoolGrad);
}
