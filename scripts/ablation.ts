/**
 * The loss ablation on the rendered 300W protocol, trained to convergence: a learning-rate
 * sweep per loss, then MSE, Wing, AWing without and with the weighted loss map, and AWing +
 * map + CoordConv + boundary channel, several seeds each, compared face by face (paired
 * bootstrap). Resumable: rerun the same command to go on after an interruption.
 *
 * Usage: `deno task ablation [--out out/ablation] [--seeds 3] [--jobs 2] [--quick]
 * [--report]`; `--help` for all.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { encode } from "fast-png";
import { gaussianHeatmaps } from "../src/heatmap/gaussian_heatmaps.ts";
import { toHeatmapCoords } from "../src/heatmap/to_heatmap_coords.ts";
import { cedCurve } from "../src/metrics/ced_curve.ts";
import { useWasmBackend } from "../src/tfjs/use_wasm_backend.ts";
import { evaluateModel } from "../src/train/evaluate_model.ts";
import { loadCheckpoint } from "../src/train/load_checkpoint.ts";
import { openTrainingData } from "../src/train/open_training_data.ts";
import { pairedBootstrap } from "../src/train/paired_bootstrap.ts";
import { predictHeatmaps } from "../src/train/predict_heatmaps.ts";
import {
  _isFailure,
  type AblationConfig,
  type AblationFailure,
  type AblationJob,
  type AblationJobResult,
  type AblationRecord,
  runAblation,
  type RunAblationOptions,
  type SweepRecord,
} from "../src/train/run_ablation.ts";
import { chooseLearningRate } from "../src/train/choose_learning_rate.ts";
import { type MeanStd, summarizeRuns } from "../src/train/summarize_runs.ts";
import {
  checkOutDir,
  CliError,
  numberFlag,
  numberListFlag,
  parseUsage,
  runCli,
  stringFlag,
  writeOutput,
} from "./_cli.ts";
import { MAX_STEPS, maxBatch } from "./_train_flags.ts";
import { formatDuration } from "./_progress.ts";
import { cedSvg, heatmapFigureSvg, peakValuesSvg, validationCurvesSvg } from "./_train_plots.ts";

/** Sigma of the training targets (the train script's default). */
const SIGMA = 1.5;

/** Training faces of the rendered 300W protocol; 30 epochs of batch 8 are 4,193 steps. */
const TRAIN_FACES = 1118;

/** The base budget: at least 30 epochs of the training faces at batch 8. */
const DEFAULT_STEPS = 4200;

/** The bootstrap's resamples and seed (fixed: the intervals are reproducible). */
const BOOTSTRAP = { resamples: 10000, seed: 1 };

const CONFIGS: AblationConfig[] = [
  { name: "mse", loss: "mse" },
  { name: "wing", loss: "wing" },
  { name: "awing-nomap", loss: "awing-nomap" },
  { name: "awing", loss: "awing" },
  { name: "awing+coord+boundary", loss: "awing", coordConv: true, boundary: true },
];
const EXTRA: AblationConfig[] = [
  { name: "softwing", loss: "softwing" },
  { name: "l1", loss: "l1" },
];

/** The comparisons of the report: a - b in NME (negative: a is better). */
const PAIRS: [string, string, string][] = [
  ["mse", "awing-nomap", "does AWing without the map beat MSE?"],
  ["awing-nomap", "awing", "does the weighted loss map add to AWing?"],
  ["awing", "awing+coord+boundary", "do CoordConv + the boundary channel add?"],
  ["mse", "wing", "where does Wing stand against MSE?"],
];

