// Wrong options get awing's own TypeError or RangeError, before TensorFlow.js sees them:
// predictHeatmaps' chunk and image type, the shape of a landmarkWeights tensor, and a
// gradient asked for with respect to the target of a loss.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { tfAwingLoss, tfL1Loss, tfMseLoss, tfSoftWingLoss, tfWingLoss } from "../src/tfjs/mod.ts";
import {
  createHeatmapModel,
  evaluateModel,
  predictHeatmaps,
  predictLandmarks,
} from "../src/train/mod.ts";
import { heatmapPair } from "./_random.ts";

const LOSSES = [tfAwingLoss, tfWingLoss, tfSoftWingLoss, tfMseLoss, tfL1Loss];

Deno.test("predictHeatmaps answers a bad chunk, image type or model in awing's words", async () => {
  await tf.setBackend("cpu");
  const model = createHeatmapModel({ width: 2, levels: 1, numLandmarks: 2, inputSize: 16 });
  try {
    const images = new Float32Array(3 * 16 * 16 * 3).fill(0.5);
    for (const chunk of [0, 0.5, -1, NaN, Infinity, "2" as unknown as number]) {
      throws(() => predictHeatmaps(model, images, chunk), {
        name: "RangeError",
        message: `Cannot predict heatmaps as chunk must be a whole number >= 1: current value is ${
          String(chunk)
        }`,
      });
    }
    throws(() => predictHeatmaps(model, new Float64Array(16 * 16 * 3) as never), {
      name: "TypeError",
      message: 'Cannot predict heatmaps: "images" must be a Float32Array',
    });
    throws(() => predictHeatmaps(null as never, images), {
      name: "TypeError",
      message: 'Cannot predict heatmaps: "model" must be a tf.LayersModel',
    });
    // a chunk larger than the batch, or of one image, gives the same heatmaps
    const all = predictHeatmaps(model, images, 1000), one = predictHeatmaps(model, images, 1);
    deepEqual(all.shape, [3, 2, 8, 8]);
    ok(all.heatmaps.every((v, i) => Math.abs(v - one.heatmaps[i]!) < 1e-6));
  } finally {
    model.dispose();
  }
});

const SHAPE = [2, 6, 6, 3] as const; // N = 2, K = 3, channel-last

function pair(seed: number): { pred: tf.Tensor4D; target: tf.Tensor4D } {
  const { pred, target } = heatmapPair(2 * 6 * 6 * 3, seed);
  return { pred: tf.tensor4d(pred, [...SHAPE]), target: tf.tensor4d(target, [...SHAPE]) };
}

Deno.test("a landmarkWeights tensor must have the shape [N, K], not only N * K elements", async () => {
  await tf.setBackend("cpu");
  const { pred, target } = pair(3);
  const weights = [1, 2, 3, 4, 5, 6];
  const right = tf.tensor2d(weights, [2, 3]);
  const swapped = tf.tensor2d(weights, [3, 2]), flat = tf.tensor1d(weights);
  const nchw = tf.transpose(pred, [0, 3, 1, 2]) as tf.Tensor4D;
  const nchwTarget = tf.transpose(target, [0, 3, 1, 2]) as tf.Tensor4D;
  for (const loss of LOSSES) {
    const expected = loss(pred, target, { landmarkWeights: new Float32Array(weights) });
    const got = loss(pred, target, { landmarkWeights: right });
    equal(got.dataSync()[0], expected.dataSync()[0]);
    for (const [bad, shape] of [[swapped, "[3,2]"], [flat, "[6]"]] as const) {
      throws(() => loss(pred, target, { landmarkWeights: bad }), {
        name: "TypeError",
        message:
          `Cannot compute loss: "landmarkWeights" must have shape [N, K] = [2, 3] but its shape is ${shape}`,
      });
    }
    // channel-first: K is the second dimension
    const first = loss(nchw, nchwTarget, { layout: "nchw", landmarkWeights: right });
    ok(Math.abs(first.dataSync()[0]! - expected.dataSync()[0]!) < 1e-5);
    tf.dispose([expected, got, first]);
  }
  tf.dispose([pred, target, right, swapped, flat, nchw, nchwTarget]);
});

Deno.test("a gradient with respect to the target is awing's TypeError; pred's is unchanged", async () => {
  await tf.setBackend("cpu");
  const { pred, target } = pair(5);
  for (const loss of LOSSES) {
    throws(() => tf.grad((t: tf.Tensor) => loss(pred, t as tf.Tensor4D))(target), {
      name: "TypeError",
      message:
        /^Cannot compute loss gradient with respect to "target": the losses are differentiable in "pred" only/,
    });
    // a target computed from the variable: its part of the gradient cannot be left out
    throws(
      () => tf.grad((p: tf.Tensor) => loss(p as tf.Tensor4D, tf.mul(p, 0.5) as tf.Tensor4D))(pred),
      TypeError,
    );
    const before = tf.memory().numTensors;
    const g = tf.grad((p: tf.Tensor) => loss(p as tf.Tensor4D, target))(pred);
    deepEqual(g.shape, [...SHAPE]);
    ok(g.dataSync().every(Number.isFinite));
    g.dispose();
    equal(tf.memory().numTensors, before, "no tensor left behind");
    const value = loss(pred, target);
    equal(value.rank, 0);
    value.dispose();
    equal(tf.memory().numTensors, before, "no tensor left behind by the forward pass");
  }
  tf.dispose([pred, target]);
});

Deno.test("predictLandmarks checks its images before allocating their crops", async () => {
  await tf.setBackend("cpu");
  const model = createHeatmapModel({ width: 2, levels: 1, numLandmarks: 2, inputSize: 16 });
  try {
    throws(() => predictLandmarks(model, {} as never), {
      name: "TypeError",
      message: 'Cannot predict landmarks: "images" must be an array of images',
    });
    // a sparse array of 2^28 entries: refused from its length, nothing is allocated
    const many = new Array(2 ** 28);
    throws(() => predictLandmarks(model, many), {
      name: "RangeError",
      message: /^Cannot predict landmarks as the 268435456 crops of 16 x 16 x 3 must have at most/,
    });
  } finally {
    model.dispose();
  }
});

Deno.test("evaluateModel checks its set before TensorFlow.js sees it", async () => {
  await tf.setBackend("cpu");
  const model = createHeatmapModel({ width: 2, levels: 1, numLandmarks: 68, inputSize: 16 });
  const images = new Float32Array(16 * 16 * 3), landmarks = new Float32Array(136);
  try {
    throws(() => evaluateModel(model, null as never), {
      name: "TypeError",
      message: 'Cannot evaluate model: "set" must be an object or undefined but it is null',
    });
    throws(() => evaluateModel(model, { images: [] as never, landmarks }), {
      name: "TypeError",
      message: 'Cannot evaluate model: "set.images" must be a Float32Array',
    });
    throws(() => evaluateModel(model, { images, landmarks: new Float64Array(136) as never }), {
      name: "TypeError",
      message: 'Cannot evaluate model: "set.landmarks" must be a Float32Array',
    });
    throws(
      () => evaluateModel(model, { images, landmarks, toImage: [1, 0, 0, 0, 1, 0] as never }),
      { name: "TypeError", message: 'Cannot evaluate model: "set.toImage" must be a Float64Array' },
    );
  } finally {
    model.dispose();
  }
});
