// trainModel answers wrong options with awing's errors.
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { equal, rejects, throws } from "node:assert/strict";
import { useWasmBackend } from "../src/tfjs/mod.ts";
import { lossFunction, trainModel, type TrainModelOptions } from "../src/train/mod.ts";
import { READ } from "./_permissions.ts";
import { batchOf, smallModel, sourceOf } from "./_train.ts";

if (!READ.ignore) await useWasmBackend();

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
      /steps must be a whole number >= 1: current value is 1.5/,
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
