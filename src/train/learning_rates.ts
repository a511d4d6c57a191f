import type { LossName } from "./types.ts";

/**
 * Adam learning rates per loss for the U-Net of {@link createHeatmapModel} on the rendered
 * 300W protocol, chosen on the validation split by a learning-rate sweep (1e-3 against
 * 3e-3, seed 0, 600 steps of batch 8; docs/ablation/sweep.md): 3e-3 had the lower validation
 * NME for every loss it compared (MSE 24.7% against 59.1%, Wing 99.2% against 109.0%, AWing
 * without the map 27.8% against 59.3%, AWing with it 6.9% against 12.7%). L1 and Soft Wing were
 * not swept and keep Adam's usual 1e-3.
 *
 * @example
 * ```ts
 * import { LEARNING_RATES } from "@facealign/awing/train";
 * import { ok } from "node:assert/strict";
 * ok(LEARNING_RATES.awing > 0 && LEARNING_RATES.mse > 0);
 * ```
 */
export const LEARNING_RATES: Readonly<Record<LossName, number>> = {
  mse: 3e-3,
  wing: 3e-3,
  "awing-nomap": 3e-3,
  awing: 3e-3,
  l1: 1e-3,
  softwing: 1e-3,
};
