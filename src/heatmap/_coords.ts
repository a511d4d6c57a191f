// Shared checks of toHeatmapCoords / fromHeatmapCoords.
import { checkAbove, checkFloat, checkOneOf, checkOptions } from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import type { FloatArray } from "../types.ts";
import type { HeatmapCoordsOptions } from "./to_heatmap_coords.ts";

/**
 * Validates and returns the stride and shift (x_hm = (x_img + shift) / stride - shift) and the
 * output: `options.out`, or a new array of the input's type.
 */
export function coordAffine<T extends FloatArray>(
  landmarks: FloatArray,
  options: HeatmapCoordsOptions<T>,
  action: string,
): { stride: number; shift: number; out: T } {
  checkOptions(options, action);
  checkFloat(landmarks, "landmarks", action);
  if (landmarks.length % 2 !== 0) {
    throw new TypeError(
      `Cannot ${action}: "landmarks" must hold (x, y) pairs but it has ${landmarks.length} elements`,
    );
  }
  const stride = options?.stride;
  checkAbove(stride, "stride", 0, action);
  const convention = options.convention ?? "aligned";
  checkOneOf(convention, "convention", ["aligned", "msra"], action);
  const out = options.out ??
    (landmarks instanceof Float64Array
      ? new Float64Array(landmarks.length)
      : new Float32Array(landmarks.length)) as T;
  if (
    !(out instanceof Float32Array || out instanceof Float64Array) ||
    out.length !== landmarks.length
  ) {
    throw new TypeError(
      `Cannot ${action}: "out" must be a Float32Array or Float64Array of ${landmarks.length} elements`,
    );
  }
  checkNoOverlap([["out", out]], [["landmarks", landmarks]], action, ["landmarks"]);
  return { stride, shift: convention === "aligned" ? 0.5 : 0, out };
}
