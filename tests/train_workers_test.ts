// trainModel's data-parallel Workers: the update of one thread where the mathematics says so,
// the same errors as on one thread with the model as it was, and Workers that end.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { useWasmBackend } from "../src/tfjs/mod.ts";
import { trainModel } from "../src/train/mod.ts";
import type { Batch } from "../src/train/types.ts";
import { assertClose } from "./_assert.ts";
import { needs, READ } from "./_permissions.ts";
import {
  assertFailedStep,
  batchOf,
  FAILURES,
  K,
  S,
  smallModel,
  sourceOf,
  weightsOf,
} from "./_train.ts";

if (!READ.ignore) await useWasmBackend();

/** Two 3x3 convolutions with a ReLU between them and no batch norm. */
function plainModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [S, S, 3] });
  const hidden = tfl.layers.conv2d({
    filters: 6,
    kernelSize: 3,
    strides: 2,
    padding: "same",
    activation: "relu",
    kernelInitializer: tfl.initializers.heNormal({ seed: 7 }),
  }).apply(input) as tfl.SymbolicTensor;
  const out = tfl.layers.conv2d({
    filters: K,
    kernelSize: 3,
    padding: "same",
    kernelInitializer: tfl.initializers.glorotNormal({ seed: 8 }),
  }).apply(hidden) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/** One batch of the samples of `a`, then those of `b`. */
