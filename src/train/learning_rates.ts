import type { LossName } from "./types.ts";

/**
 * Adam learning rates per loss for the U-Net of {@link createHeatmapModel} on the rendered
 * 300W protocol, each the best validation NME of a small sweep (`deno task ablation --sweep`;
 * results in docs/ablation/sweep.md). The losses differ in scale and curvature, so a fair
 * comparison gives each its own rate.
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
