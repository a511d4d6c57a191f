/**
 * Plain float64 reference implementations, written to be read next to the paper: the
 * Adaptive Wing loss per pixel, its linear-branch constants A and C, the baselines, the
 * weighted loss map and a whole-batch loss, the target heatmaps (unbiased and a port of the
 * official `draw_gaussian`), the boundary heatmaps and the heatmap decoders. They are the
 * oracle every fast path is tested against, and slow on purpose.
 *
 * @example
 * ```ts
 * import { awingPixel } from "@facealign/awing/reference";
 * import { ok } from "node:assert/strict";
 * ok(awingPixel(0, 0).grad === 0);
 * ```
 *
 * @module
 */
export * from "./awing_pixel.ts";
export * from "./baseline_pixel.ts";
export * from "./weight_map_reference.ts";
export * from "./loss_reference.ts";
export * from "./gaussian_reference.ts";
export * from "./decode_reference.ts";
export * from "./boundary_reference.ts";
