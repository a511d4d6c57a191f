// trainModel's step: the same update as tfjs-layers' trainOnBatch, a failed step that leaves the
// model (weights, moving statistics, optimiser state) as it was and frees what it made, and
// wrong options answered by awing's errors.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { useWasmBackend } from "../src/tfjs/mod.ts";
import { _FusedAdam } from "../src/tfjs/_fused_adam.ts";
import { lossFunction, trainModel, type TrainModelOptions } from "../src/train/mod.ts";
import { _learningRate } from "../src/train/train_model.ts";
import { _Replica } from "../src/train/_train_step.ts";
import { READ } from "./_permissions.ts";
import {
  assertFailedStep,
  batchOf,
  FAILURES,
  H,
  K,
  S,
  smallModel,
  sourceOf,
  weightsOf,
} from "./_train.ts";

if (!READ.ignore) await useWasmBackend();

const SIZES = { input: [S, S, 3], output: [H, H, K] } as const;

/** A model with batch norm and an L2-regularised kernel, the losses trainOnBatch adds. */
function regularisedModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [S, S, 3] });
  let x = tfl.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: "same",
    kernelInitializer: tfl.initializers.heNormal({ seed: 5 }),
    kernelRegularizer: tfl.regularizers.l2({ l2: 0.05 }),
  }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ momentum: 0.9 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.conv2d({
    filters: K,
    kernelSize: 1,
    kernelInitializer: tfl.initializers.glorotNormal({ seed: 6 }),
  }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

Deno.test({
  name: `a step is trainOnBatch's: the same losses, weights and moving statistics${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const steps = 5, lr = 1e-2;
  const batches = Array.from({ length: steps }, (_, i) => batchOf(4, 20 + i));
  for (const build of [regularisedModel, () => smallModel(4, true)]) {
    const mine = build(), theirs = build();
    try {
      deepEqual(weightsOf(mine), weightsOf(theirs));
      const { losses } = await trainModel(mine, {
        loss: "awing",
        steps,
        learningRate: lr,
        source: sourceOf((i) => batches[i - 1]!),
      });
      // the reference: tfjs-layers' own training step with trainModel's Adam (the fused one,
      // tested against tf.train.adam in tfjs_kernels_test.ts), at the same learning rates
      const optimizer = new _FusedAdam(lr);
      const awing = lossFunction("awing");
      theirs.compile({
        optimizer,
        loss: (t: tf.Tensor, p: tf.Tensor) => awing(p as tf.Tensor4D, t as tf.Tensor4D),
      });
      for (let i = 0; i < steps; i++) {
        optimizer.learningRate = _learningRate(lr, i, steps);
        const x = tf.tensor4d(batches[i]!.images, [4, S, S, 3]);
        const y = tf.tensor4d(batches[i]!.heatmaps, [4, H, H, K]);
        const ref = await theirs.trainOnBatch(x, y);
        equal(losses[i], ref, `loss of step ${i + 1}`);
        tf.dispose([x, y]);
      }
      optimizer.dispose();
      ok(mine.nonTrainableWeights.length > 0);
      deepEqual(weightsOf(mine), weightsOf(theirs));
    } finally {
      mine.dispose();
      theirs.dispose();
    }
  }
});

for (const [name, bad, type, message] of FAILURES) {
  Deno.test({
    name: `a step with ${name} fails clearly and leaves the model as it was${READ.why}`,
    ignore: READ.ignore,
  }, () => assertFailedStep(bad, 1, (e) => e instanceof type && message.test(e.message)));
}

Deno.test({
  name:
    `a failed step keeps the optimiser's state: the next update is the one without it${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const failing = new _Replica(smallModel(), "awing", 1e-2, SIZES);
  const plain = new _Replica(smallModel(), "awing", 1e-2, SIZES);
  const [a, b] = [batchOf(4, 1), batchOf(4, 2)];
  const bad = batchOf(4, 3);
  bad.heatmaps[0] = 5;
  try {
    for (const [replica, batches] of [[failing, [a, bad, b]], [plain, [a, b]]] as const) {
      for (const { images, heatmaps } of batches) {
        const tensors = tf.memory().numTensors;
        try {
          const { grads } = replica.compute(images, heatmaps, 4);
          replica.apply(grads, 1e-2);
        } catch (error) {
          ok(batches[1] === bad && error instanceof RangeError, String(error));
          equal(tf.memory().numTensors, tensors);
        }
      }
    }
    deepEqual(weightsOf(failing.model), weightsOf(plain.model));
    const state = async (r: _Replica) =>
      (await r.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    deepEqual(await state(failing), await state(plain));
  } finally {
    for (const r of [failing, plain]) {
      r.dispose();
      r.model.dispose();
    }
  }
});

Deno.test({
  name: `wrong options of trainModel are awing's TypeError or RangeError, naming them${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const model = smallModel();
  const good: TrainModelOptions = {
    loss: "mse",
    steps: 1,
    learningRate: 1e-3,
    source: sourceOf(() => batchOf(2, 1)),
  };
  const wrong: [unknown, unknown, ErrorConstructor, RegExp][] = [
    [
      model,
      undefined,
      TypeError,
      /"options" must be an object with loss, steps, learningRate and source but it is undefined/,
    ],
    [null, good, TypeError, /"model" must be a tf.LayersModel/],
    [{}, good, TypeError, /"model" must be a tf.LayersModel/],
    [
      model,
      { ...good, source: null },
      TypeError,
      /"source" must be a batch source with a next\(\) method but it is null/,
    ],
    [model, { ...good, source: undefined }, TypeError, /"source" must be .* but it is undefined/],
    [model, { ...good, source: {} }, TypeError, /"source" must be .* but it is object/],
    [model, { ...good, source: { next: 1 } }, TypeError, /"source" must be .* but it is object/],
    [
      model,
      { ...good, loss: undefined },
      RangeError,
      /Cannot choose loss "undefined": expected one of/,
    ],
    [model, { ...good, steps: "3" }, TypeError, /"steps" must be a number but it is string/],
    [
      model,
      { ...good, steps: 1.5 },
      RangeError,
      /steps must be a whole number in \[1, 10000000\]: current value is 1.5/,
    ],
    [
      model,
      { ...good, steps: 1e12 },
      RangeError,
      /steps must be a whole number in \[1, 10000000\]: current value is 1000000000000/,
    ],
    [
      model,
      { ...good, learningRate: null },
      TypeError,
      /"learningRate" must be a number but it is null/,
    ],
    [
      model,
      { ...good, learningRate: -1 },
      RangeError,
      /the learning rate must be > 0: current value is -1/,
    ],
    [
      model,
      { ...good, validate: 5 },
      TypeError,
      /"validate" must be a function or undefined but it is number/,
    ],
    [
      model,
      { ...good, onStep: "x" },
      TypeError,
      /"onStep" must be a function or undefined but it is string/,
    ],
    [
      model,
      { ...good, validateEvery: -1 },
      RangeError,
      /validateEvery must be a whole number >= 0: current value is -1/,
    ],
    [
      model,
      { ...good, workers: 0 },
      RangeError,
      /workers must be a whole number in \[1, 64\]: current value is 0/,
    ],
    [model, { ...good, workers: 1.5 }, RangeError, /workers must be a whole number in \[1, 64\]/],
    [model, { ...good, workers: "2" }, TypeError, /"workers" must be a number but it is string/],
  ];
  try {
    const tensors = tf.memory().numTensors;
    for (const [m, options, type, message] of wrong) {
      await rejects(
        trainModel(m as tfl.LayersModel, options as TrainModelOptions),
        (e: Error) =>
          e instanceof type && /^Cannot train: |^Cannot train as |^Cannot choose/.test(e.message) &&
          message.test(e.message),
        `${JSON.stringify(options)}`,
      );
    }
    equal(tf.memory().numTensors, tensors);
    throws(() => lossFunction("x" as "mse"), RangeError);
  } finally {
    model.dispose();
  }
});
