/**
 * Benchmark of the TensorFlow.js losses (`@facealign/awing/tfjs`) on a batch of 16x64x64x68
 * heatmaps: the loss + gradient as a training step computes it (`tf.grad` of the loss with
 * respect to the prediction), awing's against the same loss written in tf ops and
 * differentiated by TensorFlow.js, on the `cpu` and `wasm` backends; then a whole training
 * step (forward + backward + Adam) of awing's small U-Net (`createHeatmapModel`, 64x64x3 in,
 * 64x64x68 out) on `wasm`, with either loss, and the share of the step the loss takes.
 *
 * `benchTfjs()` is called by `scripts/bench.ts`; run this file alone for the tables:
 * `deno run --allow-read scripts/bench_tfjs.ts [--reps N] [--json]`.
 *
 * @module
 */
import { bestEach } from "./_best.ts";
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { tfAwingLoss, tfMseLoss, useWasmBackend } from "../src/tfjs/mod.ts";
import { tfOpsLoss } from "../src/tfjs/_tf_ops_losses.ts";
import { createHeatmapModel } from "../src/train/create_heatmap_model.ts";
import { heatmapPair, uniform } from "./_random.ts";
import { numberFlag, parseUsage, runCli } from "./_cli.ts";

/** One measured loss + gradient. */
export interface TfjsLossRow {
  backend: string;
  loss: string;
  /** Best ms of the loss + gradient with awing's loss. */
  awingMs: number;
  /** Best ms of the same loss in tf ops, differentiated by TensorFlow.js. */
  tfOpsMs: number;
}

/** The training step of the U-Net with each loss. */
export interface TfjsStepRow {
  backend: string;
  loss: string;
  /** Best ms of awing's loss + gradient alone, measured in the same rounds as the steps. */
  lossMs: number;
  /** Best ms of one step (forward + backward + Adam) with awing's loss. */
  awingStepMs: number;
  /** The same with the tf-ops loss. */
  tfOpsStepMs: number;
  /** awing's loss + gradient as a share of its step (both measured in the same rounds). */
  share: number;
}

const N = 16, H = 64, W = 64, K = 68;

/**
 * The loss + gradient of `loss` at `pred`, as a training step computes them (the cpu and wasm
 * backends run every kernel before returning; the gradient is not read back, as in training).
 */
function lossAndGrad(loss: (p: tf.Tensor4D) => tf.Scalar, pred: tf.Tensor4D): void {
  tf.tidy(() => {
    tf.valueAndGrad((p: tf.Tensor) => loss(p as tf.Tensor4D))(pred).value.dataSync();
  });
}

