/**
 * Face-alignment metrics: per-image NME with the usual normalisers (inter-ocular,
 * inter-pupil, box-based, custom pair), mean NME, failure rate, CED curve, AUC (exact or
 * PIPNet's Simpson) and the WFLW per-attribute breakdown. All arithmetic is in float64.
 *
 * @example
 * ```ts
 * import { auc, failureRate, meanNme, nme } from "@facealign/awing/metrics";
 * import { equal } from "node:assert/strict";
 *
 * const gt = new Float64Array([0, 0, 10, 0]); // one face, 2 points
 * const pred = new Float64Array([1, 0, 10, 0]);
 * const nmes = nme(pred, gt, { numPoints: 2, norm: { pair: [0, 1] } });
 * equal(meanNme(nmes), 0.05); // (1 + 0) / 2 / 10
 * equal(failureRate(nmes), 0);
 * equal(auc(nmes), 0.5);
 * ```
 *
 * @module
 */
export type { NmeValues } from "./types.ts";
export { type NmeNorm, normDistance, type NormDistanceOptions } from "./norm_distance.ts";
export { nme, type NmeOptions } from "./nme.ts";
export { meanNme } from "./mean_nme.ts";
export { failureRate, type FailureRateOptions } from "./failure_rate.ts";
export { type CedCurve, cedCurve, type CedCurveOptions } from "./ced_curve.ts";
export { auc, type AucOptions } from "./auc.ts";
export {
  type SubsetMetrics,
  subsetMetrics,
  type SubsetMetricsOptions,
  type SubsetResult,
} from "./subset_metrics.ts";
export {
  evaluate,
  type EvaluateOptions,
  type Evaluation,
  type ScoreSummary,
  type ThresholdScores,
} from "./evaluate.ts";
export { formatEvaluation } from "./format_evaluation.ts";
