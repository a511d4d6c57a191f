import { checkOptions } from "../_validate.ts";
/** Options of {@link gaussianHeatmapsReference}, mirroring `gaussianHeatmaps`. */
export interface GaussianReferenceOptions {
  /** Standard deviation (unbiased) or the official `sigma` argument. Defaults to 1. */
  sigma?: number | undefined;
  /** `"3sigma"` (default) or `"full"` (unbiased mode only). */
  window?: "3sigma" | "full" | undefined;
  /** `"unbiased"` (default) or `"official"`. */
  mode?: "unbiased" | "official" | undefined;
  /** Visibility `[N, K]`; <= 0 leaves the channel empty. */
  visibility?: ArrayLike<number> | undefined;
  /** `"partial"` (default) or `"empty"` (unbiased mode only): landmarks off the map. */
  offMap?: "partial" | "empty" | undefined;
}

// The official `_gaussian(size)` of utils/utils.py with its defaults (sigma = 0.25 of the
// width, centre at 0.5 width + 0.5, 1-based sample positions), stored as float32 like its
// np.empty(dtype=np.float32).
function officialKernel(size: number): Float64Array {
  const g = new Float64Array(size * size);
  const c = 0.5 * size + 0.5;
  const s = 0.25 * size;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      g[i * size + j] = Math.fround(
        Math.exp(-(((j + 1 - c) / s) ** 2 / 2 + ((i + 1 - c) / s) ** 2 / 2)),
      );
    }
  }
  return g;
}

// A line-by-line port of the official `draw_gaussian(image, point, sigma)` (utils/utils.py):
// 1-based point, numpy slices image[img_y0-1:img_y1, img_x0-1:img_x1] += g[g_y0-1:g_y1, ...],
// then clipping to 1. The border bug is in g_x[0] = max(1, -ul[0]).
function drawGaussianOfficial(
  image: Float64Array,
  h: number,
  w: number,
  px: number,
  py: number,
  sigma: number,
): void {
  const ul: [number, number] = [
    Math.floor(Math.floor(px) - 3 * sigma),
    Math.floor(Math.floor(py) - 3 * sigma),
  ];
  const br: [number, number] = [
    Math.floor(Math.floor(px) + 3 * sigma),
    Math.floor(Math.floor(py) + 3 * sigma),
  ];
  if (ul[0] > w || ul[1] > h || br[0] < 1 || br[1] < 1) return;
  const size = 6 * sigma + 1;
  const g = officialKernel(size);
  const gX: [number, number] = [
    Math.max(1, -ul[0]),
    Math.min(br[0], w) - Math.max(1, ul[0]) + Math.max(1, -ul[0]),
  ];
  const gY: [number, number] = [
    Math.max(1, -ul[1]),
    Math.min(br[1], h) - Math.max(1, ul[1]) + Math.max(1, -ul[1]),
  ];
  const imgX: [number, number] = [Math.max(1, ul[0]), Math.min(br[0], w)];
  const imgY: [number, number] = [Math.max(1, ul[1]), Math.min(br[1], h)];
  // numpy slice lengths (stop clipped to the array length)
  const rows = imgY[1] - (imgY[0] - 1), cols = imgX[1] - (imgX[0] - 1);
  const gRows = Math.min(gY[1], size) - (gY[0] - 1), gCols = Math.min(gX[1], size) - (gX[0] - 1);
  if (rows !== gRows || cols !== gCols) {
    throw new Error("the official code would loop forever on a shape mismatch here");
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      image[(imgY[0] - 1 + r) * w + imgX[0] - 1 + c]! += g[(gY[0] - 1 + r) * size + gX[0] - 1 + c]!;
    }
  }
  for (let i = 0; i < image.length; i++) if (image[i]! > 1) image[i] = 1;
}

/**
 * Target heatmaps in float64, pixel by pixel: the oracle of `gaussianHeatmaps`.
 *
 * - `"unbiased"`: exp(-((j - x)^2 + (i - y)^2) / (2 sigma^2)) at pixel (i, j) when
 *   |j - x| <= 3 sigma and |i - y| <= 3 sigma (or everywhere with `window: "full"`). With
 *   `offMap: "partial"` (default) a landmark is drawn while the map column and row nearest
 *   to it are within 3 sigma; with `"empty"` only when -0.5 <= x < W - 0.5 and
 *   -0.5 <= y < H - 0.5. NaN or invisible landmarks leave their channel at 0.
 * - `"official"`: a line-by-line port of the official AWing `draw_gaussian(hm, (x + 1,
 *   y + 1), sigma)` on a zero channel, drawn only when x > 0, as its data loader does with
 *   x = landmark_256 / 4; the float32 kernel, the numpy slices with the top/left border bug
 *   and the clipping to 1 included.
 *
 * @example The official centre row for sigma 1
 * ```ts
 * import { gaussianHeatmapsReference } from "@facealign/awing/reference";
 * import { deepEqual } from "node:assert/strict";
 * const hm = gaussianHeatmapsReference([32, 32], [1, 1, 64, 64], { mode: "official" });
 * const row = Array.from(hm.subarray(32 * 64 + 29, 32 * 64 + 36), (v) => v.toFixed(4));
 * deepEqual(row, ["0.2301", "0.5205", "0.8494", "1.0000", "0.8494", "0.5205", "0.2301"]);
 * ```
 *
 * @param landmarks Landmarks `[N, K, 2]` (x, y) in heatmap pixels.
 * @param shape The shape `[N, K, H, W]`.
 * @param options Sigma, window, mode, visibility, off-map rule.
 * @returns The heatmaps.
 */
export function gaussianHeatmapsReference(
  landmarks: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  options: GaussianReferenceOptions = {},
): Float64Array {
  checkOptions(options, "generate heatmaps");
  const { sigma = 1, window = "3sigma", mode = "unbiased", visibility, offMap = "partial" } =
    options;
  // the distance from v to the nearest pixel centre 0 .. n - 1 of its axis
  const gap = (v: number, n: number): number => Math.abs(Math.min(Math.max(v, 0), n - 1) - v);
  const [n, k, h, w] = shape;
  const out = new Float64Array(n * k * h * w);
  for (let c = 0; c < n * k; c++) {
    const x = landmarks[2 * c]!, y = landmarks[2 * c + 1]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    if (visibility !== undefined && !(visibility[c]! > 0)) continue;
    const channel = out.subarray(c * h * w, (c + 1) * h * w);
    if (mode === "official") {
      if (x > 0) drawGaussianOfficial(channel, h, w, x + 1, y + 1, sigma);
      continue;
    }
    const drawn = offMap === "partial"
      ? gap(x, w) <= 3 * sigma && gap(y, h) <= 3 * sigma
      : x >= -0.5 && x < w - 0.5 && y >= -0.5 && y < h - 0.5;
    if (!drawn) continue;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const inside = window === "full" ||
          (Math.abs(j - x) <= 3 * sigma && Math.abs(i - y) <= 3 * sigma);
        if (inside) {
          channel[i * w + j] = Math.exp(-((j - x) ** 2 + (i - y) ** 2) / (2 * sigma * sigma));
        }
      }
    }
  }
  return out;
}
