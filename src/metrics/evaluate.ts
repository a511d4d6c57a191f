import {
  WFLW_ATTRIBUTES,
  type WflwAttributeName,
  type WflwAttributes,
} from "../layouts/wflw_attributes.ts";
import { auc } from "./auc.ts";
import { type CedCurve, cedCurve } from "./ced_curve.ts";
import { failureRate } from "./failure_rate.ts";
import { meanNme } from "./mean_nme.ts";
import { nme } from "./nme.ts";
import type { NormDistanceOptions } from "./norm_distance.ts";
import { _checkThreshold } from "./_validate.ts";

/** Options of {@linkcode evaluate}: the NME's options and what to summarise. */
export interface EvaluateOptions extends NormDistanceOptions {
  /**
   * Thresholds t of the failure rate (NME > t) and of the AUC (CED integrated up to t), in
   * increasing order. Default `[0.08, 0.1]`, the usual ones for WFLW, 300W and COFW.
   */
  readonly thresholds?: readonly number[] | undefined;
  /** AUC method, see {@linkcode auc}. Default `"exact"`. */
  readonly aucMethod?: "exact" | "simpson" | undefined;
  /** Number of intervals of the CED grid, from 0 to the largest threshold. Default 1000. */
  readonly cedSteps?: number | undefined;
  /**
   * WFLW attribute flags of each face, same order as the landmarks (e.g. the `attributes` of
   * `parseWflwList` on a full list, or `wflwAttributesFromSubsets`): adds the per-subset table.
   */
  readonly attributes?: readonly WflwAttributes[] | undefined;
}

/** Failure rate and AUC at one threshold. */
export interface ThresholdScores {
  /** The threshold t. */
  readonly threshold: number;
  /** Fraction of faces with NME > t. */
  readonly failureRate: number;
  /** Area under the CED up to t, normalised to [0, 1]. */
  readonly auc: number;
}

/** The scores of a set of faces: a column of a paper's table. */
export interface ScoreSummary {
  /** Number of faces. */
  readonly count: number;
  /** Mean NME (a fraction; x 100 for the percentages of papers). */
  readonly nme: number;
  /** Failure rate and AUC at each threshold, in the order of `thresholds`. */
  readonly thresholds: readonly ThresholdScores[];
}

/** What {@linkcode evaluate} returns. */
export interface Evaluation extends ScoreSummary {
  /** The per-face NMEs. */
  readonly nmes: Float64Array;
  /** The cumulative error distribution from 0 to the largest threshold. */
  readonly ced: CedCurve;
  /**
   * The WFLW per-subset table (`null` for a subset with no face); `undefined` when no
   * attributes were given.
   */
  readonly subsets: { readonly [name in WflwAttributeName]: ScoreSummary | null } | undefined;
}

const WHAT = "evaluation";

function summarise(
  nmes: ArrayLike<number>,
  thresholds: readonly number[],
  method: "exact" | "simpson" | undefined,
): ScoreSummary {
  const values = Array.from(nmes);
  return {
    count: values.length,
    nme: meanNme(values),
    thresholds: thresholds.map((threshold) => ({
      threshold,
      failureRate: failureRate(values, { threshold }),
      auc: auc(values, { threshold, method }),
    })),
  };
}

/**
 * Scores predicted landmarks against the ground truth in one call: per-face NME, mean NME,
 * failure rate and AUC at each threshold (default 0.08 and 0.1), the CED curve, and, when
 * WFLW attributes are given, the same scores per subset (pose, expression, illumination,
 * make-up, occlusion, blur). All arithmetic is in float64; landmarks may be Float32Array or
 * Float64Array.
 *
 * @param pred Predicted landmarks `[N, K, 2]`.
 * @param gt Ground-truth landmarks, same shape.
 * @param options Normaliser and layout (as {@linkcode nme}), thresholds, AUC method, CED grid,
 * attributes.
 * @returns The scores.
 * @throws {TypeError} As {@linkcode nme}, or if `attributes` does not have N entries of six
 * boolean flags or `thresholds` is not a non-empty array.
 * @throws {RangeError} As {@linkcode nme}, or if a threshold is not a finite number > 0 or the
 * thresholds are not increasing.
 *
 * @example Two faces of 98 points, normalised by the outer eye corners
 * ```ts
 * import { evaluate } from "@facealign/awing/metrics";
 * import { equal, ok } from "node:assert/strict";
 *
 * const gt = new Float64Array(2 * 98 * 2).map((_, i) => (i * 7) % 101);
 * const pred = gt.map((v, i) => (i < 196 ? v : v + 30)); // face 1 is far off
 * const result = evaluate(pred, gt, { layout: "wflw", norm: "inter-ocular" });
 * equal(result.count, 2);
 * equal(result.nmes[0], 0);
 * equal(result.thresholds[1]!.threshold, 0.1);
 * equal(result.thresholds[1]!.failureRate, 0.5);
 * ok(Math.abs(result.thresholds[1]!.auc - 0.5) < 1e-12);
 * equal(result.subsets, undefined);
 * ```
 */
export function evaluate(
  pred: Float32Array | Float64Array,
  gt: Float32Array | Float64Array,
  options: EvaluateOptions,
): Evaluation {
  const nmes = nme(pred, gt, options);
  const thresholds = options.thresholds ?? [0.08, 0.1];
  if (!Array.isArray(thresholds) || thresholds.length === 0) {
    throw new TypeError(`Cannot compute ${WHAT}: "thresholds" must be a non-empty array`);
  }
  thresholds.forEach((t: unknown, i) => {
    _checkThreshold(WHAT, t, 0);
    if (i > 0 && !(t as number > thresholds[i - 1]!)) {
      throw new RangeError(
        `Cannot compute ${WHAT} as thresholds must be increasing: current value is ${
          JSON.stringify(thresholds)
        }`,
      );
    }
  });
  const method = options.aucMethod;
  const all = summarise(nmes, thresholds, method);
  const ced = cedCurve(nmes, {
    threshold: thresholds[thresholds.length - 1],
    steps: options.cedSteps,
  });
  const attributes = options.attributes;
  let subsets: Evaluation["subsets"];
  if (attributes !== undefined) {
    if (!Array.isArray(attributes) || attributes.length !== nmes.length) {
      throw new TypeError(
        `Cannot compute ${WHAT}: "attributes" has ${
          Array.isArray(attributes) ? attributes.length : "no"
        } entries but there are ${nmes.length} faces`,
      );
    }
    const table: Record<string, ScoreSummary | null> = {};
    for (const name of WFLW_ATTRIBUTES) {
      const subset: number[] = [];
      attributes.forEach((a: WflwAttributes | undefined, i) => {
        if (typeof a?.[name] !== "boolean") {
          throw new TypeError(
            `Cannot compute ${WHAT}: "attributes" entry ${i} has no boolean "${name}" flag`,
          );
        }
        if (a[name]) subset.push(nmes[i]!);
      });
      table[name] = subset.length === 0 ? null : summarise(subset, thresholds, method);
    }
    subsets = table as NonNullable<Evaluation["subsets"]>;
  }
  return { ...all, nmes, ced, subsets };
}