const HELP = `Usage: deno task ablation [options]

The loss ablation on the rendered 300W protocol, trained to convergence:
1. per loss, a learning-rate sweep on the validation split (seed 0, --sweep-steps each) over
   --rates, extended by a rate on the grid 1, 3, 10, 30, ... x 10^k until the best rate is
   inside the range tried, the next rate up diverges, or the range 1e-5..0.1 ends;
2. at each loss's chosen rate, ${CONFIGS.map((c) => c.name).join(", ")}
   (with --extra-losses also ${
  EXTRA.map((c) => c.name).join(", ")
}), --seeds seeds each, --steps steps
   (30 epochs of the 1,118 training faces at batch 8); a run whose validation NME has not
   flattened (the best value of the last 20% of the steps more than 10% below the best before
   them) and has left the plateau (best validation NME <= 25%) is trained again from scratch
   with twice the steps, up to --max-steps;
3. paired comparisons on the 554 test faces (300W common, rendered with one fixed evalSeed
   for every run): the mean NME difference with a 95% paired-bootstrap interval over faces.

Writes into --out: experiment.json (the settings), sweep.json + sweep.md, ablation.json (one
record per run, written as each finishes), comparisons.json, ablation.md (the report),
val_curves.svg, ced.svg, heatmaps.svg, peaks.svg. The runs' own folders (checkpoints, logs)
go to --work. Rerunning the same command skips what is recorded and goes on; a run that was
interrupted starts again from scratch. --jobs training processes run at a time; SIGINT or
SIGTERM stops them and exits.

Options:
  --out DIR          output folder (default: out/ablation)
  --work DIR         folder of the runs (default: out/ablation-runs)
  --steps N          base steps per run (default: ${DEFAULT_STEPS})
  --max-steps N      the most steps a run is extended to (default: 2 x --steps)
  --sweep-steps N    steps per sweep run (default: --steps / 2)
  --rates LIST       the sweep's first rates (default: 1e-3,3e-3,1e-2)
  --seeds N          seeds per configuration (default: 3)
  --jobs N           training processes at a time (default: 2)
  --batch N          batch size (default: 8)
  --extra-losses     also Soft Wing and L1
  --quick            the same pipeline in under a minute: 1 seed, 10 steps (sweep 5), a tiny
                     network, 16 validation and test faces, rates limited to 1e-3..1e-2
                     (for tests; not a result)
  --report           train nothing: rewrite the outputs from the records in --out
  --rescore          with --report: evaluate every recorded run's checkpoint again on the
                     test faces (after a change to the evaluation)
  -h, --help         print this help
`;

/** The settings that define an experiment (experiment.json); seeds may grow between calls. */
interface Settings {
  configs: AblationConfig[];
  steps: number;
  maxSteps: number;
  sweepSteps: number;
  sweepRates: number[];
  rateRange: { min: number; max: number };
  batch: number;
  validationPoints: number;
  quick: boolean;
  faces: number | null;
  model: { width: number; levels: number } | null;
  bootstrap: typeof BOOTSTRAP;
}

type Run = AblationRecord | AblationFailure;

const TRAIN = new URL("./train.ts", import.meta.url).pathname;

/** The folder of a job's training run in `work`. */
function jobDir(work: string, job: Omit<AblationJob, "validateEvery">): string {
  const name = job.kind === "sweep" ? job.config.loss : job.config.name;
  return join(
    work,
    job.kind === "sweep" ? "sweep" : "runs",
    `${name}-s${job.seed}-lr${job.learningRate}-n${job.steps}`,
  );
}

/** The train script's arguments for a job. */
function trainArgs(job: AblationJob, s: Settings, dir: string): string[] {
  return [
    ...["--loss", job.config.loss, "--lr", String(job.learningRate)],
    ...["--seed", String(job.seed), "--steps", String(job.steps)],
    ...["--validate-every", String(job.validateEvery), "--batch", String(s.batch)],
    ...(job.config.coordConv ? ["--coord-conv"] : []),
    ...(job.config.boundary ? ["--boundary"] : []),
    ...(s.model ? ["--width", String(s.model.width), "--levels", String(s.model.levels)] : []),
    ...(s.faces ? ["--faces", String(s.faces)] : []),
    ...["--quiet", "--out", join(dir, "train")],
  ];
}

/** The training processes running now (ended on SIGINT / SIGTERM). */
const children = new Set<Deno.ChildProcess>();

/**
 * Trains a job in a child process, in its own folder. A folder whose job.json names the same
 * arguments and whose run finished (metrics.json) is taken as it is; any other content is an
 * interrupted run of this ablation and is removed first (the run starts from scratch).
 */
