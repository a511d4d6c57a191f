import { checkOptions } from "../_validate.ts";
import { _checkArray } from "./_check_records.ts";
import { checkConvergence } from "./check_convergence.ts";
import {
  chooseLearningRate,
  type LearningRateChoice,
  type LearningRateTrial,
} from "./choose_learning_rate.ts";
import type { TrainingMetrics } from "./run_training.ts";
import type { LossName } from "./types.ts";

/** One configuration of an ablation: a loss, and the model's CoordConv and boundary options. */
export interface AblationConfig {
  /** The configuration's name in the records (e.g. `"awing+coord+boundary"`). */
  name: string;
  /** The loss. */
  loss: LossName;
  /** CoordConv input channels. */
  coordConv?: boolean;
  /** A boundary output channel. */
  boundary?: boolean;
}

/** One training run the ablation asks for. */
export interface AblationJob {
  /** `"sweep"`: a learning-rate trial on the validation split; `"run"`: a run of the table. */
  kind: "sweep" | "run";
  /** The configuration. */
  config: AblationConfig;
  /** Seed of the weights and the training data. */
  seed: number;
  /** Adam's base learning rate. */
  learningRate: number;
  /** Optimiser steps. */
  steps: number;
  /** Steps between validations. */
  validateEvery: number;
}

/** What a job's training gives back: its metrics, or the message of a loss that diverged. */
export type AblationJobResult =
  | { diverged: false; metrics: TrainingMetrics & { epochs?: number } }
  | { diverged: true; message: string };

/** One learning-rate trial, as recorded in `sweep.json`. */
export interface SweepRecord {
  /** The loss. */
  loss: LossName;
  /** The rate tried. */
  learningRate: number;
  /** Steps and seed of the trial. */
  steps: number;
  /** See `steps`. */
  seed: number;
  /** Validation NME after the last step (null: diverged). */
  valNme: number | null;
  /** The validation curve `[step, NME]` (empty when diverged). */
  valCurve: [number, number][];
  /** The message of a loss that became non-finite, or null. */
  diverged: string | null;
}

/** One attempt of a run: its budget and whether its validation NME had flattened. */
export interface AblationAttempt {
  /** Steps of the attempt. */
  steps: number;
  /** Whether the validation NME flattened (see {@link checkConvergence}). */
  flattened: boolean;
  /** Relative improvement of the best validation NME in the last 20% of the steps. */
  improvement: number;
}

/** One finished run of the table, as recorded in `ablation.json`. */
export interface AblationRecord extends Omit<TrainingMetrics, "nmes" | "model"> {
  /** The configuration's name. */
  name: string;
  /** Epochs of the training faces seen. */
  epochs: number | null;
  /** The per-face test NMEs, in test-set order. */
  testNmes: number[];
  /** Whether the validation NME flattened at the final budget. */
  flattened: boolean;
  /** Whether the run never left the plateau (best validation NME above 25%). */
  plateau: boolean;
  /** Whether it was trained beyond the base budget because it had not flattened. */
  extended: boolean;
  /** Every attempt, the last one being this record's. */
  attempts: AblationAttempt[];
}

/** One run that diverged at the chosen rate (no metrics), as recorded in `ablation.json`. */
export interface AblationFailure {
  /** The configuration's name. */
  name: string;
  /** The loss, seed, rate and steps of the run. */
  loss: LossName;
  /** See `loss`. */
  seed: number;
  /** See `loss`. */
  learningRate: number;
  /** See `loss`. */
  steps: number;
  /** The message of the non-finite loss. */
  diverged: string;
}

/** Options of {@link runAblation}. */
export interface RunAblationOptions {
  /** The configurations (each loss is swept once, with its first configuration). */
  configs: readonly AblationConfig[];
  /** Seeds per configuration: 0, 1, ..., seeds - 1. */
  seeds: number;
  /** The base budget of a run, in steps. */
  steps: number;
  /** The largest budget a run that has not flattened is extended to (doubling). */
  maxSteps: number;
  /** Steps of a learning-rate trial (seed 0). */
  sweepSteps: number;
  /** The rates every loss tries first (at least 3 for a sweep worth the name). */
  sweepRates: readonly number[];
  /** The range the sweep may extend to. Defaults to 1e-5 to 0.1. */
  rateRange?: { min: number; max: number };
  /** Validations per run (the validation curve's points). Defaults to 40. */
  validationPoints?: number;
  /** Training runs at a time. Defaults to 2. */
  jobs?: number;
  /** Trains one job (e.g. in a child process). */
  train: (job: AblationJob) => Promise<AblationJobResult>;
  /** Sweep trials recorded earlier: not trained again. */
  sweep?: readonly SweepRecord[];
  /** Runs recorded earlier: not trained again when their rate is still the chosen one. */
  runs?: readonly (AblationRecord | AblationFailure)[];
  /** Called with every new sweep trial and all trials so far (e.g. to write them). */
  onSweep?: (all: readonly SweepRecord[]) => Promise<void>;
  /** Called with every new run record and all records so far. */
  onRun?: (all: readonly (AblationRecord | AblationFailure)[]) => Promise<void>;
  /** Called when a job starts and when one fails (for progress lines). */
  onEvent?: (message: string) => void;
  /** Stops starting new jobs when aborted. */
  signal?: AbortSignal;
}

