import { checkCount, checkFinite, checkOptions } from "../_validate.ts";
import type { Shape4 } from "../types.ts";
import { deviceStream, ownedBuffer, workspaceBuffer } from "./_buffers.ts";
import { ffi, unwrap } from "./_ffi.ts";
import type { DeviceTensor } from "./device_tensor.ts";
import { outputTensor } from "./_output_tensor.ts";
import { tensorShape } from "./_tensor_shape.ts";

/** Options of {@link decodeArgmaxCuda}. */
export interface DecodeArgmaxCudaOptions {
  /** Shape `[N, K, H, W]`; defaults to the shape of `heatmaps`, which must then be 4-D. */
  shape?: Shape4 | undefined;
  /**
   * Check for NaN and infinite values and throw a clear error. Defaults to `true`; it copies
   * the N*K confidences back to the host (the heatmaps too, only when a check fails). With
   * `false`, such a channel gets NaN coordinates and confidence.
   */
  validate?: boolean | undefined;
  /** Output tensors on the same device: `landmarks` (N*K*2 floats), `confidence` (N*K). */
  out?: { landmarks?: DeviceTensor | undefined; confidence?: DeviceTensor | undefined } | undefined;
}

/** What {@link decodeArgmaxCuda} returns, on the device. */
export interface DecodeArgmaxCudaResult {
  /** Landmarks `[N, K, 2]`: (x = column, y = row) of each channel's maximum. */
  landmarks: DeviceTensor;
  /** Confidence `[N, K]`: the maximum value. */
  confidence: DeviceTensor;
}

const ACTION = "decode heatmaps";

/**
 * Argmax decoding of device heatmaps on the GPU, as `decodeArgmax`
 * (`@facealign/awing/decode`): per channel, the first maximum in row-major order gives the
 * landmark (x = column, y = row: the pixel-centre convention of the encoders, so that an
 * encoded integer landmark decodes exactly) and the confidence (the maximum). A large map is
 * split across up to 1024 blocks (16384 pixels or more each), whose maxima a second kernel
 * folds; ties go to the first maximum however the map is split.
 *
 * With `validate` (the default) it returns after the kernels have completed (it copies the
 * confidences back); with `validate: false` it returns once they are enqueued on this thread's
 * stream, and an error they meet surfaces at a later call (a download).
 *
 * @example
 * ```ts ignore
 * import { closeCuda, decodeArgmaxCuda, DeviceTensor } from "@facealign/awing/gpu";
 * import { deepEqual } from "node:assert/strict";
 * const hm = new Float32Array(4 * 4);
 * hm[2 * 4 + 1] = 1;
 * using heatmaps = DeviceTensor.from(hm, [1, 1, 4, 4]);
 * const { landmarks, confidence } = decodeArgmaxCuda(heatmaps);
 * deepEqual(Array.from(landmarks.download()), [1, 2]);
 * landmarks.dispose();
 * confidence.dispose();
 * closeCuda();
 * ```
 *
 * @param heatmaps Heatmaps `[N, K, H, W]` on a device.
 * @param options Shape, validation, output tensors.
 * @returns Landmarks and confidences as device tensors (new unless given in `out`).
 * @throws {TypeError} When sizes or devices do not match.
 * @throws {RangeError} For NaN or infinite heatmap values (with `validate`) or an empty batch.
 * @throws {CudaError} When the library fails.
 */
export function decodeArgmaxCuda(
  heatmaps: DeviceTensor,
  options: DecodeArgmaxCudaOptions = {},
): DecodeArgmaxCudaResult {
  checkOptions(options, ACTION);
  const hb = ownedBuffer(heatmaps, "heatmaps", ACTION);
  const { shape, size } = tensorShape(heatmaps, options.shape, "heatmaps", ACTION);
  const [n, k, h, w] = shape;
  checkCount(heatmaps.size, "heatmaps", size, `shape ${JSON.stringify(shape)}`, ACTION);
  const device = heatmaps.device;
  const created: DeviceTensor[] = [];
  try {
    const landmarks = outputTensor(
      options.out?.landmarks,
      "out.landmarks",
      [n, k, 2],
      device,
      ACTION,
      created,
    );
    const confidence = outputTensor(
      options.out?.confidence,
      "out.confidence",
      [n, k],
      device,
      ACTION,
      created,
    );
    const lb = ownedBuffer(landmarks, "out.landmarks", ACTION);
    const cb = ownedBuffer(confidence, "out.confidence", ACTION);
    if (lb === hb || cb === hb || lb === cb) {
      throw new TypeError(
        `Cannot ${ACTION}: the outputs must differ from each other and the input`,
      );
    }
    const symbols = ffi();
    const workspace = workspaceBuffer(
      device,
      "argmax-workspace",
      (bytes) => symbols.awl_argmax_workspace_bytes(n, k, h, w, bytes),
      ACTION,
    );
    unwrap(
      symbols.awl_argmax(
        hb.handle,
        lb.handle,
        cb.handle,
        workspace?.handle ?? null,
        n,
        k,
        h,
        w,
        device,
        deviceStream(device, ACTION),
      ),
      ACTION,
    );
    if (options.validate ?? true) {
      const conf = confidence.download();
      if (conf.some(Number.isNaN)) {
        checkFinite(heatmaps.download(), "heatmaps", ACTION);
        throw new RangeError(`Cannot ${ACTION}: "heatmaps" has NaN or infinite values`);
      }
    }
    return { landmarks, confidence };
  } catch (error) {
    for (const t of created) t.dispose();
    throw error;
  }
}
