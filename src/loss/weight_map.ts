import {
  checkAtLeast,
  checkElements,
  checkF32,
  checkFinite,
  checkFloat32Param,
  checkLength,
  checkOptions,
  checkShape4,
} from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import { f32At, reserve, wasm } from "../_wasm.ts";
import type { HeatmapLayout, Shape4 } from "../types.ts";
import { resolveLayout } from "./_options.ts";
import { plan, toPlanes } from "./_planes.ts";

/** Options of {@link weightMap}. */
export interface WeightMapOptions {
  /** Shape of the target: `[N, K, H, W]`, or `[N, H, W, K]` with `"nhwc"`. */
  shape: Shape4;
  /**
   * Memory order of the target and the map: `"nchw"` (the default) or `"nhwc"`; channel-last
   * maps dilate within each landmark's channel and equal the channel-first ones transposed.
   */
  layout?: HeatmapLayout | undefined;
  /** W, named as in the losses' options. Defaults to 10. */
  mapWeight?: number | undefined;
  /**
   * Threshold (strict `>`, compared in float32), named as in the losses' options. Defaults to
   * 0.2.
   */
  mapThreshold?: number | undefined;
  /**
   * Output buffer (N*K*H*W floats). It must not share memory with `target`, not even be
   * `target` itself (a TypeError): the dilation reads rows next to those already written.
   */
  out?: Float32Array | undefined;
}

/**
 * The paper's weighted loss map `W * M + 1`, with M = [3x3 grey dilation of the target >
 * threshold] per channel (neighbours outside the map ignored, as scipy's default 'reflect'
 * mode gives). The losses apply it themselves in their fused pass; this is for inspection
 * and for custom losses. Computed in WASM with a separable dilation.
 *
 * The comparison is made in float32, as in the official code (float32 maps): the threshold
 * is rounded to float32 first, so a target equal to `Math.fround(0.2)` is not above the
 * default 0.2 and gets weight 1; `weightMapReference` and the CUDA library follow the same
 * rule.
 *
 * @example The official 61-pixel mask of a centred landmark is a 9x9 square less corners;
 * a single peak gives a 3x3 square
 * ```ts
 * import { weightMap } from "@facealign/awing/loss";
 * import { equal } from "node:assert/strict";
 * const target = new Float32Array(64 * 64);
 * target[32 * 64 + 32] = 1;
 * const map = weightMap(target, { shape: [1, 1, 64, 64] });
 * equal(map.filter((v) => v === 11).length, 9);
 * ```
 *
 * @example Channel-last: the dilation stays inside each landmark's channel
 * ```ts
 * import { weightMap } from "@facealign/awing/loss";
 * import { equal } from "node:assert/strict";
 * const [h, w, k] = [16, 16, 3];
 * const target = new Float32Array(h * w * k);
 * target[(8 * w + 8) * k + 1] = 1; // landmark 1 at row 8, column 8
 * const map = weightMap(target, { shape: [1, h, w, k], layout: "nhwc" });
 * equal(map.filter((v) => v === 11).length, 9);
 * equal(map[(8 * w + 9) * k + 1], 11);
 * equal(map[(8 * w + 9) * k + 2], 1);
 * ```
 *
 * @param target Target heatmaps, N*K*H*W floats.
 * @param options Shape (required), layout, `mapWeight` W, `mapThreshold`, output buffer.
 * @returns The map, one weight per pixel.
 * @throws {TypeError} When the length does not match the shape, or `out` overlaps `target`.
 * @throws {RangeError} For NaN or infinite targets, mapWeight < 0, mapWeight or mapThreshold
 * not a normal float32, or an empty batch.
 */
export function weightMap(target: Float32Array, options: WeightMapOptions): Float32Array {
  const action = "compute weight map";
  checkOptions(options, action);
  checkF32(target, "target", action);
  const layout = resolveLayout(options?.layout, true);
  const size = checkShape4(options?.shape, action, "shape", layout);
  checkElements(size, options.shape, action);
  checkLength(target, "target", size, `shape ${JSON.stringify(options.shape)}`, action);
  const weight = options.mapWeight ?? 10;
  const threshold = options.mapThreshold ?? 0.2;
  checkAtLeast(weight, "mapWeight", 0, action);
  if (!Number.isFinite(threshold)) {
    throw new RangeError(
      `Cannot ${action} as mapThreshold must be finite: current value is ${threshold}`,
    );
  }
  checkFloat32Param(weight, "mapWeight", action);
  checkFloat32Param(threshold, "mapThreshold", action);
  checkFinite(target, "target", action);
  const out = options.out ?? new Float32Array(size);
  checkF32(out, "out", action);
  checkLength(out, "out", size, `"target"`, action);
  checkNoOverlap([["out", out]], [["target", target]], action);
  const planes = toPlanes(options.shape, layout), { w, s } = planes;
  const cut = plan(planes);
  const core = wasm();
  const rowBytes = cut.row * 4;
  // the target's area has room for a halo row on each side of a band
  const [scratch, pTargetArea, pOut] = reserve(
    [core.scratch_floats(cut.rows, w, s) * 4, cut.floats * 4 + 2 * rowBytes, cut.floats * 4],
    action,
  );
  const targetArea = f32At(pTargetArea, cut.floats + 2 * cut.row);
  const outView = f32At(pOut, cut.floats);
  for (const { lo, hi, tlo, thi, planes, rows, halo } of cut.pieces()) {
    targetArea.set(target.subarray(tlo, thi), cut.row - (lo - tlo));
    const pTarget = pTargetArea + rowBytes;
    core.weight_maps(pOut, pTarget, planes, rows, w, s, halo, weight, threshold, scratch);
    out.set(outView.subarray(0, hi - lo), lo);
  }
  return out;
}
