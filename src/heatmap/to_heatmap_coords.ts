import type { FloatArray } from "../types.ts";
import { coordAffine } from "./_coords.ts";

/**
 * Options of {@link toHeatmapCoords} and {@link fromHeatmapCoords}; `T` is the array type of the
 * output.
 */
export interface HeatmapCoordsOptions<T extends FloatArray = FloatArray> {
  /** Image pixels per heatmap pixel (e.g. 4 for a 256 crop and a 64 map). */
  stride: number;
  /**
   * `"aligned"` (default): pixel centres map to pixel centres, x_hm = (x_img + 0.5) / stride
   * - 0.5, the exact inverse of a stride-s average pool under the project's pixel-centre
   * convention (pixel j has its centre at x = j in both frames). `"msra"`: x_hm = x_img /
   * stride, the convention of mmpose `MSRAHeatmap` and of the official AWing code
   * (`landmarks / 4`), which is what `gaussianHeatmaps(..., { mode: "official" })` expects.
   */
  convention?: "aligned" | "msra" | undefined;
  /** Output buffer, same length as the input. Defaults to a new array of the input's type. */
  out?: T | undefined;
}

/**
 * Image coordinates to heatmap coordinates for a given stride. With the default `"aligned"`
 * convention x_hm = (x_img + 0.5) / stride - 0.5 (and the same for y): the centre of image
 * pixel j maps to the centre of the stride x stride block it falls in, so a 256 crop's pixel
 * centres 0..3 average to heatmap pixel 0. `"msra"` gives x_hm = x_img / stride (mmpose,
 * official AWing code). NaN stays NaN (a missing landmark). Float32Array and Float64Array
 * landmarks are accepted; the result has the input's type unless `out` is given.
 *
 * @example
 * ```ts
 * import { toHeatmapCoords } from "@facealign/awing/heatmap";
 * import { deepEqual } from "node:assert/strict";
 * const image = new Float32Array([1.5, 129.5]);
 * deepEqual(Array.from(toHeatmapCoords(image, { stride: 4 })), [0, 32]);
 * deepEqual(Array.from(toHeatmapCoords(image, { stride: 4, convention: "msra" })), [0.375, 32.375]);
 * ```
 *
 * @typeParam T The input type, Float32Array or Float64Array.
 * @typeParam O The output type: that of `options.out`, else the input's.
 * @param landmarks (x, y) pairs in image pixels, e.g. `[N, K, 2]`.
 * @param options Stride (required), convention, output buffer.
 * @returns The (x, y) pairs in heatmap pixels.
 * @throws {TypeError} When `landmarks` is not a Float32Array or Float64Array of pairs, or `out`
 * does not fit or shares memory with `landmarks` other than as the very same elements (in
 * place, `out: landmarks`, works).
 * @throws {RangeError} When the stride is not > 0.
 */
export function toHeatmapCoords<T extends FloatArray, O extends FloatArray = T>(
  landmarks: T,
  options: HeatmapCoordsOptions<O>,
): O {
  const { stride, shift, out } = coordAffine<O>(landmarks, options, "convert coordinates");
  for (let i = 0; i < landmarks.length; i++) out[i] = (landmarks[i]! + shift) / stride - shift;
  return out;
}