async function trainJob(job: AblationJob, s: Settings, work: string): Promise<AblationJobResult> {
  const dir = jobDir(work, job);
  const args = trainArgs(job, s, dir);
  const metricsFile = join(dir, "train", "metrics.json");
  try {
    const saved = JSON.parse(await Deno.readTextFile(join(dir, "job.json")));
    if (isDeepStrictEqual(saved.args, args)) {
      return { diverged: false, metrics: JSON.parse(await Deno.readTextFile(metricsFile)) };
    }
  } catch {
    // no finished run there
  }
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(dir, { recursive: true });
  await writeOutput(join(dir, "job.json"), JSON.stringify({ args }, null, 1) + "\n", "--work");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", TRAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  children.add(child);
  console.error(`ablation: training process ${child.pid} in ${dir}`);
  let out: Deno.CommandOutput;
  try {
    out = await child.output();
  } finally {
    children.delete(child);
  }
  const text = new TextDecoder();
  const stderr = text.decode(out.stderr);
  await writeOutput(join(dir, "run.log"), text.decode(out.stdout) + stderr, "--work");
  if (!out.success) {
    const last = stderr.trim().split("\n").at(-1) ?? "";
    if (/the loss is (NaN|-?Infinity) at step/.test(last)) {
      return { diverged: true, message: last.replace(/^train: /, "") };
    }
    throw new Error(`exit ${out.code}: ${last} (see ${join(dir, "run.log")})`);
  }
  return { diverged: false, metrics: JSON.parse(await Deno.readTextFile(metricsFile)) };
}

/** Reads a JSON file, or `fallback` when it does not exist. */
async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return fallback;
    throw new CliError(`cannot read ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
}

const json = (value: unknown) => JSON.stringify(value, null, 1) + "\n";
const pct = (m: MeanStd, digits = 2) =>
  `${(100 * m.mean).toFixed(digits)} ± ${(100 * m.std).toFixed(digits)}`;

/** One entry of comparisons.json. */
interface Comparison {
  a: string;
  b: string;
  question: string;
  metric: string;
  meanDiff: number;
  ci95: [number, number];
  ci95Seeds: [number, number];
  perSeed: number[];
  seeds: number[];
  faces: number;
  method: string;
  resamples: number;
  bootstrapSeed: number;
}

/** The comparisons of {@link PAIRS} over the seeds both configurations finished. */
function comparisons(runs: readonly AblationRecord[]): Comparison[] {
  return PAIRS.flatMap(([a, b, question]) => {
    const seeds = [...new Set(runs.map((r) => r.seed))].filter((seed) =>
      [a, b].every((n) => runs.some((r) => r.name === n && r.seed === seed))
    ).sort((x, y) => x - y);
    if (seeds.length === 0) return [];
    const of = (n: string) =>
      seeds.map((seed) => runs.find((r) => r.name === n && r.seed === seed)!.testNmes);
    const c = pairedBootstrap(of(a), of(b), BOOTSTRAP);
    return [{
      a,
      b,
      question,
      metric: "test NME (inter-ocular, fraction)",
      meanDiff: c.meanDiff,
      ci95: c.ci,
      ci95Seeds: c.ciSeeds,
      perSeed: c.perSeed,
      seeds,
      faces: c.faces,
      method:
        "paired bootstrap: ci95 over faces (each resample draws the test faces with replacement, the same draw for every seed, and averages a - b over seeds and drawn faces); ci95Seeds over seeds and faces (each resample also draws the seeds with replacement); percentile intervals",
      resamples: c.resamples,
      bootstrapSeed: c.seed,
    }];
  });
}

/** The sweep's table in Markdown. */
function sweepMarkdown(sweep: readonly SweepRecord[], s: Settings): string {
  const lines = [
    `# Learning-rate sweep (validation split of the rendered 300W protocol)`,
    ``,
    `Seed 0, ${s.sweepSteps} steps of batch ${s.batch} per run, first rates ${
      s.sweepRates.join(", ")
    }, extended on the grid 1, 3, 10, 30, ... x 10^k until the best rate is inside the range (or`,
    `the next rate up diverges, or the range ${s.rateRange.min}..${s.rateRange.max} ends). The rate with the lowest validation NME`,
    `after the last step is chosen; the test faces play no part.`,
    ``,
    `| loss | lr | validation NME % | chosen |`,
    `|---|---:|---:|---|`,
  ];
  for (const loss of [...new Set(sweep.map((r) => r.loss))]) {
    const rs = sweep.filter((r) => r.loss === loss).sort((x, y) => x.learningRate - y.learningRate);
    const choice = chooseLearningRate(rs, s.rateRange);
    for (const r of rs) {
      const nme = r.valNme === null ? `diverged (${r.diverged})` : (100 * r.valNme).toFixed(2);
      const chosen = r.learningRate === choice.learningRate
        ? choice.next === undefined ? `yes (${choice.status})` : "so far"
        : "";
      lines.push(`| ${loss} | ${r.learningRate} | ${nme} | ${chosen} |`);
    }
  }
  return lines.join("\n") + "\n";
}

