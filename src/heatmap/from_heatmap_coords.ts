import type { FloatArray } from "../types.ts";
import { coordAffine } from "./_coords.ts";
import type { HeatmapCoordsOptions } from "./to_heatmap_coords.ts";

/**
 * Heatmap coordinates back to image coordinates, the inverse of {@link toHeatmapCoords}:
 * x_img = (x_hm + 0.5) stride - 0.5 (`"aligned"`, default) or x_hm stride (`"msra"`).
 * Decoders return heatmap coordinates in the pixel-centre frame, so aligned targets decoded
 * and mapped back with the same convention round-trip to the image landmarks. Float32Array and
 * Float64Array landmarks are accepted; the result has the input's type unless `out` is given.
 *
 * @example
 * ```ts
 * import { fromHeatmapCoords, toHeatmapCoords } from "@facealign/awing/heatmap";
 * import { ok } from "node:assert/strict";
 * const image = new Float32Array([100.3, 57.9]);
 * const back = fromHeatmapCoords(toHeatmapCoords(image, { stride: 4 }), { stride: 4 });
 * ok(Math.abs(back[0]! - 100.3) < 1e-4 && Math.abs(back[1]! - 57.9) < 1e-4);
 * ```
 *
 * @typeParam T The input type, Float32Array or Float64Array.
 * @typeParam O The output type: that of `options.out`, else the input's.
 * @param landmarks (x, y) pairs in heatmap pixels.
 * @param options Stride (required), convention, output buffer.
 * @returns The (x, y) pairs in image pixels.
 * @throws {TypeError} When `landmarks` is not a Float32Array or Float64Array of pairs, or `out`
 * does not fit or shares memory with `landmarks` other than as the very same elements (in
 * place, `out: landmarks`, works).
 * @throws {RangeError} When the stride is not > 0.
 */
export function fromHeatmapCoords<T extends FloatArray, O extends FloatArray = T>(
  landmarks: T,
  options: HeatmapCoordsOptions<O>,
): O {
  const { stride, shift, out } = coordAffine<O>(landmarks, options, "convert coordinates");
  for (let i = 0; i < landmarks.length; i++) out[i] = (landmarks[i]! + shift) * stride - shift;
  return out;
}