function joined(a: Batch, b: Batch): Batch {
  const cat = (x: Float32Array, y: Float32Array) => {
    const out = new Float32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { images: cat(a.images, b.images), heatmaps: cat(a.heatmaps, b.heatmaps) };
}

/** Trains `build()` on `batches` with `workers`; its losses and weights. */
async function run(
  build: () => tfl.LayersModel,
  batches: Batch[],
  workers: number,
): Promise<{ losses: Float64Array; weights: Float32Array[] }> {
  const model = build();
  try {
    const { losses } = await trainModel(model, {
      loss: "awing",
      steps: batches.length,
      learningRate: 1e-2,
      source: sourceOf((i) => batches[i - 1]!),
      workers,
    });
    return { losses, weights: weightsOf(model) };
  } finally {
    model.dispose();
  }
}

Deno.test({
  name:
    `without batch norm, 3 workers on shares of 2, 2 and 3 samples train as one thread${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const batches = [1, 2, 3].map((i) => batchOf(7, 40 + i));
  const one = await run(plainModel, batches, 1), three = await run(plainModel, batches, 3);
  assertClose(three.losses, one.losses, 1e-5, 0, "losses");
  ok(one.losses[2]! < one.losses[0]!);
  three.weights.forEach((w, i) => assertClose(w, one.weights[i]!, 1e-4, 1e-6, `weight ${i}`));
});

Deno.test({
  name: `with batch norm, 2 workers train as one thread when both shares are the same${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  // each replica's batch statistics are then the whole batch's: the same update, and the
  // averaged moving statistics are the one thread's
  const batches = [1, 2, 3].map((i) => joined(batchOf(4, 50 + i), batchOf(4, 50 + i)));
  const build = () => smallModel(5, true);
  const one = await run(build, batches, 1), two = await run(build, batches, 2);
  assertClose(two.losses, one.losses, 1e-5, 0, "losses");
  const model = build();
  const trainable = model.trainableWeights.length;
  equal(trainable + model.nonTrainableWeights.length, one.weights.length);
  model.dispose();
  two.weights.forEach((w, i) => assertClose(w, one.weights[i]!, 1e-4, 1e-6, `weight ${i}`));
  // the moving statistics moved away from their start
  ok(one.weights.slice(trainable).some((w) => w.some((v) => v !== 0 && v !== 1)));
});

Deno.test({
  name: `the model gets the average of the replicas' moving statistics${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  // after one step each replica's moving statistics depend only on its own share
  const [a, b] = [batchOf(4, 61), batchOf(4, 62)];
  const both = joined(a, b);
  const build = () => smallModel(6);
  const [onA, onB, two] = [
    await run(build, [a], 1),
    await run(build, [b], 1),
    await run(build, [both], 2),
  ];
  const model = build();
  const trainable = model.trainableWeights.length;
  model.dispose();
  for (let i = trainable; i < two.weights.length; i++) {
    const mean = onA.weights[i]!.map((v, j) => (v + onB.weights[i]![j]!) / 2);
    assertClose(two.weights[i]!, mean, 1e-5, 1e-7, `moving statistic ${i}`);
    ok(onA.weights[i]!.some((v, j) => Math.abs(v - onB.weights[i]![j]!) > 1e-4));
  }
});

for (const [name, bad, type, message] of FAILURES) {
  Deno.test({
    name:
      `with workers, a step with ${name} fails as on one thread, the model as it was${READ.why}`,
    ignore: READ.ignore,
  }, () => assertFailedStep(bad, 2, (e) => e instanceof type && message.test(e.message)));
}

/** A layer that the Workers do not know (registered on this thread only). */
class Doubling extends tfl.layers.Layer {
  static className = "AwingTestDoubling";
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, 2);
  }
}
tf.serialization.registerClass(Doubling);

/** A model whose last layer is {@link Doubling}. */
function doublingModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [S, S, 3] });
  const conv = tfl.layers.conv2d({ filters: K, kernelSize: 1 }).apply(input);
  return tfl.model({ inputs: input, outputs: new Doubling({}).apply(conv) as tfl.SymbolicTensor });
}

Deno.test({
  name:
    `workers refuse a batch smaller than them, another backend and layers they do not know${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const [model, doubling] = [smallModel(), doublingModel()];
  const options = { loss: "mse", steps: 1, learningRate: 1e-3, workers: 3 } as const;
  const tensors = tf.memory().numTensors;
  try {
    await rejects(
      trainModel(model, { ...options, source: sourceOf(() => batchOf(2, 1)) }),
      /^RangeError: Cannot train at step 1: a batch of 2 samples cannot be shared by 3 workers$/,
    );
    await rejects(
      trainModel(doubling, { ...options, source: sourceOf(() => batchOf(3, 1, S, S)) }),
      /^Error: Cannot train with 3 workers: a Worker cannot rebuild the model, whose layers must be TensorFlow.js' own or awing's \(Unknown layer: AwingTestDoubling\)$/,
    );
    equal(tf.memory().numTensors, tensors);
    ok(await tf.setBackend("cpu"));
    await rejects(
      trainModel(model, { ...options, source: sourceOf(() => batchOf(3, 1)) }),
      /Cannot train with 3 workers: they train on the wasm backend of TensorFlow.js \(useWasmBackend\(\)\), but the current backend is cpu/,
    );
  } finally {
    await useWasmBackend();
    model.dispose();
    doubling.dispose();
  }
});

const RUN = needs("read", "run");

Deno.test({
  name: `the Workers end on success, failure and a stop by a hook or the source${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const script = new URL("./_train_workers_end.ts", import.meta.url).pathname;
  const command = (flags: string[], arg: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...flags, script, ...arg],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(240_000), // a Worker left running keeps the process alive
    }).output();
  const out = await command(["--allow-read", "--allow-env"], []);
  const text = new TextDecoder().decode(out.stdout);
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = text.trim().split("\n");
  equal(lines[0], "done");
  ok(/^Cannot train at step 2: Cannot compute loss as alpha/.test(lines[1]!), lines[1]);
  deepEqual(lines.slice(2), ["stopped by onStep", "no data"]);
  const noRead = await command([], ["no-read"]);
  equal(noRead.code, 0, new TextDecoder().decode(noRead.stderr));
  ok(
    /^Cannot train with 2 workers: they need --allow-read to load file:.*_train_worker\.ts and the wasm backend's files$/
      .test(new TextDecoder().decode(noRead.stdout).trim()),
    new TextDecoder().decode(noRead.stdout),
  );
});
