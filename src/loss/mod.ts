/**
 * Heatmap losses with their gradients, computed by the WASM SIMD core: the Adaptive Wing
 * loss with the paper's weighted loss map, and the baselines it is compared with (Wing,
 * Soft Wing, MSE, L1).
 *
 * @example
 * ```ts
 * import { awingLoss } from "@facealign/awing/loss";
 * import { ok } from "node:assert/strict";
 * const target = new Float32Array(64 * 64);
 * target[32 * 64 + 32] = 1;
 * const pred = new Float32Array(64 * 64);
 * const { loss, grad } = awingLoss(pred, target, { shape: [1, 1, 64, 64] });
 * ok(loss > 0 && grad[32 * 64 + 32]! < 0);
 * ```
 *
 * @module
 */
export * from "./awing_loss.ts";
export * from "./wing_loss.ts";
export * from "./soft_wing_loss.ts";
export * from "./mse_loss.ts";
export * from "./l1_loss.ts";
export * from "./weight_map.ts";
export type * from "../types.ts";
