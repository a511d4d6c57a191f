/**
 * Trains a face-alignment heatmap network with one of awing's losses and evaluates it.
 *
 * Usage: `deno task train [--loss awing] [--steps 600] [--batch 16] [--lr R] [--seed 0]
 * [--data rendered|DIR] [--out out/train] [--coord-conv] [--boundary]`; `--help` for all.
 *
 * @module
 */
import { join } from "node:path";
import { useWasmBackend } from "../src/tfjs/use_wasm_backend.ts";
import type { HeatmapModelOptions } from "../src/train/create_heatmap_model.ts";
import { LEARNING_RATES } from "../src/train/learning_rates.ts";
import { LOSS_NAMES } from "../src/train/loss_function.ts";
import { openTrainingData } from "../src/train/open_training_data.ts";
import { runTraining } from "../src/train/run_training.ts";
import type { LossName } from "../src/train/types.ts";
import {
  checkOutDir,
  choiceFlag,
  filesIn,
  numberFlag,
  osErrorOn,
  parseUsage,
  refuseOverwrite,
  runCli,
  stringFlag,
  UsageError,
  writeOutput,
} from "./_cli.ts";
import { INPUT_SIZE, MAX_STEPS, maxBatch, maxStepBatch, modelSizes } from "./_train_flags.ts";
import { Progress } from "./_progress.ts";
import { learningCurveSvg } from "./_train_plots.ts";

/** Default sigma of the Gaussian targets on the 32 x 32 heatmaps (DARK decodes with it). */
const SIGMA = 1.5;

/** Default input pixels per heatmap pixel (64 x 64 crops). */
const STRIDE = 2;

/** Default batch size: small batches give more updates per second on 2 cores. */
const BATCH = 8;

const HELP = `Usage: deno task train [options]

Trains a small U-Net heatmap regressor (64 x 64 crops, 32 x 32 heatmaps, 68 landmarks) with
Adam on TensorFlow.js (WASM backend), validating every --validate-every steps, then evaluates
it on the test faces (DARK decoding, landmarks mapped back to the image, inter-ocular NME,
FR and AUC at 0.1). Writes into --out: log.csv, learning_curve.svg, checkpoint/ (model.json +
its weights) and metrics.json (when the run is done), each file atomically. A folder holds
one run: --out must not hold a run's files already.

Options:
  --loss NAME          ${LOSS_NAMES.join(" | ")} (default: awing)
  --steps N            optimiser steps, at most ${MAX_STEPS} (default: 600)
  --batch N            batch size (default: ${BATCH}); one batch must fit in 2 GiB and a
                       training step in the WASM backend's 4 GiB (about 380 at the defaults)
  --lr R               Adam learning rate (default: the loss's rate from the sweep)
  --seed N             seed of the weights and of the data order (default: 0)
  --data SPEC          "rendered" (faces rendered from real 300W annotations, the rendered
                       300W protocol) or a folder of images with .pts files (default: rendered)
  --out DIR            output folder (default: out/train)
  --coord-conv         add CoordConv input channels (x, y, r)
  --boundary           add a boundary heatmap output channel
  --width N            U-Net filters at the finest level, 1 to 1024 (default: 16)
  --levels N           U-Net levels, at most log2(64 / stride) (default: 3)
  --stride N           input pixels per heatmap pixel: 1, 2 or 4 (default: ${STRIDE})
  --head N             width of a 1x1 layer before the output, 0 (none) to 4096 (default: 0)
  --validate-every N   steps between validations and checkpoints (default: steps / 5)
  --sigma S            sigma of the Gaussian targets, heatmap pixels, 0.001 to 1000
                       (default: ${SIGMA})
  --faces N            use only the first N validation and test faces (quick checks)
  --quiet              no progress output
  -h, --help           print this help
`;

