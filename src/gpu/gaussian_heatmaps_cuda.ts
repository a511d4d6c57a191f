import { checkCount, checkOneOf, checkOptionsShape, checkSigma } from "../_validate.ts";
import { checkOffMap } from "../heatmap/_gaussian_params.ts";
import type { Shape4 } from "../types.ts";
import { deviceStream, type NativeBuffer, ownedBuffer } from "./_buffers.ts";
import { ffi, OFF_MAP, unwrap, WINDOW } from "./_ffi.ts";
import type { DeviceTensor } from "./device_tensor.ts";
import { outputTensor } from "./_output_tensor.ts";

/** Options of {@link gaussianHeatmapsCuda}. */
export interface GaussianHeatmapsCudaOptions {
  /** Shape `[N, K, H, W]` of the output: one channel per landmark. */
  shape: Shape4;
  /** Standard deviation in heatmap pixels. Defaults to 1. */
  sigma?: number | undefined;
  /**
   * `"3sigma"` (default): only pixels with |j - x| <= 3 sigma and |i - y| <= 3 sigma are
   * non-zero. `"full"`: the whole map.
   */
  window?: "3sigma" | "full" | undefined;
  /**
   * What a landmark off the map draws: `"partial"` (default) or `"empty"`, as
   * `GaussianHeatmapsOptions.offMap` of `gaussianHeatmaps` (`@facealign/awing/heatmap`).
   */
  offMap?: "partial" | "empty" | undefined;
  /** Per-landmark visibility `[N, K]` on the device; a value <= 0 gives an all-zero channel. */
  visibility?: DeviceTensor | undefined;
  /** Output tensor of N*K*H*W floats on the same device, fully overwritten. */
  out?: DeviceTensor | undefined;
}

const ACTION = "generate heatmaps";

/**
 * Gaussian target heatmaps generated on the GPU from device landmarks: the `"unbiased"` mode
 * of `gaussianHeatmaps` (`@facealign/awing/heatmap`), as the outer product of two 1-D
 * Gaussians. Pixel (row i, col j) has its centre at (x = j, y = i) and the value
 * exp(-((j - x)^2 + (i - y)^2) / (2 sigma^2)), within the 3 sigma square or on the whole map.
 * A landmark that is NaN or invisible (visibility <= 0) gives an all-zero channel. One off the
 * map (outside -0.5 <= x < W - 0.5, -0.5 <= y < H - 0.5) draws, with `offMap: "partial"`
 * (default), the part of its Gaussian on the map while -3 sigma <= x <= W - 1 + 3 sigma and
 * -3 sigma <= y <= H - 1 + 3 sigma (beyond, an all-zero channel); with `"empty"`, nothing.
 *
 * It returns once the kernel is enqueued on this thread's stream; downloading the heatmaps
 * waits for it (and reports an error it met).
 *
 * @example
 * ```ts ignore
 * import { closeCuda, DeviceTensor, gaussianHeatmapsCuda } from "@facealign/awing/gpu";
 * import { equal } from "node:assert/strict";
 * using landmarks = DeviceTensor.from(new Float32Array([32, 32]), [1, 1, 2]);
 * using heatmaps = gaussianHeatmapsCuda(landmarks, { shape: [1, 1, 64, 64] });
 * equal(heatmaps.download()[32 * 64 + 32], 1);
 * heatmaps.dispose();
 * closeCuda();
 * ```
 *
 * @param landmarks Landmarks `[N, K, 2]` (x, y) in heatmap pixels, on a device.
 * @param options Shape (required), sigma, window, off-map rule, visibility, output tensor.
 * @returns The heatmaps `[N, K, H, W]` (a new tensor unless `out` was given).
 * @throws {TypeError} When sizes or devices do not match, or an option has a wrong value.
 * @throws {RangeError} For sigma <= 0 or an empty batch.
 * @throws {CudaError} When the library fails.
 */
export function gaussianHeatmapsCuda(
  landmarks: DeviceTensor,
  options: GaussianHeatmapsCudaOptions,
): DeviceTensor {
  checkOptionsShape(options, ACTION);
  const lb = ownedBuffer(landmarks, "landmarks", ACTION);
  const [n, k, h, w] = options.shape;
  checkCount(landmarks.size, "landmarks", n * k * 2, `[N, K, 2] = [${n}, ${k}, 2]`, ACTION);
  const sigma = options.sigma ?? 1;
  checkSigma(sigma, ACTION);
  const window = options.window ?? "3sigma";
  checkOneOf(window, "window", ["3sigma", "full"], ACTION);
  const offMap = checkOffMap(options.offMap, false, ACTION);
  const device = landmarks.device;
  const visibility = options.visibility;
  let vb: NativeBuffer | null = null;
  if (visibility !== undefined) {
    vb = ownedBuffer(visibility, "visibility", ACTION);
    checkCount(visibility.size, "visibility", n * k, `[N, K] = [${n}, ${k}]`, ACTION);
    if (visibility.device !== device) {
      throw new TypeError(
        `Cannot ${ACTION}: "visibility" is on device ${visibility.device} but "landmarks" is on device ${device}`,
      );
    }
  }
  const created: DeviceTensor[] = [];
  const out = outputTensor(options.out, "out", options.shape, device, ACTION, created, [
    lb,
    ...(vb === null ? [] : [vb]),
  ]);
  try {
    const symbols = ffi();
    unwrap(
      symbols.awl_gaussian(
        lb.handle,
        vb?.handle ?? null,
        ownedBuffer(out, "out", ACTION).handle,
        n,
        k,
        h,
        w,
        sigma,
        WINDOW[window],
        OFF_MAP[offMap],
        device,
        deviceStream(device, ACTION),
      ),
      ACTION,
    );
  } catch (error) {
    for (const t of created) t.dispose();
    throw error;
  }
  return out;
}
