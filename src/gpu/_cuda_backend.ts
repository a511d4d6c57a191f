// The CUDA side of selectBackend(): the package's host-array API (awingLoss, gaussianHeatmaps,
// decodeArgmax) run on a device, through device tensors that are cached per backend and
// reused while the sizes stay the same. Every call first runs the WASM path's own checks
// (checkAwingCall, checkGaussianCall, checkDecodeCall), before any device work.
import {
  ACTION as ACTION_DECODE,
  checkDecodeCall,
  checkDecodeValues,
} from "../decode/_run_decode.ts";
import type { DecodeOptions, DecodeResult } from "../decode/types.ts";
import { checkGaussianCall } from "../heatmap/_gaussian_options.ts";
import { skipReason } from "../heatmap/_gaussian_params.ts";
import {
  gaussianHeatmaps,
  type GaussianHeatmapsOptions,
  type GaussianHeatmapsResult,
  type SkippedLandmark,
} from "../heatmap/gaussian_heatmaps.ts";
import { checkAwingCall } from "../loss/_options.ts";
import { heatmapLoss } from "../loss/_run_loss.ts";
import type { AWingLossOptions } from "../loss/awing_loss.ts";
import type { FloatArray, HeatmapLoss } from "../types.ts";
import { awingLossCuda } from "./awing_loss_cuda.ts";
import { decodeArgmaxCuda } from "./decode_argmax_cuda.ts";
import { withoutZeroFill } from "./_buffers.ts";
import { DeviceTensor } from "./device_tensor.ts";
import { gaussianHeatmapsCuda } from "./gaussian_heatmaps_cuda.ts";

/** The values as a Float32Array, converted (rounded) when they are not one. */
function float32(values: FloatArray | Uint8Array): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** Host-array operations on one CUDA device. */
export class CudaBackend {
  readonly name = "cuda" as const;
  readonly reason: string;
  readonly device: number;
  #slots = new Map<string, DeviceTensor>();

  constructor(device: number, reason: string) {
    this.device = device;
    this.reason = reason;
  }

  /** A cached device tensor of `size` floats for one purpose (every use overwrites it whole:
   * it is not zero-filled). */
  #slot(name: string, size: number): DeviceTensor {
    const t = this.#slots.get(name);
    if (t !== undefined && !t.disposed && t.size === size) return t;
    t?.dispose();
    const fresh = new DeviceTensor([size], withoutZeroFill({ device: this.device }));
    this.#slots.set(name, fresh);
    return fresh;
  }

  /** awingLoss of `@facealign/awing/loss`, on the device. */
  readonly awingLoss: HeatmapLoss<AWingLossOptions> = heatmapLoss<AWingLossOptions>(
    (pred, target, options) => {
      const { params, call } = checkAwingCall(pred, target, options, false);
      const { shape, size, grad, lossMap } = call;
      const result = awingLossCuda(
        this.#slot("pred", size).upload(pred),
        this.#slot("target", size).upload(target),
        {
          ...params,
          shape,
          reduction: call.reduction,
          mapWeight: call.mapWeight,
          mapThreshold: call.mapThreshold,
          landmarkWeights: call.landmarkWeights,
          validate: call.validate,
          gradient: call.gradient,
          out: {
            grad: grad === undefined ? undefined : this.#slot("grad", size),
            lossMap: lossMap === undefined ? undefined : this.#slot("lossMap", size),
          },
        },
      );
      return {
        loss: result.loss,
        grad: grad === undefined ? undefined : result.grad?.download(grad),
        lossMap: lossMap === undefined ? undefined : result.lossMap?.download(lossMap),
      };
    },
  );

  /** gaussianHeatmaps of `@facealign/awing/heatmap`; the `"official"` mode runs on WASM. */
  gaussianHeatmaps(
    landmarks: FloatArray,
    options: GaussianHeatmapsOptions,
  ): GaussianHeatmapsResult {
    const { shape, size, sigma, mode, window, offMap, visibility, out } = checkGaussianCall(
      landmarks,
      options,
    );
    if (mode === "official") return gaussianHeatmaps(landmarks, options);
    const [n, k, h, w] = shape;
    // the landmarks the kernel leaves at zero, by the WASM path's rule
    const skipped: SkippedLandmark[] = [];
    const rule = { h, w, sigma, official: false, offMap };
    for (let c = 0; c < n * k; c++) {
      const visible = visibility === undefined || visibility[c]! > 0;
      const reason = skipReason(landmarks[2 * c]!, landmarks[2 * c + 1]!, visible, rule);
      if (reason !== undefined) skipped.push({ n: Math.floor(c / k), k: c % k, reason });
    }
    const lm = this.#slot("landmarks", n * k * 2).upload(float32(landmarks));
    const vis = visibility === undefined ? undefined : this.#slot("visibility", n * k).upload(
      float32(visibility),
    );
    gaussianHeatmapsCuda(lm, {
      shape,
      sigma,
      window,
      offMap,
      visibility: vis,
      out: this.#slot("heatmaps", size),
    }).download(out);
    return { heatmaps: out, skipped };
  }

  /** decodeArgmax of `@facealign/awing/decode`, on the device. */
  decodeArgmax(heatmaps: FloatArray, options: DecodeOptions): DecodeResult {
    const { shape, landmarks, confidence } = checkDecodeCall(heatmaps, options);
    const [n, k] = shape;
    const hm = this.#slot("heatmaps", heatmaps.length).upload(float32(heatmaps));
    const result = decodeArgmaxCuda(hm, {
      shape,
      validate: false,
      out: {
        landmarks: this.#slot("decoded", 2 * n * k),
        confidence: this.#slot("confidence", n * k),
      },
    });
    result.confidence.download(confidence);
    if (confidence.some(Number.isNaN)) {
      checkDecodeValues(heatmaps, 0);
      throw new RangeError(`Cannot ${ACTION_DECODE}: "heatmaps" has NaN or infinite values`);
    }
    result.landmarks.download(landmarks);
    return { landmarks, confidence };
  }

  /** Frees the cached device tensors. */
  dispose(): void {
    for (const t of this.#slots.values()) t.dispose();
    this.#slots.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
