// The CUDA library's host entry points (awl_host_*): the kernels' per-pixel functions run on
// the CPU over host arrays, for tests that check the library's math and the FFI marshalling
// without a GPU. Lengths are checked here, before any pointer reaches C.
import { checkShape4 } from "../src/_validate.ts";
import { ffi, OFF_MAP, STATS_BYTES, unwrap, WINDOW } from "../src/gpu/_ffi.ts";
import { AWING_DEFAULTS } from "../src/_awing_defaults.ts";
import type { Shape4 } from "../src/types.ts";

/** What awl_host_awing reports besides its outputs. */
export interface HostAwingStats {
  /** Sum of loss * weight over all pixels (double). */
  total: number;
  /** Smallest and largest finite target. */
  targetMin: number;
  targetMax: number;
  /** AWL_STAT_* bits. */
  flags: number;
}

/** Options of {@link hostAwing}: float32 parameters as the kernels take them. */
export interface HostAwingOptions {
  shape: Shape4;
  alpha?: number;
  omega?: number;
  epsilon?: number;
  theta?: number;
  mapWeight?: number;
  mapThreshold?: number;
  gradScale?: number;
  landmarkWeights?: Float32Array;
  grad?: Float32Array;
  lossMap?: Float32Array;
}

const ACTION = "run host kernel";

function need(a: ArrayLike<number> | undefined, name: string, length: number): void {
  if (a !== undefined && a.length !== length) {
    throw new TypeError(
      `Cannot ${ACTION}: "${name}" has ${a.length} elements but ${length} are needed`,
    );
  }
}

/** awl_host_awing: the fused loss on the CPU; writes grad / lossMap when given. */
export function hostAwing(
  pred: Float32Array,
  target: Float32Array,
  options: HostAwingOptions,
): HostAwingStats {
  const size = checkShape4(options.shape, ACTION);
  const [n, k, h, w] = options.shape;
  need(pred, "pred", size);
  need(target, "target", size);
  need(options.grad, "grad", size);
  need(options.lossMap, "lossMap", size);
  need(options.landmarkWeights, "landmarkWeights", n * k);
  const stats = new DataView(new ArrayBuffer(STATS_BYTES));
  unwrap(
    ffi().awl_host_awing(
      pred,
      target,
      options.landmarkWeights ?? null,
      options.grad ?? null,
      options.lossMap ?? null,
      n,
      k,
      h,
      w,
      options.alpha ?? AWING_DEFAULTS.alpha,
      options.omega ?? AWING_DEFAULTS.omega,
      options.epsilon ?? AWING_DEFAULTS.epsilon,
      options.theta ?? AWING_DEFAULTS.theta,
      options.mapWeight ?? AWING_DEFAULTS.mapWeight,
      options.mapThreshold ?? AWING_DEFAULTS.mapThreshold,
      options.gradScale ?? 1,
      stats,
    ),
    "run awl_host_awing",
  );
  return {
    total: stats.getFloat64(0, true),
    targetMin: stats.getFloat32(8, true),
    targetMax: stats.getFloat32(12, true),
    flags: stats.getUint32(16, true),
  };
}

/** awl_host_gaussian: Gaussian heatmaps on the CPU. */
export function hostGaussian(
  landmarks: Float32Array,
  options: {
    shape: Shape4;
    sigma?: number;
    window?: "3sigma" | "full";
    offMap?: "partial" | "empty";
    visibility?: Float32Array;
  },
): Float32Array<ArrayBuffer> {
  const size = checkShape4(options.shape, ACTION);
  const [n, k, h, w] = options.shape;
  need(landmarks, "landmarks", n * k * 2);
  need(options.visibility, "visibility", n * k);
  const out = new Float32Array(size);
  unwrap(
    ffi().awl_host_gaussian(
      landmarks,
      options.visibility ?? null,
      out,
      n,
      k,
      h,
      w,
      options.sigma ?? 1,
      WINDOW[options.window ?? "3sigma"],
      OFF_MAP[options.offMap ?? "partial"],
    ),
    "run awl_host_gaussian",
  );
  return out;
}

/** awl_host_argmax: argmax decoding on the CPU, each channel split into `parts` as the
 * kernels split it (0) or into that many parts. */
export function hostArgmax(
  heatmaps: Float32Array,
  shape: Shape4,
  parts = 0,
): { landmarks: Float32Array<ArrayBuffer>; confidence: Float32Array<ArrayBuffer> } {
  const size = checkShape4(shape, ACTION);
  const [n, k, h, w] = shape;
  need(heatmaps, "heatmaps", size);
  const landmarks = new Float32Array(n * k * 2);
  const confidence = new Float32Array(n * k);
  unwrap(
    ffi().awl_host_argmax(heatmaps, landmarks, confidence, n, k, h, w, parts),
    "run awl_host_argmax",
  );
  return { landmarks, confidence };
}