/** Measures the loss rows on `backends` and the U-Net step on wasm. */
export async function benchTfjs(
  options: { reps?: number; backends?: string[] } = {},
): Promise<{ losses: TfjsLossRow[]; steps: TfjsStepRow[]; params: number }> {
  const reps = options.reps ?? 5;
  const backends = options.backends ?? ["wasm", "cpu"];
  const size = N * H * W * K;
  const data = heatmapPair(size, 1);
  const losses: TfjsLossRow[] = [];
  const kinds = [
    {
      name: "AWing + weighted map",
      ours: (p: tf.Tensor4D, t: tf.Tensor4D) => tfAwingLoss(p, t),
      ops: (p: tf.Tensor4D, t: tf.Tensor4D) => tfOpsLoss({ kind: "awing" }, p, t),
    },
    {
      name: "MSE",
      ours: (p: tf.Tensor4D, t: tf.Tensor4D) => tfMseLoss(p, t),
      ops: (p: tf.Tensor4D, t: tf.Tensor4D) => tfOpsLoss({ kind: "mse" }, p, t),
    },
  ];
  for (const backend of backends) {
    if (backend === "wasm") await useWasmBackend();
    else await tf.setBackend(backend);
    const pred = tf.tensor4d(data.pred, [N, H, W, K]);
    const target = tf.tensor4d(data.target, [N, H, W, K]);
    for (const kind of kinds) {
      // The tf-ops losses on the cpu backend take seconds a call: fewer repetitions there.
      const [awingMs, tfOpsMs] = bestEach(backend === "cpu" ? Math.min(reps, 3) : reps, [
        () => lossAndGrad((p) => kind.ours(p, target), pred),
        () => lossAndGrad((p) => kind.ops(p, target), pred),
      ]);
      losses.push({ backend, loss: kind.name, awingMs: awingMs!, tfOpsMs: tfOpsMs! });
    }
    tf.dispose([pred, target]);
  }

  await useWasmBackend();
  // awing's own U-Net (src/train) at full resolution: 64x64x3 in, 64x64x68 out.
  const model = createHeatmapModel({ inputSize: H, stride: 1, numLandmarks: K });
  const params = model.countParams();
  const x = tf.tensor4d(Float32Array.from(uniform(N * H * W * 3, 2)), [N, H, W, 3]);
  const y = tf.tensor4d(data.target, [N, H, W, K]);
  const steps: TfjsStepRow[] = [];
  const out = model.predict(x) as tf.Tensor4D;
  for (const kind of kinds.slice(0, 1)) {
    const optimizers = [tf.train.adam(1e-3), tf.train.adam(1e-3)] as const;
    const step = (loss: (p: tf.Tensor4D, t: tf.Tensor4D) => tf.Scalar, i: 0 | 1) => () => {
      const cost = optimizers[i].minimize(() => loss(model.apply(x) as tf.Tensor4D, y), true);
      cost!.dataSync();
      cost!.dispose();
    };
    // The loss alone, and the steps, in the same rounds: the share compares like with like.
    const [lossMs, awingStepMs, tfOpsStepMs] = bestEach(reps, [
      () => lossAndGrad((p) => kind.ours(p, y), out),
      step(kind.ours, 0),
      step(kind.ops, 1),
    ]);
    optimizers.forEach((o) => o.dispose());
    steps.push({
      backend: "wasm",
      loss: kind.name,
      lossMs: lossMs!,
      awingStepMs: awingStepMs!,
      tfOpsStepMs: tfOpsStepMs!,
      share: lossMs! / awingStepMs!,
    });
  }
  model.dispose();
  tf.dispose([x, y, out]);
  return { losses, steps, params };
}

/** The tables as Markdown lines. */
export function tfjsTables(
  result: { losses: TfjsLossRow[]; steps: TfjsStepRow[]; params: number },
): string[] {
  const lines = [
    `TensorFlow.js loss + gradient, ${N}x${H}x${W}x${K} channel-last (best ms)`,
    "| backend | loss | awing | same loss in tf ops | awing speed-up |",
    "|---|---|---:|---:|---:|",
  ];
  for (const r of result.losses) {
    lines.push(
      `| ${r.backend} | ${r.loss} | ${r.awingMs.toFixed(1)} | ${r.tfOpsMs.toFixed(1)} | ${
        (r.tfOpsMs / r.awingMs).toFixed(1)
      }x |`,
    );
  }
  lines.push(
    "",
    `createHeatmapModel U-Net training step (${result.params} parameters, Adam, batch ${N}, 64x64x3 -> ` +
      `64x64x${K}), best ms`,
    "| backend | loss | awing loss + gradient | step with awing | step with tf-ops loss | awing share of its step |",
    "|---|---|---:|---:|---:|---:|",
  );
  for (const r of result.steps) {
    lines.push(
      `| ${r.backend} | ${r.loss} | ${r.lossMs.toFixed(1)} | ${r.awingStepMs.toFixed(0)} | ${
        r.tfOpsStepMs.toFixed(0)
      } | ${(100 * r.share).toFixed(1)}% |`,
    );
  }
  return lines;
}

const HELP = `Usage: deno run --allow-read scripts/bench_tfjs.ts [--reps N] [--json]

Loss + gradient of the TensorFlow.js losses on ${N}x${H}x${W}x${K}: awing's against the
same loss in tf ops, on the cpu and wasm backends; then a small U-Net training step
on wasm with each loss, and the loss' share of it.

Options:
  --reps N             timed repetitions per row, best kept (default 5)
  --json               print the rows as JSON
  -h, --help           print this help
`;

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const reps = numberFlag(cli.values, "reps", { integer: true, min: 1 }) ?? 5;
  const result = await benchTfjs({ reps });
  console.log(cli.values.json ? JSON.stringify(result) : tfjsTables(result).join("\n"));
  return 0;
}

if (import.meta.main) await runCli("bench_tfjs", () => main(Deno.args));