/** The report (ablation.md). */
function reportMarkdown(
  runs: readonly Run[],
  sweep: readonly SweepRecord[],
  compared: readonly Comparison[],
  s: Settings,
  seeds: number,
): string {
  const done = runs.filter((r) => !_isFailure(r)) as AblationRecord[];
  const failed = runs.filter(_isFailure);
  const configs = s.configs.map((c) => c.name);
  const ordered = configs.flatMap((n) => done.filter((r) => r.name === n));
  const summaries = ordered.length === 0 ? [] : summarizeRuns(ordered);
  const evalSeeds = [...new Set(done.map((r) => r.evalSeed))];
  const rows = summaries.map((sm) => {
    const rs = done.filter((r) => r.name === sm.name);
    const flat = rs.filter((r) => r.flattened).length, stuck = rs.filter((r) => r.plateau).length;
    const extended = rs.filter((r) => r.extended).length;
    const notes = [
      `${flat}/${rs.length} flattened`,
      ...(stuck ? [`${stuck} on the plateau`] : []),
      ...(extended ? [`${extended} trained longer`] : []),
    ].join(", ");
    return `| ${sm.name} | ${rs[0]!.learningRate} | ${sm.runs} | ${pct(sm.nme)} | ${
      pct(sm.fr, 1)
    } | ${sm.auc.mean.toFixed(4)} ± ${sm.auc.std.toFixed(4)} | ${sm.peak.mean.toFixed(3)} ± ${
      sm.peak.std.toFixed(3)
    } | ${sm.epochs.mean.toFixed(1)} ± ${sm.epochs.std.toFixed(1)} | ${notes} |`;
  });
  const cmp = compared.map((c) =>
    `| ${c.a} − ${c.b} | ${c.question} | ${(100 * c.meanDiff).toFixed(2)} | [${
      (100 * c.ci95[0]).toFixed(2)
    }, ${(100 * c.ci95[1]).toFixed(2)}] | [${(100 * c.ci95Seeds[0]).toFixed(2)}, ${
      (100 * c.ci95Seeds[1]).toFixed(2)
    }] | ${c.perSeed.map((d) => (100 * d).toFixed(2)).join(", ")} |`
  );
  const chosen = [...new Set(sweep.map((r) => r.loss))].map((loss) => {
    const c = chooseLearningRate(sweep.filter((r) => r.loss === loss), s.rateRange);
    return `${loss} ${c.learningRate ?? "none"} (${c.next === undefined ? c.status : "undecided"})`;
  });
  const total = seeds * s.configs.length;
  return [
    `# Loss ablation (rendered 300W protocol), trained to convergence`,
    ``,
    `${done.length} of ${total} runs finished${failed.length ? `, ${failed.length} diverged` : ""}${
      s.quick
        ? "; quick mode (tiny network, 16 faces, 10 steps): a test of the pipeline, not a result"
        : ""
    }.`,
    ``,
    `## Design`,
    ``,
    `- Data: the rendered 300W protocol: 1,118 training faces, 124 validation faces (the`,
    `  learning-rate choice and the convergence check), 554 test faces (300W common) used for no`,
    `  choice. Validation and test faces are rendered once with the fixed evalSeed ${
      evalSeeds.join(", ") || "(none yet)"
    }, the same images for every run and seed.`,
    `- Learning rates (sweep.md): per loss, seed 0, ${s.sweepSteps} steps, Adam rates ${
      s.sweepRates.join(", ")
    } first, extended until the best is inside the range or the next rate up diverges. Chosen: ${
      chosen.join("; ") || "none yet"
    }. AWing + CoordConv + boundary uses AWing's rate.`,
    `- Budget: ${s.steps} steps of batch ${s.batch} (${
      ((s.steps * s.batch) / TRAIN_FACES).toFixed(1)
    } epochs) per run, the rate constant for 60% of the steps, then a half cosine to 1%. A run whose`,
    `  validation NME (${s.validationPoints} points) has not flattened — the best value in the last 20% of the steps more`,
    `  than 10% below the best value before them — and that left the plateau (best validation NME`,
    `  at most 25%) is trained again from scratch with twice the steps, up to ${s.maxSteps}. A run that`,
    `  never leaves the plateau is reported as such, with its curve (val_curves.svg).`,
    `- Seeds: 0..${seeds - 1}; a seed fixes the weights and the training batches.`,
    `- Resuming: every run is recorded in ablation.json as it finishes; rerunning the same command`,
    `  skips recorded runs; a run interrupted part-way starts again from scratch.`,
    `- Statistics: mean ± sample std over seeds. Comparisons: a paired bootstrap over the test faces`,
    `  (${BOOTSTRAP.resamples} resamples, seed ${BOOTSTRAP.seed}; each resample draws faces with replacement, the same draw for every`,
    `  seed, and averages a − b over seeds and drawn faces), which covers the variation over faces`,
    `  with the seeds averaged; and a second interval whose resamples also draw the seeds with`,
    `  replacement, which covers the spread between seeds too. A difference counts only when the`,
    `  second interval excludes 0.`,
    ``,
    `## Results (test: 300W common${s.faces ? `, first ${s.faces} faces` : ", 554 faces"})`,
    ``,
    `| configuration | lr | seeds | NME % | FR@0.1 % | AUC@0.1 | peak value | epochs | convergence |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---|`,
    ...rows,
    ``,
    `Peak value: the mean predicted heatmap value at the target peaks (targets have 1 there).`,
    ...(failed.length
      ? [
        ``,
        `Diverged: ${failed.map((f) => `${f.name} seed ${f.seed} (${f.diverged})`).join("; ")}.`,
      ]
      : []),
    ``,
    `## Paired comparisons (NME difference a − b in percentage points; negative: a is better)`,
    ``,
    `| a − b | question | mean | 95% interval, faces | 95% interval, seeds and faces | per seed |`,
    `|---|---|---:|---:|---:|---:|`,
    ...cmp,
    ``,
    `Figures: val_curves.svg (validation NME of every run), ced.svg (CED, seeds pooled),`,
    `heatmaps.svg (seed 0's predicted heatmaps per configuration), peaks.svg (peak values).`,
    ``,
  ].join("\n");
}

