import { checkArena, CHUNK_FLOATS, f32At, reserve, wasm } from "../_wasm.ts";
import type { FloatArray, Shape4 } from "../types.ts";
import { checkGaussianCall } from "./_gaussian_options.ts";
import { gaussianParams, type SkipReason } from "./_gaussian_params.ts";

export type { SkipReason } from "./_gaussian_params.ts";

/** Options of {@link gaussianHeatmaps}. */
export interface GaussianHeatmapsOptions {
  /** Shape `[N, K, H, W]` of the output: one channel per landmark. */
  shape: Shape4;
  /**
   * Standard deviation in heatmap pixels. Defaults to 1. In `"official"` mode it is the
   * official `sigma` argument, a whole number: window 6 sigma + 1, std 0.25 (6 sigma + 1).
   */
  sigma?: number | undefined;
  /**
   * `"3sigma"` (default): only pixels with |j - x| <= 3 sigma and |i - y| <= 3 sigma (a
   * square) are non-zero. `"full"`: the whole map, as mmpose's unbiased encoder (values below
   * about 1e-19 are written as 0, which keeps the arithmetic free of slow subnormals). Not
   * available in `"official"` mode, whose window is its own.
   */
  window?: "3sigma" | "full" | undefined;
  /** Per-landmark visibility `[N, K]`; a value <= 0 gives an all-zero channel. */
  visibility?: Float32Array | Float64Array | Uint8Array | undefined;
  /**
   * `"unbiased"` (default): the Gaussian centred at the sub-pixel landmark, peak 1.
   * `"official"`: the official AWing/FAN targets with their quirks (see
   * {@link gaussianHeatmaps}).
   */
  mode?: "unbiased" | "official" | undefined;
  /**
   * What a landmark off the map (outside -0.5 <= x < W - 0.5, -0.5 <= y < H - 0.5) draws in
   * `"unbiased"` mode. `"partial"` (default): the part of its Gaussian that falls on the map,
   * while the map's nearest column and row are within 3 sigma of it:
   * -3 sigma <= x <= W - 1 + 3 sigma and -3 sigma <= y <= H - 1 + 3 sigma (for sigma >= 1/6,
   * exactly while a pixel of its 3 sigma window is on the map), with either window; beyond,
   * an all-zero channel, reported as `"off-map"`. `"empty"`: an all-zero channel, reported as
   * `"off-map"`, for every landmark off the map. Not available in `"official"` mode, which
   * draws what the official code draws. See {@link gaussianHeatmaps}.
   */
  offMap?: "partial" | "empty" | undefined;
  /** Output buffer of N*K*H*W floats, fully overwritten. */
  out?: Float32Array | undefined;
}

/** A landmark that was not drawn (its channel is all zero). */
export interface SkippedLandmark {
  /** Image index. */
  n: number;
  /** Landmark (channel) index. */
  k: number;
  /**
   * `"nan"`: a coordinate is NaN; `"invisible"`: visibility <= 0; `"off-map"`: too far off
   * the map to draw anything (see `offMap` and the official mode).
   */
  reason: SkipReason;
}

/** What {@link gaussianHeatmaps} returns. */
export interface GaussianHeatmapsResult {
  /** The heatmaps, `[N, K, H, W]`. */
  heatmaps: Float32Array;
  /** Landmarks whose channel is all zero, in (n, k) order. */
  skipped: SkippedLandmark[];
}

const ACTION = "generate heatmaps";

/**
 * Floats of the kernel's output per channel. Small windows: WASM writes only the window
 * blocks, packed; the output is zero-filled natively and the blocks are placed by a short loop
 * (about (6 sigma + 1)^2 floats per landmark). The whole-map window writes whole channels and
 * copies them out in bulk.
 */
function channelFloats(shape: Shape4, sigma: number, mode: string, window: string): number {
  const [, , h, w] = shape;
  const side = mode === "official" ? 6 * sigma + 1 : Math.floor(6 * sigma) + 1;
  return window === "full" ? h * w : Math.min(h * w, side * Math.min(side, w));
}

/** The arena regions (bytes) of `chunk` channels: profile scratch, parameters, output. */
function arenaSizes(
  shape: Shape4,
  sigma: number,
  mode: string,
  window: string,
  chunk: number,
): [number, number, number] {
  const [, , h, w] = shape;
  const scratchFloats = 4 * Math.ceil(w / 4) + 4 + 4 * Math.ceil(h / 4) + 4;
  return [scratchFloats * 4, chunk * 32, chunk * channelFloats(shape, sigma, mode, window) * 4];
}

