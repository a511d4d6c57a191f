// Per-landmark parameters of the separable Gaussian kernel in assembly/heatmap.ts: for each
// channel 8 floats muX, sX, loX, hiX, muY, sY, loY, hiY (see that file), and which landmarks
// are drawn. Shared by gaussianHeatmaps and the CUDA backend (the same skip rule).
import { checkOneOf } from "../_validate.ts";

/** Why a landmark got an all-zero channel. */
export type SkipReason = "nan" | "invisible" | "off-map";

/** What an unbiased landmark off the map draws: see `GaussianHeatmapsOptions.offMap`. */
export type OffMap = "partial" | "empty";

/**
 * The `offMap` option, validated: `"partial"` when undefined. Official mode has its own rule
 * (the official code's), so an explicit `offMap` there is a TypeError.
 */
export function checkOffMap(offMap: unknown, official: boolean, action: string): OffMap {
  if (offMap === undefined) return "partial";
  if (official) {
    throw new TypeError(
      `Cannot ${action}: "offMap" is not available in official mode, which draws what the official code draws`,
    );
  }
  checkOneOf(offMap, "offMap", ["partial", "empty"], action);
  return offMap;
}

/** The window of one axis: centre, standard deviation and inclusive pixel range. */
export interface AxisWindow {
  mu: number;
  s: number;
  lo: number;
  hi: number;
}

/**
 * One axis of the official AWing `draw_gaussian(hm, p, sigma)` with the 1-based point
 * p = x + 1 (utils/utils.py), as an instance of the separable kernel:
 *
 * ul = floor(floor(p) - 3 sigma), br = floor(floor(p) + 3 sigma); the image range (1-based,
 * inclusive) is [max(1, ul), min(br, size)] and the kernel range starts at max(1, -ul). The
 * kernel `_gaussian(6 sigma + 1)` is exp(-((t + 1 - c) / (0.25 S))^2 / 2), c = S/2 + 0.5,
 * S = 6 sigma + 1; image column j (0-based) reads kernel index j - img0 + g0 (0-based), so the
 * Gaussian is centred at img0 - g0 - 1 + c. When ul <= 0 the kernel start max(1, -ul) falls
 * one (ul = 0) or two (ul < 0) indices short of the correct 2 - ul: the border bug that moves
 * the peak inward. Returns undefined when the official code draws nothing on this axis (its
 * early return).
 */
export function officialAxis(x: number, sigma: number, size: number): AxisWindow | undefined {
  const p = x + 1;
  const ul = Math.floor(Math.floor(p) - 3 * sigma);
  const br = Math.floor(Math.floor(p) + 3 * sigma);
  if (ul > size || br < 1) return undefined;
  const S = 6 * sigma + 1;
  const c = 0.5 * S + 0.5;
  const g0 = Math.max(1, -ul);
  const img0 = Math.max(1, ul);
  const img1 = Math.min(br, size);
  return { mu: img0 - g0 - 1 + c, s: 0.25 * S, lo: img0 - 1, hi: img1 - 1 };
}

/** The inputs of {@link gaussianParams}, already validated. */
export interface ParamsInput extends SkipRule {
  landmarks: ArrayLike<number>;
  k: number;
  full: boolean;
  visibility: ArrayLike<number> | undefined;
}

/** What {@link skipReason} needs to know of the call. */
export interface SkipRule {
  h: number;
  w: number;
  sigma: number;
  official: boolean;
  offMap: OffMap;
}

/**
 * Why the landmark (x, y) gets an all-zero channel, or undefined when it is drawn. Unbiased
 * mode, `"partial"`: while the map's nearest column and row are within 3 sigma, i.e.
 * -3 sigma <= x <= W - 1 + 3 sigma (same for y), tested as -x <= 3 sigma and
 * x - (W - 1) <= 3 sigma: both sides exact in float64 near the bounds, so the test agrees
 * with the window edges |j - x| <= 3 sigma of every backend. `"empty"`: while
 * -0.5 <= x < W - 0.5 and -0.5 <= y < H - 0.5.
 */
export function skipReason(
  x: number,
  y: number,
  visible: boolean,
  rule: SkipRule,
): SkipReason | undefined {
  if (Number.isNaN(x) || Number.isNaN(y)) return "nan";
  if (!visible) return "invisible";
  const { h, w, sigma, official, offMap } = rule;
  if (official) return x > 0 ? undefined : "off-map"; // `if landmarks[i][0] > 0`
  const r = 3 * sigma;
  const drawn = offMap === "partial"
    ? -x <= r && x - (w - 1) <= r && -y <= r && y - (h - 1) <= r
    : x >= -0.5 && x < w - 0.5 && y >= -0.5 && y < h - 0.5;
  return drawn ? undefined : "off-map";
}

/**
 * Writes the 8-float records of channels c0 .. c0 + cc - 1 to `dest` (from its start) and
 * appends the skipped landmarks to `skipped`. Skipped channels get an empty window
 * (lo = 1 > hi = 0). Allocation-free: `dest` is a view of the WASM arena.
 */
export function gaussianParams(
  input: ParamsInput,
  c0: number,
  cc: number,
  dest: Float32Array,
  skipped: { n: number; k: number; reason: SkipReason }[],
): void {
  const { landmarks, k, h, w, sigma, full, official, visibility } = input;
  const r = 3 * sigma;
  for (let c = c0; c < c0 + cc; c++) {
    const x = landmarks[2 * c]!, y = landmarks[2 * c + 1]!;
    const o = 8 * (c - c0);
    let reason = skipReason(x, y, visibility === undefined || visibility[c]! > 0, input);
    if (reason === undefined && official) {
      const ax = officialAxis(x, sigma, w), ay = officialAxis(y, sigma, h);
      if (ax === undefined || ay === undefined) {
        reason = "off-map";
      } else {
        dest[o] = ax.mu;
        dest[o + 1] = ax.s;
        dest[o + 2] = ax.lo;
        dest[o + 3] = ax.hi;
        dest[o + 4] = ay.mu;
        dest[o + 5] = ay.s;
        dest[o + 6] = ay.lo;
        dest[o + 7] = ay.hi;
      }
    } else if (reason === undefined) {
      // with offMap "partial" the centre may lie off the map; an off-map centre passes
      // skipReason only with column 0 or W - 1 within 3 sigma, so its clipped window is not
      // empty
      dest[o] = x;
      dest[o + 1] = sigma;
      dest[o + 2] = full ? 0 : Math.max(0, Math.ceil(x - r));
      dest[o + 3] = full ? w - 1 : Math.min(w - 1, Math.floor(x + r));
      dest[o + 4] = y;
      dest[o + 5] = sigma;
      dest[o + 6] = full ? 0 : Math.max(0, Math.ceil(y - r));
      dest[o + 7] = full ? h - 1 : Math.min(h - 1, Math.floor(y + r));
    }
    if (reason !== undefined) {
      skipped.push({ n: Math.floor(c / k), k: c % k, reason });
      dest[o + 2] = 1;
      dest[o + 3] = 0;
      dest[o + 6] = 1;
      dest[o + 7] = 0;
    }
  }
}
