import { checkAtLeast, checkF32, checkFinite, checkLength, checkShape4 } from "../_validate.ts";
import { CHUNK_FLOATS, f32At, reserve, wasm } from "../_wasm.ts";
import type { Shape4 } from "../types.ts";

/** Options of {@link weightMap}. */
export interface WeightMapOptions {
  /** Shape `[N, K, H, W]` of the target. */
  shape: Shape4;
  /** W, named as in the losses' options. Defaults to 10. */
  mapWeight?: number | undefined;
  /** Threshold (strict `>`), named as in the losses' options. Defaults to 0.2. */
  mapThreshold?: number | undefined;
  /** Output buffer (N*K*H*W floats). */
  out?: Float32Array | undefined;
}

/**
 * The paper's weighted loss map `W * M + 1`, with M = [3x3 grey dilation of the target >
 * threshold] per channel (neighbours outside the map ignored, as scipy's default 'reflect'
 * mode gives). The losses apply it themselves in their fused pass; this is for inspection
 * and for custom losses. Computed in WASM with a separable dilation.
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
 * @param target Target heatmaps, N*K*H*W floats.
 * @param options Shape (required), `mapWeight` W, `mapThreshold`, output buffer.
 * @returns The map, one weight per pixel.
 * @throws {TypeError} When the length does not match the shape.
 * @throws {RangeError} For NaN or infinite targets, mapWeight < 0, or an empty batch.
 */
export function weightMap(target: Float32Array, options: WeightMapOptions): Float32Array {
  const action = "compute weight map";
  checkF32(target, "target", action);
  const size = checkShape4(options?.shape, action);
  checkLength(target, "target", size, `shape ${JSON.stringify(options.shape)}`, action);
  const weight = options.mapWeight ?? 10;
  const threshold = options.mapThreshold ?? 0.2;
  checkAtLeast(weight, "mapWeight", 0, action);
  if (!Number.isFinite(threshold)) {
    throw new RangeError(
      `Cannot ${action} as mapThreshold must be finite: current value is ${threshold}`,
    );
  }
  checkFinite(target, "target", action);
  const out = options.out ?? new Float32Array(size);
  checkF32(out, "out", action);
  checkLength(out, "out", size, `"target"`, action);
  const [, , h, w] = options.shape;
  const hw = h * w;
  const channels = size / hw;
  const chunk = Math.min(channels, Math.max(1, Math.floor(CHUNK_FLOATS / hw)));
  const [rm, pT, pOut] = reserve([hw * 4, chunk * hw * 4, chunk * hw * 4], action);
  const core = wasm();
  for (let c0 = 0; c0 < channels; c0 += chunk) {
    const cc = Math.min(chunk, channels - c0);
    const lo = c0 * hw, m = cc * hw;
    f32At(pT, m).set(target.subarray(lo, lo + m));
    for (let c = 0; c < cc; c++) {
      core.weight_map(pOut + c * hw * 4, pT + c * hw * 4, rm, h, w, weight, threshold, 1);
    }
    out.set(f32At(pOut, m), lo);
  }
  return out;
}
