import { checkOptions } from "../_validate.ts";
import { join } from "node:path";
import {
  createHeatmapModel,
  type HeatmapModelOptions,
  type ResolvedModelOptions,
} from "./create_heatmap_model.ts";
import { evaluateModel } from "./evaluate_model.ts";
import { _writeFileAtomic } from "../_write_file_atomic.ts";
import { saveCheckpoint } from "./save_checkpoint.ts";
import { type StepInfo, trainModel } from "./train_model.ts";
import type { BatchSource, EvalSet, LossName } from "./types.ts";

/** The data of one training run. */
export interface TrainingData {
  /** Training batches (augmented). */
  source: BatchSource;
  /** Held-out faces for the periodic validation NME. */
  validation: EvalSet;
  /** Test faces for the final evaluation. */
  test: EvalSet;
  /** The seed the validation and test faces were rendered with, recorded in `metrics.json`. */
  evalSeed?: number | undefined;
}

/** Options of {@link runTraining}. */
export interface RunTrainingOptions {
  /** Output folder: `log.csv`, `checkpoint/`, `metrics.json`. */
  out: string;
  /** The loss by name. */
  loss: LossName;
  /** Optimiser steps. */
  steps: number;
  /** Adam's base learning rate. */
  learningRate: number;
  /** Seed of the weight initialisation (the data source has its own). Defaults to 0. */
  seed?: number;
  /** The model (the seed option is taken from `seed`; its sigma picks DARK's blur). */
  model?: Omit<HeatmapModelOptions, "seed">;
  /** Steps between validations (and checkpoints). Defaults to steps / 5. */
  validateEvery?: number | undefined;
  /** Extra fields for `metrics.json` only (e.g. the batch size and data set). */
  extra?: Record<string, unknown> | undefined;
  /** Called after every step. */
  onStep?: ((info: StepInfo) => void) | undefined;
  /** Called after every validation with the validation NME. */
  onValidation?: ((step: number, nme: number) => void) | undefined;
}

/** One row of the training log. */
export interface LogRow {
  /** 1-based step. */
  step: number;
  /** Training loss of the step's batch. */
  loss: number;
  /** Learning rate of the step. */
  learningRate: number;
  /** Seconds since the start. */
  seconds: number;
  /** Validation NME after this step, or NaN when not validated. */
  valNme: number;
}

/** The content of `metrics.json`. */
export interface TrainingMetrics {
  /** The loss name. */
  loss: LossName;
  /** The weight seed. */
  seed: number;
  /** Steps trained. */
  steps: number;
  /** Base learning rate. */
  learningRate: number;
  /** Test NME (inter-ocular, a fraction), FR@0.1 and AUC@0.1. */
  nme: number;
  /** Failure rate at 0.1. */
  fr: number;
  /** AUC at 0.1. */
  auc: number;
  /** Mean predicted value at the test targets' peaks (1 is perfect). */
  peak: number;
  /** Test NME of the untrained network. */
  nmeUntrained: number;
  /** Mean training loss of the first and last tenth of the steps (at most 20 steps each). */
  lossFirst: number;
  /** See `lossFirst`. */
  lossLast: number;
  /** Validation NME after the last step. */
  valNme: number;
  /** Every validation: `[step, validation NME]`. */
  valCurve: [number, number][];
  /** The validation and test faces' rendering seed (null when the data did not say). */
  evalSeed: number | null;
  /** Training seconds (validation included) and seconds per step. */
  seconds: number;
  /** Median seconds per training step. */
  secondsPerStep: number;
  /** Trainable parameters. */
  params: number;
  /** The model's options. */
  model: ResolvedModelOptions;
  /** Per-face test NMEs. */
  nmes: number[];
}

/** The files a run writes into its folder (the train script adds `learning_curve.svg`). */
const RUN_FILES = ["log.csv", "checkpoint", "metrics.json", "learning_curve.svg"];

/**
 * Claims `out` for a new run: refuses a folder that holds any file of a run (so that a folder
 * never holds files of two runs that look like one), then creates `log.csv` exclusively, so
 * that a second run started at the same moment is refused too.
 */
