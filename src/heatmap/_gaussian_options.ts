// The checks of a gaussianHeatmaps call, shared by the WASM path and CudaBackend so that both
// accept and reject exactly the same input.
import {
  checkFloat,
  checkLength,
  checkOneOf,
  checkOptionsShape,
  checkSigma,
  checkVisibility,
  outputArray,
} from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import type { FloatArray, Shape4 } from "../types.ts";
import { checkOffMap, type OffMap } from "./_gaussian_params.ts";
import type { GaussianHeatmapsOptions } from "./gaussian_heatmaps.ts";

const ACTION = "generate heatmaps";

/** A gaussianHeatmaps call, checked, with its defaults. */
export interface GaussianCall {
  shape: Shape4;
  size: number;
  sigma: number;
  mode: "unbiased" | "official";
  window: "3sigma" | "full";
  offMap: OffMap;
  visibility: Float32Array | Float64Array | Uint8Array | undefined;
  /** The caller's `out` or a new array. */
  out: Float32Array;
}

/**
 * Checks the landmarks and the options of a gaussianHeatmaps call; `beforeOutput` (a backend's
 * own limits) runs on the checked options before the output is allocated.
 */
export function checkGaussianCall(
  landmarks: FloatArray,
  options: GaussianHeatmapsOptions,
  beforeOutput?: (call: Omit<GaussianCall, "visibility" | "out">) => void,
): GaussianCall {
  checkFloat(landmarks, "landmarks", ACTION);
  const size = checkOptionsShape(options, ACTION);
  const shape = options.shape;
  const [n, k] = shape;
  checkLength(landmarks, "landmarks", n * k * 2, `[N, K, 2] = [${n}, ${k}, 2]`, ACTION);
  const sigma = options.sigma ?? 1;
  checkSigma(sigma, ACTION);
  const mode = options.mode ?? "unbiased";
  checkOneOf(mode, "mode", ["unbiased", "official"], ACTION);
  const window = options.window ?? "3sigma";
  checkOneOf(window, "window", ["3sigma", "full"], ACTION);
  const offMap = checkOffMap(options.offMap, mode === "official", ACTION);
  if (mode === "official") {
    if (!Number.isInteger(sigma)) {
      throw new RangeError(
        `Cannot ${ACTION} as sigma must be a whole number in official mode (the kernel has 6 sigma + 1 taps): current value is ${sigma}`,
      );
    }
    if (options.window === "full") {
      throw new TypeError(
        `Cannot ${ACTION}: "window" "full" is not available in official mode, whose window is 6 sigma + 1 pixels`,
      );
    }
  }
  const visibility = checkVisibility(options.visibility, n, k, ACTION);
  beforeOutput?.({ shape, size, sigma, mode, window, offMap });
  const out = outputArray(options.out, "out", size, `shape ${JSON.stringify(shape)}`, ACTION);
  checkNoOverlap([["out", out]], [["landmarks", landmarks], ["visibility", visibility]], ACTION);
  return { shape, size, sigma, mode, window, offMap, visibility, out };
}
