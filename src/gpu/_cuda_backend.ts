// The CUDA side of selectBackend(): the package's host-array API (awingLoss, gaussianHeatmaps,
// decodeArgmax) run on a device, through device tensors that are cached per backend and
// reused while the sizes stay the same. Same options, same checks, same messages as WASM.
import {
  checkAbove,
  checkF32,
  checkFinite,
  checkFiniteNumber,
  checkLength,
  checkOneOf,
  checkShape4,
  checkSigma,
} from "../_validate.ts";
import {
  gaussianHeatmaps,
  type GaussianHeatmapsOptions,
  type GaussianHeatmapsResult,
  type SkippedLandmark,
} from "../heatmap/gaussian_heatmaps.ts";
import { checkOffMap, skipReason } from "../heatmap/_gaussian_params.ts";
import type { DecodeOptions, DecodeResult } from "../decode/types.ts";
import type { AWingLossOptions } from "../loss/awing_loss.ts";
import type { LossResult } from "../types.ts";
import { awingLossCuda } from "./awing_loss_cuda.ts";
import { decodeArgmaxCuda } from "./decode_argmax_cuda.ts";
import { DeviceTensor } from "./device_tensor.ts";
import { gaussianHeatmapsCuda } from "./gaussian_heatmaps_cuda.ts";

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

  /** A cached device tensor of `size` floats for one purpose. */
  #slot(name: string, size: number): DeviceTensor {
    const t = this.#slots.get(name);
    if (t !== undefined && !t.disposed && t.size === size) return t;
    t?.dispose();
    const fresh = new DeviceTensor([size], { device: this.device });
    this.#slots.set(name, fresh);
    return fresh;
  }

  awingLoss(
    pred: Float32Array,
    target: Float32Array,
    options: AWingLossOptions & { gradient?: true | undefined },
  ): LossResult<Float32Array>;
  awingLoss(
    pred: Float32Array,
    target: Float32Array,
    options: AWingLossOptions & { gradient: false },
  ): LossResult<undefined>;
  awingLoss(pred: Float32Array, target: Float32Array, options: AWingLossOptions): LossResult;
  awingLoss(pred: Float32Array, target: Float32Array, options: AWingLossOptions): LossResult {
    const action = "compute loss";
    checkFiniteNumber(options?.alpha ?? 2.1, "alpha", action);
    checkAbove(options?.omega ?? 14, "omega", 0, action);
    checkAbove(options?.epsilon ?? 1, "epsilon", 0, action);
    checkAbove(options?.theta ?? 0.5, "theta", 0, action);
    checkF32(pred, "pred", action);
    checkF32(target, "target", action);
    if (options === undefined || options.shape === undefined) {
      throw new TypeError(`Cannot ${action}: "options.shape" [N, K, H, W] is required`);
    }
    const size = checkShape4(options.shape, action, "shape");
    if (pred.length !== target.length) {
      throw new TypeError(
        `Cannot ${action}: "pred" has ${pred.length} elements but "target" has ${target.length}`,
      );
    }
    checkLength(pred, "pred", size, `shape ${JSON.stringify(options.shape)}`, action);
    const { out, ...rest } = options;
    const wantGrad = options.gradient ?? true;
    const none = options.reduction === "none";
    if (wantGrad && out?.grad !== undefined) {
      checkF32(out.grad, "out.grad", action);
      checkLength(out.grad, "out.grad", size, `"pred"`, action);
    }
    if (none && out?.lossMap !== undefined) {
      checkF32(out.lossMap, "out.lossMap", action);
      checkLength(out.lossMap, "out.lossMap", size, `"pred"`, action);
    }
    const p = this.#slot("pred", size).upload(pred);
    const t = this.#slot("target", size).upload(target);
    const result = awingLossCuda(p, t, {
      ...rest,
      out: {
        grad: wantGrad ? this.#slot("grad", size) : undefined,
        lossMap: none ? this.#slot("lossMap", size) : undefined,
      },
    });
    return {
      loss: result.loss,
      grad: result.grad?.download(out?.grad ?? new Float32Array(size)),
      lossMap: result.lossMap?.download(out?.lossMap ?? new Float32Array(size)),
    };
  }

  gaussianHeatmaps(
    landmarks: Float32Array,
    options: GaussianHeatmapsOptions,
  ): GaussianHeatmapsResult {
    if (options?.mode === "official") return gaussianHeatmaps(landmarks, options); // WASM only
    const action = "generate heatmaps";
    checkF32(landmarks, "landmarks", action);
    if (options === undefined || options.shape === undefined) {
      throw new TypeError(`Cannot ${action}: "options.shape" [N, K, H, W] is required`);
    }
    const size = checkShape4(options.shape, action);
    const [n, k, h, w] = options.shape;
    checkLength(landmarks, "landmarks", n * k * 2, `[N, K, 2] = [${n}, ${k}, 2]`, action);
    const sigma = options.sigma ?? 1;
    checkSigma(sigma, action);
    const mode = options.mode ?? "unbiased";
    if (mode !== "unbiased") {
      throw new TypeError(
        `Cannot ${action}: "mode" must be "unbiased" or "official" but it is ${
          JSON.stringify(mode)
        }`,
      );
    }
    const window = options.window ?? "3sigma";
    checkOneOf(window, "window", ["3sigma", "full"], action);
    const offMap = checkOffMap(options.offMap, false, action);
    const visibility = options.visibility;
    if (visibility !== undefined) {
      if (!(visibility instanceof Float32Array || visibility instanceof Uint8Array)) {
        throw new TypeError(`Cannot ${action}: "visibility" must be a Float32Array or Uint8Array`);
      }
      checkLength(visibility, "visibility", n * k, `[N, K] = [${n}, ${k}]`, action);
      for (let i = 0; i < visibility.length; i++) {
        if (Number.isNaN(visibility[i])) {
          throw new RangeError(`Cannot ${action}: "visibility" has a NaN at index ${i}`);
        }
      }
    }
    const out = options.out ?? new Float32Array(size);
    checkF32(out, "out", action);
    checkLength(out, "out", size, `shape ${JSON.stringify(options.shape)}`, action);
    // the landmarks the kernel leaves at zero, by the WASM path's rule
    const skipped: SkippedLandmark[] = [];
    const rule = { h, w, sigma, official: false, offMap };
    for (let c = 0; c < n * k; c++) {
      const visible = visibility === undefined || visibility[c]! > 0;
      const reason = skipReason(landmarks[2 * c]!, landmarks[2 * c + 1]!, visible, rule);
      if (reason !== undefined) skipped.push({ n: Math.floor(c / k), k: c % k, reason });
    }
    const lm = this.#slot("landmarks", n * k * 2).upload(landmarks);
    const vis = visibility === undefined ? undefined : this.#slot("visibility", n * k).upload(
      visibility instanceof Float32Array ? visibility : Float32Array.from(visibility),
    );
    gaussianHeatmapsCuda(lm, {
      shape: options.shape,
      sigma,
      window,
      offMap,
      visibility: vis,
      out: this.#slot("heatmaps", size),
    }).download(out);
    return { heatmaps: out, skipped };
  }

  decodeArgmax(heatmaps: Float32Array, options: DecodeOptions): DecodeResult {
    const action = "decode heatmaps";
    checkF32(heatmaps, "heatmaps", action);
    if (options === undefined || options.shape === undefined) {
      throw new TypeError(`Cannot ${action}: "options.shape" [N, K, H, W] is required`);
    }
    const size = checkShape4(options.shape, action);
    checkLength(heatmaps, "heatmaps", size, `shape ${JSON.stringify(options.shape)}`, action);
    const [n, k] = options.shape;
    const landmarks = options.out?.landmarks ?? new Float32Array(2 * n * k);
    checkF32(landmarks, "out.landmarks", action);
    checkLength(landmarks, "out.landmarks", 2 * n * k, `[N, K, 2]`, action);
    const confidence = options.out?.confidence ?? new Float32Array(n * k);
    checkF32(confidence, "out.confidence", action);
    checkLength(confidence, "out.confidence", n * k, `[N, K]`, action);
    const hm = this.#slot("heatmaps", size).upload(heatmaps);
    const result = decodeArgmaxCuda(hm, {
      shape: options.shape,
      validate: false,
      out: {
        landmarks: this.#slot("decoded", 2 * n * k),
        confidence: this.#slot("confidence", n * k),
      },
    });
    result.confidence.download(confidence);
    if (confidence.some(Number.isNaN)) {
      checkFinite(heatmaps, "heatmaps", action);
      throw new RangeError(`Cannot ${action}: "heatmaps" has NaN or infinite values`);
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