/** What {@link runAblation} returns. */
export interface AblationResult {
  /** Every sweep trial. */
  sweep: SweepRecord[];
  /** The sweep's choice per loss. */
  rates: Partial<Record<LossName, LearningRateChoice>>;
  /** Every run record (finished or diverged). */
  runs: (AblationRecord | AblationFailure)[];
  /** The jobs that failed for another reason than divergence (they are not recorded). */
  errors: { job: AblationJob; error: Error }[];
}

/** Runs at most `n` tasks at a time, first come first served. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Whether an ablation record is a diverged run. */
export function _isFailure(r: AblationRecord | AblationFailure): r is AblationFailure {
  return typeof (r as AblationFailure).diverged === "string";
}

/**
 * Runs a loss ablation that can be interrupted and resumed: per loss, a learning-rate sweep on
 * the validation split (seed 0, `sweepSteps` each, the rates `sweepRates`, extended by
 * {@link chooseLearningRate} until the best rate is inside the range, the next rate up
 * diverges, or the range limit is reached); then, at the chosen rate, `seeds` runs of every
 * configuration of that loss at `steps` steps. A run whose validation NME has not flattened
 * ({@link checkConvergence}) and has left the plateau is trained again from scratch with twice
 * the steps, up to `maxSteps`; its record lists every attempt. `jobs` runs train at a time; the
 * runs of a loss start as soon as its sweep is decided. Trials and runs given in `sweep` and
 * `runs` (recorded by an earlier call) are not trained again; `onSweep` and `onRun` see every
 * new record, to write it at once. A job whose training fails for another reason is reported
 * in `errors` and not recorded (the next call tries it again).
 *
 * @example A fake trainer: every run converges at 5% validation NME
 * ```ts
 * import { runAblation } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const result = await runAblation({
 *   configs: [{ name: "mse", loss: "mse" }],
 *   seeds: 2,
 *   steps: 100,
 *   maxSteps: 200,
 *   sweepSteps: 50,
 *   sweepRates: [1e-3, 3e-3, 1e-2],
 *   validationPoints: 10,
 *   train: (job) => {
 *     const valCurve = Array.from({ length: 10 }, (_, i) => [(i + 1) * job.steps / 10, 0.05 + Math.abs(job.learningRate - 3e-3)] as [number, number]);
 *     const nme = valCurve[9]![1];
 *     return Promise.resolve({ diverged: false, metrics: { loss: job.config.loss, seed: job.seed, steps: job.steps, learningRate: job.learningRate, nme, fr: 0, auc: 0.5, peak: 0.8, nmeUntrained: 1, lossFirst: 1, lossLast: 0.1, valNme: nme, valCurve, evalSeed: 1, seconds: 1, secondsPerStep: 0.01, params: 10, model: {} as never, nmes: [nme] } });
 *   },
 * });
 * equal(result.rates.mse!.learningRate, 3e-3);
 * equal(result.runs.length, 2);
 * ```
 *
 * @param options Configurations, seeds, budgets, sweep, trainer, earlier records, hooks.
 * @returns The sweep, the chosen rates, the run records and the failed jobs.
 * @throws {TypeError} When `configs` is not a non-empty array or `train` is not a function.
 * @throws {RangeError} When a budget or count is not a whole number >= 1 or the sweep has no rate.
 */
