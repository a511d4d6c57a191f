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
import { LEARNING_RATES } from "../src/train/learning_rates.ts";
import { LOSS_NAMES } from "../src/train/loss_function.ts";
import { _writeFileAtomic } from "../src/train/_file_io.ts";
import { openTrainingData } from "../src/train/open_training_data.ts";
import { runTraining } from "../src/train/run_training.ts";
import type { LossName } from "../src/train/types.ts";
import { numberFlag, parseUsage, runCli, stringFlag, UsageError } from "./_cli.ts";
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
  --steps N            optimiser steps (default: 600)
  --batch N            batch size (default: ${BATCH})
  --lr R               Adam learning rate (default: the loss's rate from the sweep)
  --seed N             seed of the weights and of the data order (default: 0)
  --data SPEC          "rendered" (faces rendered from real 300W annotations, the rendered
                       300W protocol) or a folder of images with .pts files (default: rendered)
  --out DIR            output folder (default: out/train)
  --coord-conv         add CoordConv input channels (x, y, r)
  --boundary           add a boundary heatmap output channel
  --width N            U-Net filters at the finest level (default: 16)
  --levels N           U-Net levels (default: 3)
  --stride N           input pixels per heatmap pixel: 1, 2 or 4 (default: ${STRIDE})
  --head N             width of a 1x1 layer before the output, 0 for none (default: 0)
  --validate-every N   steps between validations and checkpoints (default: steps / 5)
  --sigma S            sigma of the Gaussian targets, heatmap pixels (default: ${SIGMA})
  --faces N            use only the first N validation and test faces (quick checks)
  --quiet              no progress output
  -h, --help           print this help
`;

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const v = cli.values;
  const loss = (stringFlag(v, "loss") ?? "awing") as LossName;
  if (!LOSS_NAMES.includes(loss)) {
    throw new UsageError(`unknown loss "${loss}": expected one of ${LOSS_NAMES.join(", ")}`);
  }
  const whole = (name: string, fallback: number, min = 1) =>
    numberFlag(v, name, { integer: true, min }) ?? fallback;
  const steps = whole("steps", 600);
  const o = {
    loss,
    steps,
    lr: numberFlag(v, "lr", { above: 0 }) ?? LEARNING_RATES[loss],
    sigma: numberFlag(v, "sigma", { above: 0 }) ?? SIGMA,
    batch: whole("batch", BATCH),
    seed: whole("seed", 0, 0),
    width: whole("width", 16),
    levels: whole("levels", 3, 0),
    head: whole("head", 0, 0),
    stride: whole("stride", STRIDE),
    validateEvery: whole("validate-every", Math.max(1, Math.round(steps / 5))),
    faces: numberFlag(v, "faces", { integer: true, min: 1 }),
    data: stringFlag(v, "data") ?? "rendered",
    out: stringFlag(v, "out") ?? join("out", "train"),
    coordConv: v["coord-conv"] === true,
    boundary: v.boundary === true,
    quiet: v.quiet === true,
  };
  await useWasmBackend();
  const data = await openTrainingData({
    folder: o.data === "rendered" ? undefined : o.data,
    batch: o.batch,
    seed: o.seed,
    inputSize: 64,
    heatmapSize: 64 / o.stride,
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
      model: {
        inputSize: 64,
        stride: o.stride,
        width: o.width,
        levels: o.levels,
        head: o.head,
        sigma: o.sigma,
        coordConv: o.coordConv,
        boundary: o.boundary,
      },
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
    await _writeFileAtomic(
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
  } finally {
    if (!o.quiet) progress.done();
    data.close();
  }
}

if (import.meta.main) await runCli("train", () => main(Deno.args));
