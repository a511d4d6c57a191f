import {
  WFLW_ATTRIBUTES,
  type WflwAttributeName,
  type WflwAttributes,
} from "../layouts/wflw_attributes.ts";
import { auc } from "./auc.ts";
import { failureRate } from "./failure_rate.ts";
import { meanNme } from "./mean_nme.ts";
import { _checkNmesAndThreshold } from "./_validate.ts";
import type { NmeValues } from "./types.ts";

/** Options of {@linkcode subsetMetrics}. */
export interface SubsetMetricsOptions {
  /** Threshold t of the failure rate and the AUC. Default 0.1. */
  readonly threshold?: number | undefined;
  /** AUC method, see {@linkcode auc}. Default `"exact"`. */
  readonly aucMethod?: "exact" | "simpson" | undefined;
}

/** The metrics of one subset. */
export interface SubsetResult {
  /** Number of images in the subset. */
  readonly count: number;
  /** Mean NME. */
  readonly nme: number;
  /** Failure rate at t (NME > t). */
  readonly failureRate: number;
  /** AUC at t. */
  readonly auc: number;
}

/** Metrics per WFLW subset: `"all"` and one entry per attribute (null when empty). */
export type SubsetMetrics =
  & { readonly all: SubsetResult }
  & { readonly [name in WflwAttributeName]: SubsetResult | null };

/**
 * Breaks down NME, failure rate and AUC by WFLW attribute, the layout of the WFLW tables:
 * `"all"` (every image) and `"pose"`, `"expression"`, `"illumination"`, `"makeup"`,
 * `"occlusion"`, `"blur"` (the images whose flag is true; an image can be in several
 * subsets). A subset with no image is `null`.
 *
 * @param nmes Per-image NMEs.
 * @param attributes The attribute flags of each image, same length and order as `nmes`
 * (e.g. `records.map((r) => r.attributes!)` from `parseWflwList` on a full list).
 * @param options Threshold (default 0.1) and AUC method (default `"exact"`).
 * @returns The metrics per subset.
 * @throws {TypeError} If `nmes` is empty or not numbers, the lengths differ, or an attribute
 * flag is not a boolean.
 * @throws {RangeError} If a value is NaN, infinite or negative, or an option is out of range.
 *
 * @example
 * ```ts
 * import { subsetMetrics } from "@facealign/awing/metrics";
 * import { equal } from "node:assert/strict";
 *
 * const none = {
 *   pose: false, expression: false, illumination: false, makeup: false, occlusion: false,
 *   blur: false,
 * };
 * const out = subsetMetrics([0.02, 0.12], [none, { ...none, pose: true }]);
 * equal(out.all.count, 2);
 * equal(out.all.failureRate, 0.5);
 * equal(out.pose?.nme, 0.12);
 * equal(out.blur, null);
 * ```
 */
export function subsetMetrics(
  nmes: NmeValues,
  attributes: readonly WflwAttributes[],
  options: SubsetMetricsOptions = {},
): SubsetMetrics {
  const what = "subset metrics";
  const { values } = _checkNmesAndThreshold(what, nmes, options);
  if (!Array.isArray(attributes) || attributes.length !== values.length) {
    throw new TypeError(
      `Cannot compute ${what}: "attributes" has ${
        Array.isArray(attributes) ? attributes.length : "no"
      } entries but "nmes" has ${values.length}`,
    );
  }
  for (let i = 0; i < attributes.length; i++) {
    for (const name of WFLW_ATTRIBUTES) {
      if (typeof attributes[i]?.[name] !== "boolean") {
        throw new TypeError(
          `Cannot compute ${what}: "attributes" entry ${i} has no boolean "${name}" flag`,
        );
      }
    }
  }
  const summarise = (subset: number[]): SubsetResult => ({
    count: subset.length,
    nme: meanNme(subset),
    failureRate: failureRate(subset, { threshold: options.threshold }),
    auc: auc(subset, { threshold: options.threshold, method: options.aucMethod }),
  });
  const result: Record<string, SubsetResult | null> = { all: summarise(Array.from(values)) };
  for (const name of WFLW_ATTRIBUTES) {
    const subset: number[] = [];
    for (let i = 0; i < values.length; i++) if (attributes[i][name]) subset.push(values[i]!);
    result[name] = subset.length === 0 ? null : summarise(subset);
  }
  return result as SubsetMetrics;
}