/**
 * Target heatmaps for landmark regression: one channel per landmark, a Gaussian of peak 1,
 * generated in the WASM SIMD core as the outer product of two 1-D Gaussian profiles (one
 * vector exp per 4 samples) written with f32x4 stores. With a 3 sigma (or the official)
 * window only the window blocks are computed, and the output is zero-filled natively, so a
 * call costs little more than writing the output once.
 *
 * Coordinates are heatmap pixels with the project's convention: pixel (row i, col j) has its
 * centre at (x = j, y = i) (use {@link toHeatmapCoords} from image coordinates).
 *
 * `"unbiased"` mode (default; DARK / mmpose `unbiased=True` encoding): value
 * exp(-((j - x)^2 + (i - y)^2) / (2 sigma^2)) at the sub-pixel landmark, within the square
 * |j - x| <= 3 sigma, |i - y| <= 3 sigma (`window: "3sigma"`) or everywhere (`"full"`).
 *
 * Landmarks off the map (outside -0.5 <= x < W - 0.5, -0.5 <= y < H - 0.5), as augmentation
 * pushes them out of a crop: with `offMap: "partial"` (default) the part of the Gaussian on
 * the map is drawn while -3 sigma <= x <= W - 1 + 3 sigma and -3 sigma <= y <= H - 1 + 3 sigma,
 * so the target says "the peak is just past this edge": the nearest pixel holds
 * exp(-d^2 / (2 sigma^2)) at distance d (0.835 at x = W - 0.4 for sigma 1; exp(-4.5) = 0.011
 * at the bound). Beyond, the channel is all zero and the landmark is listed in `skipped`
 * (`"off-map"`); the time does not depend on how far off it is. A partly drawn landmark is not
 * in `skipped`, and visibility applies to it as on the map. `offMap: "empty"` gives every
 * landmark off the map an all-zero channel (listed as `"off-map"`). mmpose's unbiased encoder
 * draws the whole-map Gaussian while x - 3 sigma < W and x + 3 sigma + 1 >= 0 (same for y):
 * one pixel further on each side, where its largest value on the map is below exp(-4.5);
 * on every landmark both draw, `window: "full"` gives mmpose's values (tested). mmpose gives
 * the landmarks it does not draw keypoint weight 0; `skipped` lets a training loop do the
 * same with channel weights, or keep them to train those channels toward zero.
 *
 * `"official"` mode reproduces `draw_gaussian(hm, lm_256 / 4 + 1, sigma)` of the official
 * AWing code (utils/utils.py, also face-alignment), given x = lm_256 / 4, i.e. heatmap
 * coordinates of the MSRA convention `toHeatmapCoords(lm, { stride: 4, convention: "msra" })`:
 * - the peak sits on the integer pixel floor(x) (no sub-pixel information);
 * - the kernel is `_gaussian(6 sigma + 1)`, whose std is 0.25 (6 sigma + 1) = 1.75 px for
 *   sigma 1 (centre row 0.2301 0.5205 0.8494 1 0.8494 0.5205 0.2301), window 7 x 7;
 * - the border bug: when floor(x + 1) - 3 sigma <= 0 (within about 3 px of the top or left
 *   edge) the kernel slice starts one or two samples too early, so the drawn peak moves 1-2 px
 *   inward (x = 0.75 peaks at column 2 instead of 0); bottom/right clipping is correct;
 * - a landmark is drawn only when x > 0 (their `landmarks[i][0] > 0` test) and when its
 *   window meets the map; a window partly on the map is drawn partly, even when the peak
 *   itself is off the map. Both skips are reported as `"off-map"`;
 * - the original adds the kernel to a zero channel and clips to 1; with one landmark per
 *   channel that equals writing the kernel, which is what happens here;
 * - decoding: `decodeQuarterOffset` with `frame: "native"` returns the cell centre
 *   floor(x) + 0.5 (error within 0.5 px per axis, unbiased); every decoder in the
 *   pixel-centre frame returns floor(x), 0.5 px low on average (see the README's round trips).
 *
 * Values agree with the float64 reference `gaussianHeatmapsReference` to 4e-7 (tested).
 *
 * @example A centred landmark: peak 1 and a 7 x 7 support with the default 3 sigma window
 * ```ts
 * import { gaussianHeatmaps } from "@facealign/awing/heatmap";
 * import { equal } from "node:assert/strict";
 * const landmarks = new Float32Array([32, 32]);
 * const { heatmaps, skipped } = gaussianHeatmaps(landmarks, { shape: [1, 1, 64, 64] });
 * equal(heatmaps[32 * 64 + 32], 1);
 * equal(heatmaps.filter((v) => v > 0).length, 49);
 * equal(skipped.length, 0);
 * ```
 *
 * @example Official targets: the peak lands on floor(x); the neighbour is 0.8494
 * ```ts
 * import { gaussianHeatmaps } from "@facealign/awing/heatmap";
 * import { equal, ok } from "node:assert/strict";
 * const { heatmaps } = gaussianHeatmaps(new Float32Array([32.7, 32.2]), {
 *   shape: [1, 1, 64, 64],
 *   mode: "official",
 * });
 * equal(heatmaps[32 * 64 + 32], 1);
 * ok(Math.abs(heatmaps[32 * 64 + 33]! - 0.8494) < 1e-4);
 * ```
 *
 * @example A landmark just past the right edge draws the part of its Gaussian on the map
 * ```ts
 * import { gaussianHeatmaps } from "@facealign/awing/heatmap";
 * import { deepEqual, ok } from "node:assert/strict";
 * const landmarks = new Float32Array([63.6, 32]); // x = W - 0.4
 * const { heatmaps } = gaussianHeatmaps(landmarks, { shape: [1, 1, 64, 64] });
 * ok(Math.abs(heatmaps[32 * 64 + 63]! - Math.exp(-0.18)) < 1e-5); // 0.835, at d = 0.6
 * const empty = gaussianHeatmaps(landmarks, { shape: [1, 1, 64, 64], offMap: "empty" });
 * deepEqual(empty.skipped, [{ n: 0, k: 0, reason: "off-map" }]);
 * ```
 *
 * @example NaN, invisible and off-map landmarks give zero channels and are reported
 * ```ts
 * import { gaussianHeatmaps } from "@facealign/awing/heatmap";
 * import { deepEqual } from "node:assert/strict";
 * const { skipped } = gaussianHeatmaps(new Float32Array([NaN, 3, 5, 5, 70, 5]), {
 *   shape: [1, 3, 64, 64],
 *   visibility: new Uint8Array([1, 0, 1]),
 * });
 * deepEqual(skipped.map((s) => s.reason), ["nan", "invisible", "off-map"]);
 * ```
 *
 * @param landmarks Landmarks `[N, K, 2]` (x, y) in heatmap pixels, float32 or float64; NaN
 * marks a missing one.
 * @param options Shape (required), sigma, window, visibility, mode, off-map rule, output
 * buffer.
 * @returns The heatmaps and the landmarks that were not drawn.
 * @throws {TypeError} When the lengths do not match the shape, an option has a wrong value, or
 * `out` shares memory with `landmarks` or `visibility`.
 * @throws {RangeError} For sigma <= 0 (or not a whole number in official mode), a NaN
 * visibility, or an empty batch.
 */
