import { checkOptions } from "../_validate.ts";
/** Options of {@link decodeReference}. */
export interface DecodeReferenceOptions {
  /**
   * `"argmax"`; `"fan"` or `"mmpose"` (quarter-pixel shift); `"dark"`; `"softmax"` or
   * `"linear"` (soft-argmax weights).
   */
  method: "argmax" | "fan" | "mmpose" | "dark" | "softmax" | "linear";
  /** `"fan"` only: add the official +0.5 (the `"native"` frame). Defaults to false. */
  native?: boolean | undefined;
  /** `"dark"`: odd blur size (cv2.getGaussianKernel(k, 0)). Defaults to 5. */
  kernelSize?: number | undefined;
  /** `"softmax"`: inverse temperature. Defaults to 1. */
  beta?: number | undefined;
}

// cv2.getGaussianKernel(k, 0): fixed tables up to 7, else sigma = 0.3((k-1)/2 - 1) + 0.8
function cvKernel(k: number): number[] {
  const tables: Record<number, number[]> = {
    1: [1],
    3: [1 / 4, 2 / 4, 1 / 4],
    5: [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16],
    7: [1 / 32, 3.5 / 32, 7 / 32, 9 / 32, 7 / 32, 3.5 / 32, 1 / 32],
  };
  if (tables[k]) return tables[k];
  const s = 0.3 * ((k - 1) / 2 - 1) + 0.8;
  const g = Array.from({ length: k }, (_, t) => Math.exp(-((t - (k - 1) / 2) ** 2) / (2 * s * s)));
  const sum = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / sum);
}

/**
 * Heatmap decoders in float64, written as the papers and the original code state them: the
 * oracle of `decodeArgmax`, `decodeQuarterOffset`, `decodeDark` and `decodeSoftArgmax`. The
 * DARK blur is a direct 2-D convolution of the zero-padded channel (no separability), the
 * soft-argmax a plain double loop.
 *
 * @example
 * ```ts
 * import { decodeReference } from "@facealign/awing/reference";
 * import { deepEqual } from "node:assert/strict";
 * const hm = [0, 0, 0, 0, 1, 0.5, 0, 0, 0];
 * const { landmarks } = decodeReference(hm, [1, 1, 3, 3], { method: "fan" });
 * deepEqual(Array.from(landmarks), [1.25, 1]);
 * ```
 *
 * @param heatmaps Heatmaps `[N, K, H, W]`.
 * @param shape Their shape.
 * @param options The method and its parameters.
 * @returns Landmarks `[N, K, 2]` and confidence (the maximum) `[N, K]`.
 */
export function decodeReference(
  heatmaps: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  options: DecodeReferenceOptions,
): { landmarks: Float64Array; confidence: Float64Array } {
  checkOptions(options, "decode heatmaps");
  const [n, k, h, w] = shape;
  const landmarks = new Float64Array(n * k * 2);
  const confidence = new Float64Array(n * k);
  const { method } = options;
  for (let c = 0; c < n * k; c++) {
    const at = (i: number, j: number): number => heatmaps[c * h * w + i * w + j]!;
    // first maximum, row-major
    let x = 0, y = 0, best = -Infinity;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        if (at(i, j) > best) {
          best = at(i, j);
          x = j;
          y = i;
        }
      }
    }
    confidence[c] = best;
    let px = x, py = y;
    if (method === "fan") {
      if (x > 0 && x < w - 1 && y > 0 && y < h - 1) {
        px += 0.25 * Math.sign(at(y, x + 1) - at(y, x - 1));
        py += 0.25 * Math.sign(at(y + 1, x) - at(y - 1, x));
      }
      if (options.native) {
        px += 0.5;
        py += 0.5;
      }
    } else if (method === "mmpose") {
      if (1 < x && x < w - 1 && 0 < y && y < h) {
        px += 0.25 * Math.sign(at(y, x + 1) - at(y, x - 1));
      }
      if (1 < y && y < h - 1 && 0 < x && x < w) {
        py += 0.25 * Math.sign(at(y + 1, x) - at(y - 1, x));
      }
    } else if (method === "dark") {
      const ks = options.kernelSize ?? 5;
      const kern = cvKernel(ks);
      const r = (ks - 1) / 2;
      const blurAt = (i: number, j: number): number => {
        let s = 0;
        for (let a = -r; a <= r; a++) {
          for (let b = -r; b <= r; b++) {
            const ii = i + a, jj = j + b;
            if (ii >= 0 && ii < h && jj >= 0 && jj < w) {
              s += kern[a + r]! * kern[b + r]! * at(ii, jj);
            }
          }
        }
        return s;
      };
      let peak = -Infinity;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) peak = Math.max(peak, blurAt(i, j));
      if (1 < x && x < w - 2 && 1 < y && y < h - 2 && peak > 0) {
        const D = (i: number, j: number): number =>
          Math.log(Math.max((blurAt(i, j) * best) / peak, 1e-10));
        const dx = 0.5 * (D(y, x + 1) - D(y, x - 1));
        const dy = 0.5 * (D(y + 1, x) - D(y - 1, x));
        const dxx = 0.25 * (D(y, x + 2) - 2 * D(y, x) + D(y, x - 2));
        const dyy = 0.25 * (D(y + 2, x) - 2 * D(y, x) + D(y - 2, x));
        const dxy = 0.25 * (D(y + 1, x + 1) - D(y - 1, x + 1) - D(y + 1, x - 1) + D(y - 1, x - 1));
        const det = dxx * dyy - dxy * dxy;
        if (det !== 0) {
          // mu = m - H^-1 grad, H^-1 = [[dyy, -dxy], [-dxy, dxx]] / det
          px = x - (dyy * dx - dxy * dy) / det;
          py = y - (-dxy * dx + dxx * dy) / det;
        }
      }
    } else if (method === "softmax" || method === "linear") {
      const beta = options.beta ?? 1;
      let s = 0, sx = 0, sy = 0;
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const p = method === "linear"
            ? Math.max(at(i, j), 0)
            : Math.exp(beta * (at(i, j) - best));
          s += p;
          sx += p * j;
          sy += p * i;
        }
      }
      px = sx / s;
      py = sy / s;
    }
    landmarks[2 * c] = px;
    landmarks[2 * c + 1] = py;
  }
  return { landmarks, confidence };
}
