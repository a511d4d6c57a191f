/**
 * The paper's loss ablation at small scale: MSE, Wing, AWing without and with the weighted
 * loss map, and AWing + map + CoordConv + boundary channel, several seeds each, two training
 * processes at a time.
 *
 * Usage: `deno task ablation [--out out/ablation] [--steps N] [--seeds 3] [--jobs 2] [--quick]
 * [--sweep]`; `--help` for all.
 *
 * @module
 */
import { join } from "node:path";
import { useWasmBackend } from "../src/tfjs/use_wasm_backend.ts";
import { encode } from "fast-png";
import { gaussianHeatmaps } from "../src/heatmap/gaussian_heatmaps.ts";
import { toHeatmapCoords } from "../src/heatmap/to_heatmap_coords.ts";
import { cedCurve } from "../src/metrics/ced_curve.ts";
import { LEARNING_RATES } from "../src/train/learning_rates.ts";
import { evaluateModel } from "../src/train/evaluate_model.ts";
import { loadCheckpoint } from "../src/train/load_checkpoint.ts";
import { openTrainingData } from "../src/train/open_training_data.ts";
import { predictHeatmaps } from "../src/train/predict_heatmaps.ts";
import type { TrainingMetrics } from "../src/train/run_training.ts";
import { type MeanStd, summarizeRuns } from "../src/train/summarize_runs.ts";
import type { EvalSet, LossName } from "../src/train/types.ts";
import { checkOutDir, numberFlag, parseUsage, runCli, stringFlag } from "./_cli.ts";
import { MAX_STEPS, maxBatch } from "./_train_flags.ts";
import { formatDuration } from "./_progress.ts";
import { cedSvg, heatmapFigureSvg } from "./_train_plots.ts";

/** Sigma of the training targets (as in the train script). */
const SIGMA = 1.5;

/**
 * Default steps per run (batch 8): 15 runs, 2 at a time, about 0.2 s per step on a quiet 2-core
 * machine; the whole default run took 17.5 minutes there.
 */
const DEFAULT_STEPS = 600;

interface Config {
  name: string;
  loss: LossName;
  flags: string[];
}

const CONFIGS: Config[] = [
  { name: "mse", loss: "mse", flags: [] },
  { name: "wing", loss: "wing", flags: [] },
  { name: "awing-nomap", loss: "awing-nomap", flags: [] },
  { name: "awing", loss: "awing", flags: [] },
  { name: "awing+coord+boundary", loss: "awing", flags: ["--coord-conv", "--boundary"] },
];

/** The sweep's learning rates and losses (AWing + CoordConv + boundary uses AWing's rate). */
const SWEEP_RATES = [1e-3, 3e-3];
const SWEEP_LOSSES: LossName[] = ["mse", "wing", "awing-nomap", "awing"];

const HELP = `Usage: deno task ablation [options]

Trains ${CONFIGS.map((c) => c.name).join(", ")} on the rendered 300W protocol,
--seeds seeds each, --jobs training processes at a time (deno task train), and writes into
--out: ablation.json (one record per run), ablation.md (mean +- std per configuration: NME %,
FR@0.1 %, AUC@0.1, peak value), ced.svg (CED curves, all seeds pooled) and heatmaps.svg
(predicted heatmaps of the same test faces under each loss, seed 0, beside the targets).
Each run's own files (checkpoint, log, metrics) go to --work.

With --sweep it trains ${SWEEP_LOSSES.join(", ")} at learning rates ${SWEEP_RATES.join(", ")}
(seed 0) and writes sweep.json and sweep.md (validation NME per rate) instead.

Options:
  --out DIR      output folder (default: out/ablation)
  --work DIR     folder of the runs (default: out/ablation-runs)
  --steps N      steps per run (default: ${DEFAULT_STEPS}, also with --sweep)
  --seeds N      seeds per configuration (default: 3)
  --jobs N       training processes at a time (default: 2)
  --batch N      batch size (default: 8)
  --quick        the same pipeline in under a minute: 1 seed, 3 steps, a tiny network, 16
                 validation and test faces (for tests)
  --sweep        the learning-rate sweep
  --report       train nothing: rewrite the outputs from the runs already in --work (same
                 options as the run, e.g. after it was interrupted)
  --rescore      with --report: evaluate every run's checkpoint again on its test faces
                 (after a change to the evaluation) instead of reading its metrics.json
  -h, --help     print this help
`;

interface Job {
  name: string;
  loss: LossName;
  seed: number;
  lr: number;
  dir: string;
  args: string[];
}

