import { checkOptions } from "../_validate.ts";
import { checkInt, MAX_SIDE } from "./_check.ts";
import type { Affine } from "./types.ts";

/** Options of {@linkcode heatmapAffine}. */
export interface HeatmapAffineOptions {
  /** Side of the network input (the crop) in pixels, e.g. 256. */
  readonly inputSize: number;
  /** Side of the heatmap in pixels, e.g. 64. */
  readonly heatmapSize: number;
  /**
   * `"aligned"` (default): x_hm = (x + 0.5) / stride - 0.5, pixel centres to pixel centres,
   * as `toHeatmapCoords` (the default for the unbiased targets). `"msra"`: x_hm = x / stride
   * (mmpose, the official AWing code).
   */
  readonly convention?: "aligned" | "msra";
}

/**
 * The crop -> heatmap affine for a network whose heatmap is `inputSize / heatmapSize` times
 * smaller than its input, with the same conventions as `toHeatmapCoords` of
 * `@facealign/awing/heatmap`. Compose it after a crop ({@linkcode composeAffine}) to go from
 * image to heatmap pixels in one step, and invert it to go back.
 *
 * @param options Input and heatmap sizes, convention.
 * @returns The crop -> heatmap transform.
 * @throws {RangeError} If a size is not a whole number in [1, 16384].
 * @throws {TypeError} If the convention is unknown.
 *
 * @example Image -> 256 crop -> 64 heatmap and back
 * ```ts
 * import { applyAffine, composeAffine, faceBoxAffine, heatmapAffine, invertAffine } from "@facealign/awing/data";
 * import { deepEqual, ok } from "node:assert/strict";
 *
 * const toHeatmap = heatmapAffine({ inputSize: 256, heatmapSize: 64 });
 * deepEqual(applyAffine(new Float64Array([1.5, 129.5]), toHeatmap), new Float64Array([0, 32]));
 * const crop = faceBoxAffine({ box: [40, 60, 200, 220], size: 256 });
 * const imageToHeatmap = composeAffine(crop, toHeatmap);
 * const p = new Float64Array([123.4, 170.2]);
 * const back = applyAffine(applyAffine(p, imageToHeatmap), invertAffine(imageToHeatmap));
 * ok(Math.abs(back[0]! - 123.4) < 1e-9 && Math.abs(back[1]! - 170.2) < 1e-9);
 * ```
 */
export function heatmapAffine(options: HeatmapAffineOptions): Affine {
  const action = "compute heatmap affine";
  checkOptions(options, action);
  const input = checkInt(options?.inputSize, "inputSize", 1, MAX_SIDE, action);
  const heatmap = checkInt(options.heatmapSize, "heatmapSize", 1, MAX_SIDE, action);
  const convention = options.convention ?? "aligned";
  if (convention !== "aligned" && convention !== "msra") {
    throw new TypeError(
      `Cannot ${action}: "convention" must be "aligned" or "msra" but it is ${
        JSON.stringify(convention)
      }`,
    );
  }
  const k = heatmap / input;
  const shift = convention === "aligned" ? 0.5 * k - 0.5 : 0;
  return [k, 0, shift, 0, k, shift];
}
