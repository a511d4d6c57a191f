// null options in the TensorFlow.js losses, the training API and the data loaders: a TypeError
// naming them, before any model, tensor or file is touched.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import "npm:@tensorflow/tfjs-backend-cpu@4.22.0";
import { match, ok } from "node:assert/strict";
import { tfAwingLoss, tfL1Loss, tfMseLoss, tfSoftWingLoss, tfWingLoss } from "../src/tfjs/mod.ts";
import {
  createHeatmapModel,
  createImageBatchSource,
  evaluateModel,
  openTrainingData,
  predictLandmarks,
  runTraining,
  trainModel,
} from "../src/train/mod.ts";
import {
  createBatchSource,
  loadPtsFolder,
  loadRendered300w,
  loadWflwFolder,
} from "../src/data/mod.ts";

const NULL_OPTIONS = /"options" must be an object or undefined but it is null/;

/** The error `fn` throws or its promise rejects with. */
async function failure(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    ok(error instanceof TypeError, `expected a TypeError, got ${error}`);
    return error;
  }
  throw new Error("nothing thrown");
}

Deno.test("null options: tfjs losses, the training API and the data loaders", async () => {
  ok(await tf.setBackend("cpu"));
  const t = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
  const n = null as never, fake = {} as never;
  try {
    const calls: (() => unknown)[] = [
      () => tfAwingLoss(t, t, n),
      () => tfWingLoss(t, t, n),
      () => tfSoftWingLoss(t, t, n),
      () => tfMseLoss(t, t, n),
      () => tfL1Loss(t, t, n),
      () => createHeatmapModel(n),
      () => trainModel(fake, n),
      () => runTraining(fake, n),
      () => evaluateModel(fake, fake, n),
      () => predictLandmarks(fake, [], n),
      () => openTrainingData(n),
      () => createImageBatchSource(n),
      () => loadPtsFolder("/nonexistent", n),
      () => loadWflwFolder(n),
      () => createBatchSource(n),
      () => loadRendered300w(n),
    ];
    for (const [i, call] of calls.entries()) {
      match((await failure(call)).message, NULL_OPTIONS, `call ${i}`);
    }
  } finally {
    t.dispose();
  }
});
