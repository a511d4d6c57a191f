import type { LossName } from "./types.ts";

/**
 * Adam learning rates per loss for the U-Net of {@link createHeatmapModel} on the rendered
 * 300W protocol. `deno task ablation --sweep` compares 1e-3 and 3e-3 per loss on the
 * validation split; the sweep recorded in docs/ablation/sweep.md only finished its MSE runs
 * (the shared machine was loaded), where 1e-3 had the lower validation NME, and 1e-3 is used
 * for every loss (Adam's steps do not depend on the scale of the loss).
 *
 * @example
 * ```ts
 * import { LEARNING_RATES } from "@facealign/awing/train";
 * import { ok } from "node:assert/strict";
 * ok(LEARNING_RATES.awing > 0 && LEARNING_RATES.mse > 0);
 * ```
 */
export const LEARNING_RATES: Readonly<Record<LossName, number>> = {
  mse: 1e-3,
  wing: 1e-3,
  "awing-nomap": 1e-3,
  awing: 1e-3,
  l1: 1e-3,
  softwing: 1e-3,
};
