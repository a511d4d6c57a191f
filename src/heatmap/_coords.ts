// Shared checks of toHeatmapCoords / fromHeatmapCoords.
import { checkAbove, checkOneOf } from "../_validate.ts";
import type { HeatmapCoordsOptions } from "./to_heatmap_coords.ts";

/** Validates and returns the stride and shift: x_hm = (x_img + shift) / stride - shift. */
export function coordAffine(
  landmarks: Float32Array,
  options: HeatmapCoordsOptions,
  action: string,
): { stride: number; shift: number; out: Float32Array } {
  if (!(landmarks instanceof Float32Array)) {
    throw new TypeError(`Cannot ${action}: "landmarks" must be a Float32Array`);
  }
  if (landmarks.length % 2 !== 0) {
    throw new TypeError(
      `Cannot ${action}: "landmarks" must hold (x, y) pairs but it has ${landmarks.length} elements`,
    );
  }
  const stride = options?.stride;
  checkAbove(stride, "stride", 0, action);
  const convention = options.convention ?? "aligned";
  checkOneOf(convention, "convention", ["aligned", "msra"], action);
  const out = options.out ?? new Float32Array(landmarks.length);
  if (!(out instanceof Float32Array) || out.length !== landmarks.length) {
    throw new TypeError(
      `Cannot ${action}: "out" must be a Float32Array of ${landmarks.length} elements`,
    );
  }
  return { stride, shift: convention === "aligned" ? 0.5 : 0, out };
}