/** Rewrites every output of `out` from the records. */
async function writeOutputs(
  out: string,
  work: string,
  s: Settings,
  seeds: number,
  runs: readonly Run[],
  sweep: readonly SweepRecord[],
  figures: boolean,
): Promise<void> {
  const done = runs.filter((r) => !_isFailure(r)) as AblationRecord[];
  const compared = comparisons(done);
  await writeOutput(join(out, "sweep.json"), json(sweep));
  await writeOutput(join(out, "sweep.md"), sweepMarkdown(sweep, s));
  await writeOutput(join(out, "ablation.json"), json(runs));
  await writeOutput(join(out, "comparisons.json"), json(compared));
  await writeOutput(join(out, "ablation.md"), reportMarkdown(runs, sweep, compared, s, seeds));
  if (!figures || done.length === 0) return;
  const names = s.configs.map((c) => c.name).filter((n) => done.some((r) => r.name === n));
  await writeOutput(
    join(out, "val_curves.svg"),
    await validationCurvesSvg(
      done.map((r) => ({ name: r.name, seed: r.seed, curve: r.valCurve })),
      names,
      "Validation NME of every run",
      `${s.quick ? "quick mode; " : ""}one line per seed`,
    ),
  );
  const ced = names.map((name) => {
    const nmes = done.filter((r) => r.name === name).flatMap((r) => r.testNmes);
    return { name, ...cedCurve(nmes, { threshold: 0.5, steps: 500 }) };
  });
  await writeOutput(
    join(out, "ced.svg"),
    await cedSvg(ced, "CED on the test faces", "all seeds pooled"),
  );
  await writeOutput(
    join(out, "peaks.svg"),
    await peakValuesSvg(
      done.map((r) => ({ name: r.name, seed: r.seed, peak: r.peak })),
      names,
      "Predicted value at the target peaks (1 is perfect)",
    ),
  );
  const seed0 = names.map((n) => done.find((r) => r.name === n && r.seed === 0)).filter((r) =>
    r !== undefined
  );
  if (seed0.length > 0) await writeHeatmapFigure(out, work, s, seed0);
}

/** The checkpoint folder of a recorded run. */
function checkpointOf(work: string, s: Settings, r: AblationRecord): string {
  const config = s.configs.find((c) => c.name === r.name)!;
  const dir = jobDir(work, {
    kind: "run",
    config,
    seed: r.seed,
    learningRate: r.learningRate,
    steps: r.steps,
  });
  return join(dir, "train", "checkpoint");
}

