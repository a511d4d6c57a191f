import { decodeDark } from "../decode/decode_dark.ts";
import { fromHeatmapCoords } from "../heatmap/from_heatmap_coords.ts";

/**
 * The K landmarks `[N, K, 2]` in crop pixels of heatmaps `[N, C, h, w]` (C >= K; channels past
 * K, such as a boundary channel, are ignored): DARK decoding, then each point clamped to the
 * map (on an almost flat map DARK's Newton step can land anywhere, even thousands of pixels
 * away), then heatmap to crop pixels for the given stride.
 */
export function _decodeLandmarks(
  heatmaps: Float32Array,
  shape: readonly [number, number, number, number],
  k: number,
  sigma: number,
  stride: number,
): Float32Array {
  const [n, c, h, w] = shape;
  const hw = h * w;
  let maps = heatmaps;
  if (c !== k) {
    maps = new Float32Array(n * k * hw);
    for (let i = 0; i < n; i++) {
      maps.set(heatmaps.subarray(i * c * hw, (i * c + k) * hw), i * k * hw);
    }
  }
  const { landmarks } = decodeDark(maps, { shape: [n, k, h, w], sigma });
  for (let i = 0; i < landmarks.length; i += 2) {
    landmarks[i] = Math.min(w - 1, Math.max(0, landmarks[i]!));
    landmarks[i + 1] = Math.min(h - 1, Math.max(0, landmarks[i + 1]!));
  }
  return fromHeatmapCoords(landmarks, { stride });
}