export function gaussianHeatmaps(
  landmarks: FloatArray,
  options: GaussianHeatmapsOptions,
): GaussianHeatmapsResult {
  const { shape, sigma, mode, window, offMap, visibility, out } = checkGaussianCall(
    landmarks,
    options,
    (c) => checkArena(arenaSizes(c.shape, c.sigma, c.mode, c.window, 1), c.shape, ACTION),
  );
  const [n, k, h, w] = shape;
  const official = mode === "official";
  const input = {
    landmarks,
    k,
    h,
    w,
    sigma,
    full: window === "full",
    official,
    offMap,
    visibility,
  };
  const skipped: SkippedLandmark[] = [];
  const hw = h * w;
  const channels = n * k;
  const packed = window !== "full";
  const perChannel = channelFloats(shape, sigma, mode, window);
  const chunk = Math.min(channels, Math.max(1, Math.floor(CHUNK_FLOATS / perChannel)));
  const [scratch, pParams, pOut] = reserve(arenaSizes(shape, sigma, mode, window, chunk), ACTION);
  const core = wasm();
  // views made after reserve, the only call that can grow (and detach) the memory
  const params = f32At(pParams, chunk * 8);
  const blocks = f32At(pOut, chunk * perChannel);
  if (packed) out.fill(0);
  for (let c0 = 0; c0 < channels; c0 += chunk) {
    const cc = Math.min(chunk, channels - c0);
    gaussianParams(input, c0, cc, params, skipped);
    core.gauss_channels(pOut, pParams, cc, h, w, scratch, packed ? 1 : 0);
    if (!packed) {
      out.set(blocks.subarray(0, cc * hw), c0 * hw);
      continue;
    }
    let q = 0;
    for (let c = 0; c < cc; c++) {
      const x0 = params[8 * c + 2]!, x1 = params[8 * c + 3]!;
      const y0 = params[8 * c + 6]!, y1 = params[8 * c + 7]!;
      if (x0 > x1 || y0 > y1) continue;
      const bw = x1 - x0 + 1;
      for (let i = y0; i <= y1; i++) {
        const row = (c0 + c) * hw + i * w + x0;
        for (let j = 0; j < bw; j++) out[row + j] = blocks[q++]!;
      }
    }
  }
  return { heatmaps: out, skipped };
}