type Record_ = Omit<TrainingMetrics, "nmes" | "model"> & { name: string };

const TRAIN = new URL("./train.ts", import.meta.url).pathname;

async function runJob(job: Job): Promise<TrainingMetrics> {
  await Deno.mkdir(job.dir, { recursive: true });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", TRAIN, ...job.args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  await Deno.writeTextFile(
    join(job.dir, "run.log"),
    text.decode(out.stdout) + text.decode(out.stderr),
  );
  if (!out.success) {
    const last = text.decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(`run ${job.name} seed ${job.seed} failed (exit ${out.code}): ${last}`);
  }
  return JSON.parse(await Deno.readTextFile(join(job.dir, "metrics.json")));
}

/**
 * Runs the jobs, `parallel` at a time, in order; the results in job order. `onDone` sees the
 * results so far after each run (undefined for the runs not finished yet).
 */
async function runPool(
  jobs: Job[],
  parallel: number,
  onDone: (results: (TrainingMetrics | undefined)[]) => Promise<void>,
): Promise<TrainingMetrics[]> {
  const results: (TrainingMetrics | undefined)[] = new Array(jobs.length).fill(undefined);
  let writing = Promise.resolve();
  const t0 = performance.now();
  let next = 0, done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i]!;
      results[i] = await runJob(job);
      done++;
      const elapsed = (performance.now() - t0) / 1000;
      const m = results[i]!;
      writing = writing.then(() => onDone(results));
      console.error(
        `[${done}/${jobs.length}] ${job.name} seed ${job.seed} lr ${job.lr}: test NME ${
          (100 * m.nme).toFixed(2)
        } %, val NME ${(100 * m.valNme).toFixed(2)} %, ${m.seconds.toFixed(0)} s; elapsed ${
          formatDuration(elapsed)
        }, ETA ${formatDuration((elapsed / done) * (jobs.length - done))}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  await writing;
  return results as TrainingMetrics[];
}

const pct = (m: MeanStd, digits = 2) =>
  `${(100 * m.mean).toFixed(digits)} ± ${(100 * m.std).toFixed(digits)}`;

async function writeAblation(
  out: string,
  allJobs: Job[],
  results: (TrainingMetrics | undefined)[],
  o: {
    steps: number;
    batch: number;
    quick: boolean;
    faces: number | undefined;
    wall: number;
    rescored?: boolean;
    report?: boolean;
  },
): Promise<void> {
  const jobs = allJobs.filter((_, i) => results[i] !== undefined);
  const metrics = results.filter((m) => m !== undefined);
  const records: Record_[] = metrics.map((m, i) => {
    const { nmes: _n, model: _m, ...rest } = m;
    return { ...rest, name: jobs[i]!.name };
  });
  const summaries = summarizeRuns(records);
  const rows = summaries.map((s) => {
    const rs = records.filter((r) => r.name === s.name);
    return `| ${s.name} | ${rs[0]!.learningRate} | ${s.runs} | ${pct(s.nme)} | ${pct(s.fr, 1)} | ${
      s.auc.mean.toFixed(4)
    } ± ${s.auc.std.toFixed(4)} | ${s.peak.mean.toFixed(3)} ± ${s.peak.std.toFixed(3)} | ${
      (1000 * s.secondsPerStep.mean).toFixed(0)
    } |`;
  });
  const md = [
    `# Loss ablation (rendered 300W protocol)`,
    ``,
    `${records.length} of ${allJobs.length} runs finished: ${o.steps} steps of batch ${o.batch} each, ${
      o.quick ? "quick mode (tiny network, few faces; not a result)" : "U-Net of the train script"
    }; ${
      o.report
        ? `${formatDuration(records.reduce((t, r) => t + r.seconds, 0))} of training over all runs`
        : `${formatDuration(o.wall)} wall clock`
    }. Test: 300W common${
      o.faces ? ` (first ${o.faces} faces)` : " (554 faces)"
    }, DARK decoding, inter-ocular NME${
      o.rescored ? " (scored again from the checkpoints: `--report --rescore`)" : ""
    }. Mean ± sample std over seeds.`,
    ``,
    `| configuration | lr | seeds | NME % | FR@0.1 % | AUC@0.1 | peak value | ms/step |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|`,
    ...rows,
    ``,
    `Peak value: the mean predicted heatmap value at the target peaks (targets have 1 there).`,
    ``,
  ].join("\n");
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(join(out, "ablation.json"), JSON.stringify(records, null, 1) + "\n");
  await Deno.writeTextFile(join(out, "ablation.md"), md);
  const series = summaries.map((s) => {
    const nmes = metrics.filter((_, i) => jobs[i]!.name === s.name).flatMap((m) => m.nmes);
    // up to 50%: small-budget networks are scored beyond the usual 10% threshold too
    return { name: s.name, ...cedCurve(nmes, { threshold: 0.5, steps: 500 }) };
  });
  await Deno.writeTextFile(
    join(out, "ced.svg"),
    await cedSvg(series, "CED on the test faces", `all seeds pooled, ${o.steps} steps per run`),
  );
}