/** heatmaps.svg: three test faces, the targets and each configuration's seed-0 prediction. */
async function writeHeatmapFigure(
  out: string,
  work: string,
  s: Settings,
  runs: readonly AblationRecord[],
): Promise<void> {
  await useWasmBackend();
  const n = 3, size = 64, stride = 2, h = size / stride, k = 68;
  const data = await openTrainingData({
    batch: 1,
    inputSize: size,
    heatmapSize: h,
    faces: n,
    worker: false,
  });
  data.close();
  const images = data.test.images.slice(0, n * size * size * 3);
  const hm = toHeatmapCoords(data.test.landmarks.slice(0, n * k * 2), { stride });
  const target = gaussianHeatmaps(hm, { shape: [n, k, h, h], sigma: SIGMA }).heatmaps;
  const columns = [{ label: "target", heatmaps: target, channels: k }];
  for (const r of runs) {
    let model;
    try {
      ({ model } = await loadCheckpoint(checkpointOf(work, s, r)));
    } catch (e) {
      console.error(`ablation: no heatmap figure: ${(e as Error).message.split("\n")[0]}`);
      return;
    }
    const p = predictHeatmaps(model, images);
    model.dispose();
    columns.push({ label: r.name, heatmaps: p.heatmaps, channels: p.shape[1] });
  }
  await writeOutput(
    join(out, "heatmaps.svg"),
    heatmapFigureSvg(
      { images, size, columns, k, h },
      (rgb, width, height) => encode({ width, height, data: rgb, channels: 3 }),
    ),
  );
}

