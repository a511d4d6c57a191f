import { _checkArray } from "./_check_records.ts";

/** One run of an experiment, as recorded in `ablation.json`. */
export interface RunRecord {
  /** The configuration's name (e.g. `"awing"` or `"awing+coord+boundary"`). */
  name: string;
  /** Seed. */
  seed: number;
  /** Test NME (fraction), FR@0.1 and AUC@0.1. */
  nme: number;
  /** Failure rate at 0.1. */
  fr: number;
  /** AUC at 0.1. */
  auc: number;
  /** Mean predicted value at the target peaks (optional). */
  peak?: number;
  /** Median seconds per training step (optional). */
  secondsPerStep?: number;
  /** Epochs of the training faces the run saw (optional; null when unknown). */
  epochs?: number | null;
}

/** Mean and sample standard deviation (0 for a single value). */
export interface MeanStd {
  /** Mean. */
  mean: number;
  /** Sample standard deviation (n - 1). */
  std: number;
}

/** The summary of one configuration. */
export interface RunSummary {
  /** The configuration's name. */
  name: string;
  /** Number of runs (seeds). */
  runs: number;
  /** NME (fraction). */
  nme: MeanStd;
  /** Failure rate at 0.1. */
  fr: MeanStd;
  /** AUC at 0.1. */
  auc: MeanStd;
  /** Peak value (NaN when the records have none). */
  peak: MeanStd;
  /** Seconds per step (NaN when the records have none). */
  secondsPerStep: MeanStd;
  /** Epochs (NaN when the records have none). */
  epochs: MeanStd;
}

function meanStd(values: number[]): MeanStd {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const v = n > 1 ? values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

/**
 * Groups runs by configuration name (in order of first appearance) and gives the mean and
 * sample standard deviation over seeds of NME, FR, AUC, peak value, seconds per step and epochs.
 *
 * @example
 * ```ts
 * import { summarizeRuns } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const [s] = summarizeRuns([
 *   { name: "mse", seed: 0, nme: 0.05, fr: 0, auc: 0.5 },
 *   { name: "mse", seed: 1, nme: 0.07, fr: 0, auc: 0.3 },
 * ]);
 * equal(s!.runs, 2);
 * equal(Math.round(s!.nme.mean * 1000), 60);
 * ```
 *
 * @param records The runs.
 * @returns One summary per configuration.
 * @throws {TypeError} When records is not an array of records with a string name and numeric
 * seed, NME, FR and AUC.
 */
export function summarizeRuns(records: readonly RunRecord[]): RunSummary[] {
  const action = "summarize runs";
  _checkArray(records, "records", action);
  for (const [i, r] of records.entries()) {
    const numbers = ["seed", "nme", "fr", "auc"] as const;
    if (
      typeof r !== "object" || r === null || typeof r.name !== "string" ||
      numbers.some((k) => typeof r[k] !== "number") ||
      (["peak", "secondsPerStep", "epochs"] as const).some((k) =>
        r[k] !== undefined && typeof r[k] !== "number" && !(k === "epochs" && r[k] === null)
      )
    ) {
      throw new TypeError(
        `Cannot ${action}: "records" must hold { name, seed, nme, fr, auc } runs but element ${i} is ${
          JSON.stringify(r)
        }`,
      );
    }
  }
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) groups.set(r.name, [...(groups.get(r.name) ?? []), r]);
  return [...groups].map(([name, rs]) => ({
    name,
    runs: rs.length,
    nme: meanStd(rs.map((r) => r.nme)),
    fr: meanStd(rs.map((r) => r.fr)),
    auc: meanStd(rs.map((r) => r.auc)),
    peak: meanStd(rs.map((r) => r.peak ?? NaN)),
    secondsPerStep: meanStd(rs.map((r) => r.secondsPerStep ?? NaN)),
    epochs: meanStd(rs.map((r) => r.epochs ?? NaN)),
  }));
}
