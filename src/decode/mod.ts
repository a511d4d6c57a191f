/**
 * Heatmap decoders: heatmaps `[N, K, H, W]` to landmarks `[N, K, 2]` and a confidence per
 * landmark, in the project's pixel-centre frame (pixel (row i, col j) has its centre at
 * (x = j, y = i)), so that encode -> decode round-trips. Argmax, the FAN and mmpose
 * quarter-pixel shifts, DARK and soft-argmax; argmax, the DARK blur and the soft-argmax sums
 * run in the WASM SIMD core.
 *
 * @example
 * ```ts
 * import { decodeArgmax, decodeDark } from "@facealign/awing/decode";
 * import { gaussianHeatmaps } from "@facealign/awing/heatmap";
 * import { ok } from "node:assert/strict";
 * const shape = [1, 1, 64, 64] as const;
 * const { heatmaps } = gaussianHeatmaps(new Float32Array([12.4, 40.7]), { shape });
 * const coarse = decodeArgmax(heatmaps, { shape }).landmarks; // [12, 41]
 * const fine = decodeDark(heatmaps, { shape }).landmarks; // [12.40, 40.70]
 * ok(Math.abs(fine[0]! - 12.4) < Math.abs(coarse[0]! - 12.4));
 * ```
 *
 * @module
 */
export * from "./decode_argmax.ts";
export * from "./decode_quarter_offset.ts";
export * from "./decode_dark.ts";
export * from "./decode_soft_argmax.ts";
export type * from "./types.ts";
export type { FloatArray, Shape4 } from "../types.ts";