/** Most --seed: any safe integer (the model and the data mix all of its bits into their seeds). */
const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * The files a run writes into --out under fixed names (the checkpoint's weights file is named
 * by its content's hash, so it can only replace a file holding the same bytes).
 */
function outputsOf(out: string): string[] {
  return [
    ...["log.csv", "metrics.json", "learning_curve.svg"].map((f) => join(out, f)),
    join(out, "checkpoint", "model.json"),
  ];
}

/** The model of the run, as runTraining makes it. */
function modelOptions(o: {
  stride: number;
  width: number;
  levels: number;
  head: number;
  sigma: number;
  coordConv: boolean;
  boundary: boolean;
}): HeatmapModelOptions {
  const { stride, width, levels, head, sigma, coordConv, boundary } = o;
  return { inputSize: INPUT_SIZE, stride, width, levels, head, sigma, coordConv, boundary };
}

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const v = cli.values;
  const loss = (stringFlag(v, "loss") ?? "awing") as LossName;
  if (!LOSS_NAMES.includes(loss)) {
    throw new UsageError(`unknown loss "${loss}": expected one of ${LOSS_NAMES.join(", ")}`);
  }
  // every value is checked against what the model and the data sources take, before any work
  const whole = (name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER) =>
    numberFlag(v, name, { integer: true, min, max }) ?? fallback;
  const steps = whole("steps", 600, 1, MAX_STEPS);
  const stride = Number(choiceFlag(v, "stride", ["1", "2", "4"] as const, String(STRIDE)));
  const maxLevels = Math.log2(INPUT_SIZE / stride);
  const levels = whole("levels", 3, 0);
  if (levels > maxLevels) {
    throw new UsageError(
      `--levels must be at most ${maxLevels} with --stride ${stride} (the ${
        INPUT_SIZE / stride
      } px heatmap halves ${maxLevels} times to 1 px) but it is ${levels}`,
    );
  }
  const boundary = v.boundary === true;
  const o = {
    loss,
    steps,
    lr: numberFlag(v, "lr", { above: 0 }) ?? LEARNING_RATES[loss],
    sigma: numberFlag(v, "sigma", { min: 1e-3, max: 1e3 }) ?? SIGMA,
    batch: whole("batch", BATCH, 1, maxBatch(stride, boundary)),
    seed: whole("seed", 0, 0, MAX_SEED),
    width: whole("width", 16, 1, 1024),
    levels,
    head: whole("head", 0, 0, 4096),
    stride,
    validateEvery: whole("validate-every", Math.max(1, Math.round(steps / 5))),
    faces: numberFlag(v, "faces", { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER }),
    data: stringFlag(v, "data") ?? "rendered",
    out: stringFlag(v, "out") ?? join("out", "train"),
    coordConv: v["coord-conv"] === true,
    boundary,
    quiet: v.quiet === true,
  };
  await checkOutDir(o.out);
  if (o.data !== "rendered") await refuseOverwrite(outputsOf(o.out), await filesIn(o.data));
  const stepBatch = maxStepBatch(modelSizes(o));
  if (o.batch > stepBatch) {
    throw new UsageError(
      stepBatch === 0
        ? `--width ${o.width}, --levels ${o.levels} and --head ${o.head} make a model too large to train in the WASM backend's 4 GiB`
        : `--batch must be at most ${stepBatch} for this model (a training step must fit the WASM backend's 4 GiB) but it is ${o.batch}`,
    );
  }
  await useWasmBackend();
  const data = await openTrainingData({
    folder: o.data === "rendered" ? undefined : o.data,
    batch: o.batch,
    seed: o.seed,
    inputSize: INPUT_SIZE,
    heatmapSize: INPUT_SIZE / o.stride,
    sigma: o.sigma,
    boundary: o.boundary,
    faces: o.faces,
  });
  const progress = new Progress(o.steps, o.loss);
  try {
    const { metrics, log } = await runTraining(data, {
      out: o.out,
      loss: o.loss,
      steps: o.steps,
      learningRate: o.lr,
      seed: o.seed,
      validateEvery: o.validateEvery,
      model: modelOptions(o),
      extra: {
        batch: o.batch,
        data: o.data,
        trainFaces: data.trainFaces,
        epochs: (o.steps * o.batch) / data.trainFaces,
      },
      onStep: o.quiet ? undefined : (s) => progress.update(s.step, s.loss, s.seconds),
      onValidation: o.quiet
        ? undefined
        : (step, nme) =>
          progress.line(`${o.loss} step ${step}: validation NME ${(100 * nme).toFixed(2)} %`),
    });
    await writeOutput(
      join(o.out, "learning_curve.svg"),
      await learningCurveSvg(log, `${o.loss}, seed ${o.seed}, lr ${o.lr}`),
    );
    console.log(
      `${o.loss}: test NME ${(100 * metrics.nme).toFixed(2)} %, FR@0.1 ${
        (100 * metrics.fr).toFixed(2)
      } %, AUC@0.1 ${metrics.auc.toFixed(4)} (untrained NME ${
        (100 * metrics.nmeUntrained).toFixed(1)
      } %), ${metrics.secondsPerStep.toFixed(3)} s/step; wrote ${o.out}`,
    );
    return 0;
  } catch (e) {
    throw osErrorOn("--out", o.out, "cannot write to", e); // names the flag, not only the OS
  } finally {
    if (!o.quiet) progress.done();
    data.close();
  }
}

if (import.meta.main) await runCli("train", () => main(Deno.args));