async function writeHeatmapFigure(out: string, jobs: Job[]): Promise<void> {
  const seed0 = jobs.filter((j) => j.seed === 0);
  const first = await loadCheckpoint(join(seed0[0]!.dir, "checkpoint"));
  const o = first.options;
  first.model.dispose();
  const n = 3, s = o.inputSize, h = s / o.stride, k = o.numLandmarks;
  const data = await openTrainingData({
    batch: 1,
    inputSize: s,
    heatmapSize: h,
    faces: n,
    worker: false,
  });
  data.close();
  const images = data.test.images.slice(0, n * s * s * 3);
  const hm = toHeatmapCoords(data.test.landmarks.slice(0, n * k * 2), { stride: o.stride });
  const target = gaussianHeatmaps(hm, { shape: [n, k, h, h], sigma: SIGMA }).heatmaps;
  const columns = [{ label: "target", heatmaps: target, channels: k }];
  for (const job of seed0) {
    const { model } = await loadCheckpoint(join(job.dir, "checkpoint"));
    const p = predictHeatmaps(model, images);
    model.dispose();
    columns.push({ label: job.name, heatmaps: p.heatmaps, channels: p.shape[1] });
  }
  await Deno.writeTextFile(
    join(out, "heatmaps.svg"),
    heatmapFigureSvg(
      { images, size: s, columns, k, h },
      (data, width, height) => encode({ width, height, data, channels: 3 }),
    ),
  );
}

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const values = {
    out: stringFlag(cli.values, "out"),
    work: stringFlag(cli.values, "work"),
  };
  const quick = cli.values.quick === true, sweep = cli.values.sweep === true;
  const whole = (name: string, fallback: number, max: number) =>
    numberFlag(cli.values, name, { integer: true, min: 1, max }) ?? fallback;
  const steps = whole("steps", quick ? 3 : DEFAULT_STEPS, MAX_STEPS);
  const seeds = whole("seeds", quick ? 1 : 3, 1000);
  const parallel = whole("jobs", 2, 64);
  const batch = whole("batch", quick ? 4 : 8, maxBatch(2, true));
  const out = values.out ?? join("out", "ablation");
  const work = values.work ?? join("out", "ablation-runs");
  await checkOutDir(out);
  if (cli.values.report !== true) await checkOutDir(work, "--work");
  const faces = quick ? 16 : undefined;
  const common = [
    "--steps",
    String(steps),
    "--batch",
    String(batch),
    "--quiet",
    ...(quick ? ["--width", "4", "--levels", "1", "--faces", String(faces)] : []),
  ];
  const jobs: Job[] = [];
  if (sweep) {
    for (const loss of SWEEP_LOSSES) {
      for (const lr of SWEEP_RATES) {
        const dir = join(work, "sweep", `${loss}-lr${lr}`);
        jobs.push({
          name: loss,
          loss,
          seed: 0,
          lr,
          dir,
          args: ["--loss", loss, "--lr", String(lr), "--seed", "0", "--out", dir, ...common],
        });
      }
    }
  } else {
    for (let seed = 0; seed < seeds; seed++) {
      for (const c of CONFIGS) {
        const dir = join(work, `${c.name}-s${seed}`);
        const lr = LEARNING_RATES[c.loss];
        jobs.push({
          name: c.name,
          loss: c.loss,
          seed,
          lr,
          dir,
          args: [
            "--loss",
            c.loss,
            "--lr",
            String(lr),
            "--seed",
            String(seed),
            "--out",
            dir,
            ...c.flags,
            ...common,
          ],
        });
      }
    }
  }
  console.error(
    `ablation: ${jobs.length} runs of ${steps} steps, ${parallel} at a time; runs in ${work}`,
  );
  const t0 = performance.now();
  await Deno.mkdir(out, { recursive: true });
  let figure = false;
  if (cli.values.report === true) {
    const results = await Promise.all(
      jobs.map((j) =>
        Deno.readTextFile(join(j.dir, "metrics.json")).then(
          (text) => JSON.parse(text) as TrainingMetrics,
          () => undefined,
        )
      ),
    );
    if (results.every((r) => r === undefined)) {
      throw new Error(`Cannot report: no finished run in "${work}"`);
    }
    if (cli.values.rescore === true) await rescore(jobs, results, faces);
    if (sweep) {
      await writeSweep(out, jobs, results, steps);
    } else {
      const rescored = cli.values.rescore === true;
      await writeAblation(out, jobs, results, {
        steps,
        batch,
        quick,
        faces,
        wall: NaN,
        rescored,
        report: true,
      });
      if (jobs.every((j, i) => j.seed !== 0 || results[i] !== undefined)) {
        await useWasmBackend();
        await writeHeatmapFigure(out, jobs);
      }
    }
    console.error(`ablation: rewrote ${out} from ${results.filter((r) => r).length} runs`);
    return 0;
  }
  const metrics = await runPool(jobs, parallel, async (results) => {
    if (sweep) return;
    const wall = (performance.now() - t0) / 1000;
    await writeAblation(out, jobs, results, { steps, batch, quick, faces, wall });
    // the heatmap picture once every configuration has its seed-0 run
    if (!figure && jobs.every((j, i) => j.seed !== 0 || results[i] !== undefined)) {
      figure = true;
      await useWasmBackend();
      await writeHeatmapFigure(out, jobs);
    }
  });
  const wall = (performance.now() - t0) / 1000;
  if (sweep) await writeSweep(out, jobs, metrics, steps);
  console.error(`ablation: done in ${formatDuration(wall)}; wrote ${out}`);
  return 0;
}

