import type { LossName } from "./types.ts";

/**
 * Adam learning rates per loss for the U-Net of {@link createHeatmapModel} on the rendered
 * 300W protocol, chosen on the validation split by the ablation's learning-rate sweep (seed 0,
 * 2,100 steps of batch 8, rates 3e-4 to 1e-2; docs/ablation/sweep.md): the rate with the lowest
 * validation NME, each inside the range tried. MSE 3e-3 (10.55%), AWing without the map 3e-3
 * (9.95%), AWing with it 3e-3 (5.30%); Wing never left the all-zero output at any rate (100% at
 * 1e-3, the least bad). L1 and Soft Wing were not swept and keep Adam's usual 1e-3.
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
  wing: 1e-3,
  "awing-nomap": 3e-3,
  awing: 3e-3,
  l1: 1e-3,
  softwing: 1e-3,
};
