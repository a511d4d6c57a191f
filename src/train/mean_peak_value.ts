/**
 * The mean predicted heatmap value at the target peaks: for every face n and landmark k, the
 * value of channel k at the pixel nearest to the landmark (in heatmap pixels), averaged over
 * the landmarks that lie on the map. A target peak is 1; the paper observes that MSE
 * under-predicts these foreground pixels, which this measures.
 *
 * @example
 * ```ts
 * import { meanPeakValue } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const maps = new Float32Array(2 * 4 * 4);
 * maps[1 * 4 + 2] = 0.8; // channel 0 at (x 2, y 1)
 * maps[16 + 3 * 4 + 0] = 0.6; // channel 1 at (x 0, y 3)
 * const v = meanPeakValue(maps, [1, 2, 4, 4], new Float32Array([2.2, 0.9, 0.1, 3.3]));
 * equal(Math.round(v * 10), 7);
 * ```
 *
 * @param heatmaps Predicted heatmaps `[N, C, h, w]` (C >= K; extra channels are ignored).
 * @param shape Their shape.
 * @param landmarks Target landmarks `[N, K, 2]` in heatmap pixels.
 * @returns The mean value, or NaN when no landmark lies on the map.
 * @throws {TypeError} When the sizes do not fit.
 */
export function meanPeakValue(
  heatmaps: Float32Array,
  shape: readonly [number, number, number, number],
  landmarks: Float32Array,
): number {
  const [n, c, h, w] = shape;
  const k = landmarks.length / (2 * n);
  if (heatmaps.length !== n * c * h * w || !(Number.isInteger(k) && k <= c)) {
    throw new TypeError(
      `Cannot compute peak values: heatmaps of ${heatmaps.length} values, shape [${shape}] and ${landmarks.length} landmark coordinates do not fit`,
    );
  }
  let sum = 0, count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const x = Math.round(landmarks[2 * (i * k + j)]!);
      const y = Math.round(landmarks[2 * (i * k + j) + 1]!);
      if (!(x >= 0 && x < w && y >= 0 && y < h)) continue;
      sum += heatmaps[((i * c + j) * h + y) * w + x]!;
      count++;
    }
  }
  return count > 0 ? sum / count : NaN;
}
