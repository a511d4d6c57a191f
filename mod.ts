/**
 * awing: face alignment by heatmap regression around the Adaptive Wing loss
 * (Wang, Bo, Fuxin, ICCV 2019, arXiv:1904.07399).
 *
 * - Losses with their gradients from an AssemblyScript WASM SIMD core: `awingLoss` with the
 *   paper's weighted loss map, the baselines `wingLoss`, `softWingLoss`, `mseLoss`, `l1Loss`,
 *   and `weightMap` (also at `@facealign/awing/loss`).
 * - Training targets: `gaussianHeatmaps`, `boundaryHeatmaps`, `coordChannels`,
 *   `toHeatmapCoords` (`@facealign/awing/heatmap`).
 * - Decoders: `decodeArgmax`, `decodeQuarterOffset`, `decodeDark`, `decodeSoftArgmax`
 *   (`@facealign/awing/decode`).
 * - Scores: `evaluate` (all of them in one call), `nme`, `failureRate`, `auc`, `cedCurve`,
 *   `subsetMetrics` (`@facealign/awing/metrics`); layouts and annotation readers, `.npy`
 *   included (`@facealign/awing/layouts`).
 *
 * The CUDA backend lives at `@facealign/awing/gpu` (it needs `--allow-ffi`; importing this
 * module never touches FFI) and the float64 oracle of every kernel at
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
