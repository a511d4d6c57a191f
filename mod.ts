/**
 * awing: face alignment by heatmap regression around the Adaptive Wing loss
 * (Wang, Bo, Fuxin, ICCV 2019, arXiv:1904.07399). The loss and its gradient come from an
 * AssemblyScript WASM SIMD core, checked against the plain float64 reference in
 * `@facealign/awing/reference`.
 *
 * @example
 * ```ts
 * import { awingLoss } from "@facealign/awing";
 * import { ok } from "node:assert/strict";
 * const { loss } = awingLoss(new Float32Array([1]), new Float32Array([0]), {
 *   shape: [1, 1, 1, 1],
 *   mapWeight: 0,
 * });
 * ok(Math.abs(loss - 8.495946) < 1e-5);
 * ```
 *
 * @module
 */
export * from "./src/loss/mod.ts";
export * from "./src/heatmap/mod.ts";
export * from "./src/decode/mod.ts";
export * from "./src/layouts/mod.ts";
export * from "./src/metrics/mod.ts";
