import { checkAbove, checkFloat32Param } from "../_validate.ts";
import { wasm } from "../_wasm.ts";
import { ACTION, optionOneOf, runDecode } from "./_run_decode.ts";
import type { FloatArray } from "../types.ts";
import type { DecodeOptions, DecodeResult } from "./types.ts";

/** Options of {@link decodeSoftArgmax}. */
export interface SoftArgmaxOptions extends DecodeOptions {
  /**
   * `"softmax"` (default): weights p = exp(beta (h - max h)), the integral regression of
   * network logits. `"linear"`: p = max(h, 0), the heatmap itself as a distribution.
   */
  normalize?: "softmax" | "linear" | undefined;
  /** Inverse temperature of the softmax (ignored by `"linear"`). Defaults to 1. */
  beta?: number | undefined;
}

/**
 * Decodes heatmaps to the expected coordinates under a distribution over pixels:
 * x = sum p j / sum p, y = sum p i / sum p, with p = exp(beta (h - max h)) (`"softmax"`,
 * stable thanks to the max subtraction; arguments below -80 count as -80, a weight of 2e-35
 * against the maximum's 1) or p = max(h, 0) (`"linear"`). Weights and sums run in the WASM
 * SIMD core (vector exp, rows summed in f32 lanes then in f64).
 *
 * Which to use: on a network's logits, `"softmax"` with a beta that suits them. On targets in
 * [0, 1] (e.g. to measure the oracle error of an encoder) the softmax is dominated by the
 * background, exp(0) = 1 on every pixel, and pulls the result towards the map centre; there
 * `"linear"` is the right choice and is near exact on full-window Gaussian targets (the
 * sampled Gaussian's mean equals its centre to about 1e-9 px away from the border).
 *
 * @example A full-window target decodes to its centre with linear weights
 * ```ts
 * import { decodeSoftArgmax } from "@facealign/awing/decode";
 * import { gaussianHeatmaps } from "@facealign/awing/heatmap";
 * import { ok } from "node:assert/strict";
 * const shape = [1, 1, 64, 64] as const;
 * const { heatmaps } = gaussianHeatmaps(new Float32Array([30.25, 20.6]), {
 *   shape,
 *   window: "full",
 * });
 * const { landmarks } = decodeSoftArgmax(heatmaps, { shape, normalize: "linear" });
 * ok(Math.abs(landmarks[0]! - 30.25) < 1e-3 && Math.abs(landmarks[1]! - 20.6) < 1e-3);
 * ```
 *
 * @param heatmaps Heatmaps `[N, K, H, W]`, float32 or float64 (decoded in float32).
 * @param options Shape (required), normalisation, beta, output buffers.
 * @returns Landmarks `[N, K, 2]` (pixel-centre frame) and confidence (the maximum) `[N, K]`.
 * @throws {TypeError} When the length does not match the shape or `normalize` is unknown, or an output shares memory with
 * `heatmaps` or with the other output.
 * @throws {RangeError} For beta <= 0 or outside float32's normal range (1.2e-38 to 3.4e38, the
 * kernel's precision), a NaN or infinite value (naming its index), a channel with no positive
 * value under `"linear"`, or an empty batch.
 */
export function decodeSoftArgmax(
  heatmaps: FloatArray,
  options: SoftArgmaxOptions,
): DecodeResult {
  const normalize = optionOneOf(options?.normalize, "normalize", ["softmax", "linear"]);
  const beta = options?.beta ?? 1;
  checkAbove(beta, "beta", 0, ACTION);
  checkFloat32Param(beta, "beta", ACTION);
  const h = options?.shape?.[2], w = options?.shape?.[3];
  const linear = normalize === "linear" ? 1 : 0;
  return runDecode(heatmaps, options, {
    argmax: false,
    extra: (_h, _w, chunk) => [chunk * 32],
    run({ c0, cc, ptr, extra, nonFinite }, { landmarks, confidence }): void {
      const core = wasm();
      const bad = core.softargmax_channels(ptr, cc, h, w, beta, linear, extra[0]!);
      if (bad >= 0) nonFinite(bad);
      const m = new Float64Array(core.memory.buffer, extra[0], 4 * cc);
      for (let c = 0; c < cc; c++) {
        const s = m[4 * c]!;
        if (!(s > 0) || !Number.isFinite(s)) {
          throw new RangeError(
            `Cannot ${ACTION}: channel ${
              c0 + c
            } has no positive weight, so its "${normalize}" soft-argmax is undefined`,
          );
        }
        landmarks[2 * (c0 + c)] = m[4 * c + 1]! / s;
        landmarks[2 * (c0 + c) + 1] = m[4 * c + 2]! / s;
        confidence[c0 + c] = m[4 * c + 3]!;
      }
    },
  });
}