export async function runAblation(options: RunAblationOptions): Promise<AblationResult> {
  const action = "run ablation";
  checkOptions(options, action);
  if (options === undefined) throw new TypeError(`Cannot ${action}: "options" is required`);
  _checkArray(options.configs, "configs", action);
  _checkArray(options.sweepRates, "sweepRates", action);
  if (options.configs.length === 0) throw new TypeError(`Cannot ${action}: "configs" is empty`);
  if (typeof options.train !== "function") {
    throw new TypeError(`Cannot ${action}: "train" must be a function`);
  }
  const points = options.validationPoints ?? 40, jobs = options.jobs ?? 2;
  for (
    const [name, v] of [
      ["seeds", options.seeds],
      ["steps", options.steps],
      ["maxSteps", options.maxSteps],
      ["sweepSteps", options.sweepSteps],
      ["validationPoints", points],
      ["jobs", jobs],
    ] as const
  ) {
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new RangeError(
        `Cannot ${action} as ${name} must be a whole number >= 1: current value is ${v}`,
      );
    }
  }
  if (options.sweepRates.length === 0) {
    throw new RangeError(`Cannot ${action} as sweepRates must hold at least one rate: it is empty`);
  }
  const slot = limiter(jobs);
  const sweep = [...(options.sweep ?? [])];
  const runs = [...(options.runs ?? [])];
  const rates: AblationResult["rates"] = {};
  const errors: AblationResult["errors"] = [];
  const validateEvery = (steps: number) => Math.max(1, Math.ceil(steps / points));
  let writing = Promise.resolve();
  const persist = (write: () => Promise<void>) => (writing = writing.then(write));

  /** Trains a job in a slot; undefined when it failed (recorded in `errors`) or was stopped. */
  const train = (job: AblationJob): Promise<AblationJobResult | undefined> =>
    slot(async () => {
      if (options.signal?.aborted) return undefined;
      options.onEvent?.(
        `start ${job.kind} ${job.config.name} seed ${job.seed} lr ${job.learningRate}, ${job.steps} steps`,
      );
      try {
        return await options.train(job);
      } catch (e) {
        errors.push({ job, error: e as Error });
        options.onEvent?.(
          `failed ${job.kind} ${job.config.name} seed ${job.seed}: ${(e as Error).message}`,
        );
        return undefined;
      }
    });

  const sweepTrial = async (config: AblationConfig, lr: number): Promise<void> => {
    const known = sweep.find((r) => r.loss === config.loss && r.learningRate === lr);
    if (known !== undefined) return;
    const steps = options.sweepSteps;
    const job: AblationJob = {
      kind: "sweep",
      config,
      seed: 0,
      learningRate: lr,
      steps,
      validateEvery: validateEvery(steps),
    };
    const result = await train(job);
    if (result === undefined) throw new Error("stopped");
    sweep.push(
      result.diverged
        ? {
          loss: config.loss,
          learningRate: lr,
          steps,
          seed: 0,
          valNme: null,
          valCurve: [],
          diverged: result.message,
        }
        : {
          loss: config.loss,
          learningRate: lr,
          steps,
          seed: 0,
          valNme: result.metrics.valNme,
          valCurve: result.metrics.valCurve,
          diverged: null,
        },
    );
    await persist(() => options.onSweep?.(sweep) ?? Promise.resolve());
  };

  const run = async (config: AblationConfig, seed: number, lr: number): Promise<void> => {
    const known = runs.findIndex((r) => r.name === config.name && r.seed === seed);
    if (known >= 0 && runs[known]!.learningRate === lr) return;
    const attempts: AblationAttempt[] = [];
    let steps = options.steps;
    for (;;) {
      const job: AblationJob = {
        kind: "run",
        config,
        seed,
        learningRate: lr,
        steps,
        validateEvery: validateEvery(steps),
      };
      const result = await train(job);
      if (result === undefined) return;
      let record: AblationRecord | AblationFailure;
      if (result.diverged) {
        record = {
          name: config.name,
          loss: config.loss,
          seed,
          learningRate: lr,
          steps,
          diverged: result.message,
        };
      } else {
        const { nmes, model: _model, ...m } = result.metrics;
        const c = checkConvergence(m.valCurve);
        attempts.push({ steps, flattened: c.flattened, improvement: c.improvement });
        if (!c.flattened && !c.plateau && steps < options.maxSteps) {
          const next = Math.min(options.maxSteps, 2 * steps);
          options.onEvent?.(
            `${config.name} seed ${seed}: not flattened at ${steps} steps (${
              (100 * c.improvement).toFixed(1)
            }% better in the last 20%); again with ${next} steps`,
          );
          steps = next;
          continue;
        }
        record = {
          ...m,
          name: config.name,
          epochs: m.epochs ?? null,
          testNmes: nmes,
          flattened: c.flattened,
          plateau: c.plateau,
          extended: attempts.length > 1,
          attempts,
        };
      }
      const i = runs.findIndex((r) => r.name === config.name && r.seed === seed);
      if (i >= 0) runs[i] = record;
      else runs.push(record);
      await persist(() => options.onRun?.(runs) ?? Promise.resolve());
      return;
    }
  };

  const lane = async (loss: LossName): Promise<void> => {
    const configs = options.configs.filter((c) => c.loss === loss);
    const trials = () =>
      sweep.filter((r) => r.loss === loss).map((r): LearningRateTrial => ({
        learningRate: r.learningRate,
        valNme: r.valNme,
      }));
    try {
      await Promise.all(options.sweepRates.map((lr) => sweepTrial(configs[0]!, lr)));
      for (;;) {
        const choice = chooseLearningRate(trials(), options.rateRange ?? {});
        rates[loss] = choice;
        if (choice.next === undefined) break;
        await sweepTrial(configs[0]!, choice.next);
      }
    } catch {
      return; // a trial failed or was stopped: no choice, no runs
    }
    const lr = rates[loss]!.learningRate;
    if (lr === undefined) return;
    const tasks = [];
    for (let seed = 0; seed < options.seeds; seed++) {
      for (const c of configs) tasks.push(run(c, seed, lr));
    }
    await Promise.all(tasks);
  };

  await Promise.all([...new Set(options.configs.map((c) => c.loss))].map(lane));
  await writing;
  return { sweep, rates, runs, errors };
}