async function claimFolder(out: string): Promise<void> {
  await Deno.mkdir(out, { recursive: true });
  const refuse = (name: string) =>
    new Deno.errors.AlreadyExists(
      `Cannot run training as "${out}" already holds a training run (${name}): choose another folder or remove that run's files`,
    );
  for (const name of RUN_FILES) {
    try {
      await Deno.lstat(join(out, name));
      throw refuse(name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  try {
    (await Deno.open(join(out, "log.csv"), { write: true, createNew: true })).close();
  } catch (e) {
    throw e instanceof Deno.errors.AlreadyExists ? refuse("log.csv") : e;
  }
}

/** The log as CSV: step, loss, lr, seconds, val_nme (empty when not validated). */
function logCsv(log: readonly LogRow[]): string {
  return ["step,loss,lr,seconds,val_nme"].concat(
    log.map((r) =>
      `${r.step},${r.loss},${r.learningRate},${r.seconds.toFixed(3)},${
        Number.isNaN(r.valNme) ? "" : r.valNme
      }`
    ),
  ).join("\n") + "\n";
}

/** What {@link runTraining} returns. */
export interface RunTrainingResult {
  /** What was written to `metrics.json`. */
  metrics: TrainingMetrics;
  /** The training log. */
  log: LogRow[];
}

/**
 * One complete training run: creates the model (seeded), evaluates it untrained on the test
 * faces, trains it (validation NME, a checkpoint and the log so far every `validateEvery`
 * steps), evaluates it on the test faces, and writes into `out`: `log.csv` (step, loss, lr,
 * seconds, val_nme), `checkpoint/` (the final model, see {@link loadCheckpoint}) and, last,
 * `metrics.json` ({@link TrainingMetrics}): a folder with `metrics.json` holds a finished run.
 *
 * A folder holds one run: `out` must not hold a run's files already (`log.csv`,
 * `checkpoint`, `metrics.json`, `learning_curve.svg`); every file is written atomically
 * (temporary file + rename).
 *
 * @example A few steps on blank images
 * ```ts
 * import { runTraining } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const out = await Deno.makeTempDir();
 * const faces = { images: new Float32Array(2 * 16 * 16 * 3), landmarks: new Float32Array(2 * 68 * 2).map((_, i) => i % 13) };
 * const batch = { images: new Float32Array(2 * 16 * 16 * 3), heatmaps: new Float32Array(2 * 8 * 8 * 68) };
 * const { metrics } = await runTraining(
 *   { source: { next: () => Promise.resolve(batch) }, validation: faces, test: faces },
 *   { out, loss: "mse", steps: 3, learningRate: 1e-3, model: { inputSize: 16, width: 4, levels: 1 } },
 * );
 * equal(metrics.steps, 3);
 * await Deno.remove(out, { recursive: true });
 * ```
 *
 * @param data Training batches, validation and test faces.
 * @param options Output folder, loss, steps, learning rate, seed, model, hooks.
 * @returns The metrics and the log.
 * @throws {Deno.errors.AlreadyExists} When `out` already holds a run's files.
 */
export async function runTraining(
  data: TrainingData,
  options: RunTrainingOptions,
): Promise<RunTrainingResult> {
  checkOptions(options, "run training");
  const seed = options.seed ?? 0;
  const model = createHeatmapModel({ ...options.model, seed });
  const sigma = (model.getUserDefinedMetadata() as { awing: ResolvedModelOptions }).awing.sigma;
  try {
    await claimFolder(options.out);
    const untrained = evaluateModel(model, data.test, { sigma });
    const log: LogRow[] = [];
    const stepTimes: number[] = [];
    let last = 0, valNme = NaN;
    const result = await trainModel(model, {
      loss: options.loss,
      steps: options.steps,
      learningRate: options.learningRate,
      source: data.source,
      validateEvery: options.validateEvery ?? Math.max(1, Math.round(options.steps / 5)),
      onStep: (info) => {
        stepTimes.push(info.seconds - last);
        log.push({ ...info, valNme: NaN });
        options.onStep?.(info);
        last = info.seconds;
      },
      validate: async (m, step) => {
        const t = performance.now();
        valNme = evaluateModel(m, data.validation, { sigma }).nme;
        log[step - 1]!.valNme = valNme;
        await saveCheckpoint(m, join(options.out, "checkpoint"));
        await _writeFileAtomic(join(options.out, "log.csv"), logCsv(log));
        options.onValidation?.(step, valNme);
        last += (performance.now() - t) / 1000;
      },
    });
    const test = evaluateModel(model, data.test, { sigma });
    const tenth = Math.min(20, Math.max(1, Math.floor(options.steps / 10)));
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    stepTimes.sort((a, b) => a - b);
    const metrics: TrainingMetrics = {
      loss: options.loss,
      seed,
      steps: options.steps,
      learningRate: options.learningRate,
      nme: test.nme,
      fr: test.fr,
      auc: test.auc,
      peak: test.peak,
      nmeUntrained: untrained.nme,
      lossFirst: mean(result.losses.subarray(0, tenth)),
      lossLast: mean(result.losses.subarray(options.steps - tenth)),
      valNme,
      valCurve: log.filter((r) => !Number.isNaN(r.valNme)).map((r) => [r.step, r.valNme]),
      evalSeed: data.evalSeed ?? null,
      seconds: result.seconds,
      secondsPerStep: stepTimes[Math.floor(stepTimes.length / 2)] ?? NaN,
      params: model.countParams(),
      model: (model.getUserDefinedMetadata() as { awing: ResolvedModelOptions }).awing,
      nmes: Array.from(test.nmes),
    };
    await _writeFileAtomic(join(options.out, "log.csv"), logCsv(log));
    await _writeFileAtomic(
      join(options.out, "metrics.json"),
      JSON.stringify({ ...metrics, ...options.extra }, null, 1) + "\n",
    );
    return { metrics, log };
  } finally {
    model.dispose();
  }
}