/** Evaluates every recorded run's checkpoint again on the test faces (rendered with evalSeed). */
async function rescore(work: string, s: Settings, runs: Run[]): Promise<void> {
  await useWasmBackend();
  const data = await openTrainingData({
    batch: 1,
    inputSize: 64,
    heatmapSize: 32,
    sigma: SIGMA,
    faces: s.faces ?? undefined,
    worker: false,
  });
  data.close();
  for (const [i, r] of runs.entries()) {
    if (_isFailure(r)) continue;
    const { model, options } = await loadCheckpoint(checkpointOf(work, s, r));
    const e = evaluateModel(model, data.test, { sigma: options.sigma });
    model.dispose();
    runs[i] = {
      ...r,
      nme: e.nme,
      fr: e.fr,
      auc: e.auc,
      peak: e.peak,
      testNmes: Array.from(e.nmes),
      evalSeed: data.evalSeed,
    };
    console.error(`rescored ${r.name} seed ${r.seed}: NME ${(100 * e.nme).toFixed(2)} %`);
  }
}

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const v = cli.values;
  const quick = v.quick === true;
  const whole = (name: string, fallback: number, max = MAX_STEPS) =>
    numberFlag(v, name, { integer: true, min: 1, max }) ?? fallback;
  const steps = whole("steps", quick ? 10 : DEFAULT_STEPS);
  const s: Settings = {
    configs: [...CONFIGS, ...(v["extra-losses"] === true ? EXTRA : [])],
    steps,
    maxSteps: Math.max(steps, whole("max-steps", 2 * steps)),
    sweepSteps: whole("sweep-steps", Math.max(1, Math.round(steps / 2))),
    sweepRates: numberListFlag(v, "rates", 0) ?? [1e-3, 3e-3, 1e-2],
    rateRange: quick ? { min: 1e-3, max: 1e-2 } : { min: 1e-5, max: 0.1 },
    batch: whole("batch", quick ? 4 : 8, maxBatch(2, true)),
    validationPoints: quick ? 10 : 40,
    quick,
    faces: quick ? 16 : null,
    model: quick ? { width: 4, levels: 1 } : null,
    bootstrap: BOOTSTRAP,
  };
  const seeds = whole("seeds", quick ? 1 : 3, 1000);
  const jobs = whole("jobs", 2, 64);
  const out = stringFlag(v, "out") ?? join("out", "ablation");
  const work = stringFlag(v, "work") ?? join("out", "ablation-runs");
  await checkOutDir(out);
  if (v.report !== true) await checkOutDir(work, "--work");
  await Deno.mkdir(out, { recursive: true });
  const settingsFile = join(out, "experiment.json");
  const earlier = await readJson<Settings | null>(settingsFile, null);
  if (earlier !== null && !isDeepStrictEqual(earlier, s)) {
    const diff = (Object.keys(s) as (keyof Settings)[]).filter((key) =>
      !isDeepStrictEqual(earlier[key], s[key])
    );
    throw new CliError(
      `--out ${JSON.stringify(out)} holds an ablation with other settings (${
        diff.join(", ")
      }): use another --out, or the same options to resume it`,
    );
  }
  const runs = await readJson<Run[]>(join(out, "ablation.json"), []);
  const sweep = await readJson<SweepRecord[]>(join(out, "sweep.json"), []);
  if (earlier === null && (runs.length > 0 || sweep.length > 0)) {
    throw new CliError(
      `--out ${
        JSON.stringify(out)
      } holds ablation records without experiment.json (an ablation of another version): use another --out or remove them`,
    );
  }
  if (v.report === true) {
    if (runs.length === 0 && sweep.length === 0) {
      throw new CliError(`cannot report: no recorded run in ${JSON.stringify(out)}`);
    }
    if (v.rescore === true) await rescore(work, s, runs);
    await writeOutputs(out, work, s, seeds, runs, sweep, true);
    console.error(
      `ablation: rewrote ${out} from ${runs.length} runs and ${sweep.length} sweep runs`,
    );
    return 0;
  }
  await Deno.mkdir(work, { recursive: true });
  await writeOutput(settingsFile, json(s));

  const stop = new AbortController();
  let signalled: Deno.Signal | undefined;
  const onSignal = (signal: Deno.Signal) => () => {
    if (signalled !== undefined) return;
    signalled = signal;
    stop.abort();
    const count = children.size;
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already ended
      }
    }
    console.error(`ablation: ${signal}: stopped ${count} training processes`);
  };
  const handlers = (["SIGINT", "SIGTERM"] as const).map((sig) => [sig, onSignal(sig)] as const);
  for (const [sig, handler] of handlers) Deno.addSignalListener(sig, handler);

  const t0 = performance.now();
  const total = seeds * s.configs.length;
  let sweepSoFar: readonly SweepRecord[] = sweep;
  console.error(
    `ablation: ${s.configs.length} configurations x ${seeds} seeds, ${s.steps} steps each (sweep ${s.sweepSteps}), ${jobs} at a time; ${runs.length} runs and ${sweep.length} sweep runs recorded; runs in ${work}`,
  );
  const options: RunAblationOptions = {
    configs: s.configs,
    seeds,
    steps: s.steps,
    maxSteps: s.maxSteps,
    sweepSteps: s.sweepSteps,
    sweepRates: s.sweepRates,
    rateRange: s.rateRange,
    validationPoints: s.validationPoints,
    jobs,
    train: (job) => trainJob(job, s, work),
    sweep,
    runs,
    signal: stop.signal,
    onSweep: async (all) => {
      sweepSoFar = all;
      await writeOutput(join(out, "sweep.json"), json(all));
      await writeOutput(join(out, "sweep.md"), sweepMarkdown(all, s));
    },
    onRun: async (all) => {
      await writeOutputs(out, work, s, seeds, all, sweepSoFar, false);
      const elapsed = formatDuration((performance.now() - t0) / 1000);
      console.error(`ablation: ${all.length}/${total} runs recorded; ${elapsed} elapsed`);
    },
    onEvent: (message) =>
      console.error(`ablation [${formatDuration((performance.now() - t0) / 1000)}] ${message}`),
  };
  let result;
  try {
    result = await runAblation(options);
  } finally {
    for (const [sig, handler] of handlers) Deno.removeSignalListener(sig, handler);
  }
  if (signalled !== undefined) {
    console.error(`ablation: stopped by ${signalled}; rerun the same command to go on`);
    return signalled === "SIGINT" ? 130 : 143;
  }
  await writeOutputs(out, work, s, seeds, result.runs, result.sweep, true);
  const wall = formatDuration((performance.now() - t0) / 1000);
  if (result.errors.length > 0) {
    throw new CliError(
      `${result.errors.length} training runs failed (rerun to try them again); first: ${
        result.errors[0]!.error.message
      }`,
    );
  }
  console.error(`ablation: done in ${wall}; wrote ${out}`);
  return 0;
}

if (import.meta.main) await runCli("ablation", () => main(Deno.args));