/** Evaluates each finished run's checkpoint again on its test faces (rendered with its seed). */
async function rescore(
  jobs: Job[],
  results: (TrainingMetrics | undefined)[],
  faces: number | undefined,
): Promise<void> {
  await useWasmBackend();
  const tests = new Map<string, EvalSet>();
  for (const [i, job] of jobs.entries()) {
    const m = results[i];
    if (m === undefined) continue;
    const { model, options } = await loadCheckpoint(join(job.dir, "checkpoint"));
    const key = `${job.seed} ${options.inputSize} ${options.stride} ${options.sigma}`;
    if (!tests.has(key)) {
      const data = await openTrainingData({
        batch: 1,
        seed: job.seed,
        inputSize: options.inputSize,
        heatmapSize: options.inputSize / options.stride,
        sigma: options.sigma,
        faces,
        worker: false,
      });
      data.close();
      tests.set(key, data.test);
    }
    const e = evaluateModel(model, tests.get(key)!, { sigma: options.sigma });
    model.dispose();
    results[i] = { ...m, nme: e.nme, fr: e.fr, auc: e.auc, peak: e.peak, nmes: Array.from(e.nmes) };
    console.error(`rescored ${job.name} seed ${job.seed}: NME ${(100 * e.nme).toFixed(2)} %`);
  }
}

async function writeSweep(
  out: string,
  jobs: Job[],
  metrics: (TrainingMetrics | undefined)[],
  steps: number,
): Promise<void> {
  const records = jobs.flatMap((j, i) => {
    const m = metrics[i];
    return m === undefined ? [] : [{
      loss: j.loss,
      lr: j.lr,
      valNme: m.valNme,
      nmeTest: m.nme,
      lossLast: m.lossLast,
    }];
  });
  const lines = [
    `# Learning-rate sweep (validation split of the rendered 300W protocol)`,
    ``,
    `Seed 0, ${steps} steps per run; the rate with the lowest validation NME is chosen (the`,
    `test NME is listed but not used for the choice).`,
    ``,
    `| loss | lr | validation NME % | chosen |`,
    `|---|---:|---:|---|`,
  ];
  for (const loss of SWEEP_LOSSES) {
    const rs = records.filter((r) => r.loss === loss);
    if (rs.length === 0) continue;
    const best = rs.reduce((a, b) => (b.valNme < a.valNme ? b : a));
    for (const r of rs) {
      lines.push(
        `| ${loss} | ${r.lr} | ${(100 * r.valNme).toFixed(2)} | ${r === best ? "yes" : ""} |`,
      );
    }
  }
  await Deno.writeTextFile(join(out, "sweep.json"), JSON.stringify(records, null, 1) + "\n");
  await Deno.writeTextFile(join(out, "sweep.md"), lines.join("\n") + "\n");
}

if (import.meta.main) await runCli("ablation", () => main(Deno.args));
