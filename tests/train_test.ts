// The training pipeline: checkpoints round-trip, a short run learns, evaluation maps
// landmarks back to the image, and bad options are refused.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { deepEqual, equal, notDeepEqual, ok, rejects, throws } from "node:assert/strict";
import { createBatchSource } from "../src/data/create_batch_source.ts";
import { useWasmBackend } from "../src/tfjs/mod.ts";
import {
  createHeatmapModel,
  evaluateModel,
  loadCheckpoint,
  predictHeatmaps,
  runTraining,
  saveCheckpoint,
  trainModel,
} from "../src/train/mod.ts";
import { gaussianHeatmaps } from "../src/heatmap/gaussian_heatmaps.ts";
import { toHeatmapCoords } from "../src/heatmap/to_heatmap_coords.ts";
import { uniform } from "./_random.ts";
import { READ } from "./_permissions.ts";

if (!READ.ignore) await useWasmBackend();

const S = 32, K = 68, H = 16;

/**
 * Synthetic faces: a fixed 68-point template (eyes 20 px apart) shifted by up to +-4 px, drawn
 * as one bright pixel per landmark whose green value tells the landmark's index.
 */
function faces(n: number, seed: number): { images: Float32Array; landmarks: Float32Array } {
  const u = uniform(2 * n + 2 * K, seed);
  const images = new Float32Array(n * S * S * 3), landmarks = new Float32Array(n * K * 2);
  for (let i = 0; i < n; i++) {
    const dx = 8 * (u[2 * i]! - 0.5), dy = 8 * (u[2 * i + 1]! - 0.5);
    for (let k = 0; k < K; k++) {
      let tx = 8 + 16 * u[2 * n + 2 * k]!, ty = 8 + 16 * u[2 * n + 2 * k + 1]!;
      if (k === 36) [tx, ty] = [6, 12];
      if (k === 45) [tx, ty] = [26, 12];
      const x = tx + dx, y = ty + dy;
      landmarks.set([x, y], 2 * (i * K + k));
      const p = ((i * S + Math.round(y)) * S + Math.round(x)) * 3;
      images.set([1, k / K, 1], p);
    }
  }
  return { images, landmarks };
}

/** Channel-last Gaussian targets of landmarks in crop pixels (stride 2). */
function targets(landmarks: Float32Array, n: number): Float32Array {
  const { heatmaps } = gaussianHeatmaps(toHeatmapCoords(landmarks, { stride: 2 }), {
    shape: [n, K, H, H],
  });
  return tf.tidy(() =>
    tf.transpose(tf.tensor4d(heatmaps, [n, K, H, H]), [0, 2, 3, 1]).dataSync() as Float32Array
  );
}

Deno.test({
  name: `a checkpoint round-trips: same options, same weights, same predictions${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const built = {
    width: 4,
    levels: 2,
    head: 8,
    coordConv: true,
    boundary: true,
    sigma: 2,
    seed: 3,
  };
  const model = createHeatmapModel({ inputSize: S, ...built });
  // two steps, so that the batch-norm statistics are no longer their initial values
  const { images, landmarks } = faces(4, 1);
  const heatmaps = new Float32Array(4 * H * H * (K + 1));
  heatmaps.set(targets(landmarks, 4).subarray(0, 100));
  await trainModel(model, {
    loss: "awing",
    steps: 2,
    learningRate: 1e-2,
    source: { next: () => Promise.resolve({ images, heatmaps }) },
  });
  const dir = await Deno.makeTempDir();
  try {
    await saveCheckpoint(model, dir);
    const { model: again, options } = await loadCheckpoint(dir);
    deepEqual(options, { numLandmarks: K, inputSize: S, stride: 2, ...built });
    const a = predictHeatmaps(model, images), b = predictHeatmaps(again, images);
    deepEqual(b.shape, [4, K + 1, H, H]);
    deepEqual(b.heatmaps, a.heatmaps);
    ok(a.heatmaps.some((v) => v !== 0));
    again.dispose();
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: `loading a folder without a checkpoint fails clearly${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    await rejects(loadCheckpoint(dir), /Cannot load checkpoint: no model.json in/);
    await Deno.writeTextFile(`${dir}/model.json`, "{}");
    await rejects(loadCheckpoint(dir), /Cannot load checkpoint: .* is not a valid model/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    `a checkpoint is replaced whole, and one whose weights or options disagree is refused${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const dir = await Deno.makeTempDir();
  const a = createHeatmapModel({ width: 4, levels: 1, inputSize: 16, seed: 1 });
  const b = createHeatmapModel({ width: 4, levels: 1, inputSize: 16, seed: 2 });
  try {
    await saveCheckpoint(a, dir);
    await saveCheckpoint(b, dir);
    // one weights file, the second model's; no temporary file left
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    equal(names.length, 2);
    equal(names[0], "model.json");
    ok(/^weights-[0-9a-f]{16}\.bin$/.test(names[1]!), names[1]);
    const again = await loadCheckpoint(dir);
    deepEqual(again.model.getWeights()[0]!.dataSync(), b.getWeights()[0]!.dataSync());
    again.model.dispose();
    const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    const weights = `${dir}/${names[1]}`;
    const bytes = await Deno.readFile(weights);
    // truncated weights: the manifest's byte count is checked
    await Deno.writeFile(weights, bytes.subarray(0, bytes.length - 4));
    await rejects(
      loadCheckpoint(dir),
      new RegExp(
        `describes ${bytes.length} bytes of weights but its weights files hold ${bytes.length - 4}`,
      ),
    );
    // same length, other content: the recorded hash is checked
    const flipped = bytes.slice();
    flipped[10]! ^= 1;
    await Deno.writeFile(weights, flipped);
    await rejects(loadCheckpoint(dir), /records weights of SHA-256 [0-9a-f]{64} but .* differs/);
    await Deno.writeFile(weights, bytes);
    // options that claim a boundary channel the model does not have
    json.userDefinedMetadata.awing.boundary = true;
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
    await rejects(
      loadCheckpoint(dir),
      /does not match its model: its options claim 68 landmarks \+ a boundary channel, 16 x 16 inputs, stride 2 but its model maps \[16, 16, 3\] to \[8, 8, 68\]/,
    );
    json.userDefinedMetadata.awing.boundary = false;
    json.userDefinedMetadata.awing.coordConv = true;
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
    await rejects(loadCheckpoint(dir), /its options claim .*, CoordConv but its model maps/);
    json.userDefinedMetadata.awing.coordConv = false;
    json.weightsManifest[0].paths = ["../elsewhere.bin"];
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
    await rejects(loadCheckpoint(dir), /names a weights file outside its folder/);
  } finally {
    a.dispose();
    b.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: `a short training run lowers the loss and beats the untrained network's NME${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const test = faces(32, 7);
  const model = createHeatmapModel({ inputSize: S, width: 8, levels: 2, head: 0, seed: 0 });
  try {
    const before = evaluateModel(model, test);
    let seed = 100;
    const { losses } = await trainModel(model, {
      loss: "awing",
      steps: 80,
      learningRate: 1e-2,
      source: {
        next: () => {
          const b = faces(8, seed++);
          return Promise.resolve({ images: b.images, heatmaps: targets(b.landmarks, 8) });
        },
      },
    });
    const after = evaluateModel(model, test);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    ok(mean(losses.subarray(70)) < 0.7 * mean(losses.subarray(0, 5)), `losses ${losses}`);
    ok(after.nme < 0.9 * before.nme, `NME ${before.nme} -> ${after.nme}`);
    ok(after.peak > before.peak);
  } finally {
    model.dispose();
  }
});

Deno.test({
  name: `evaluation maps landmarks to the image with the crop-to-image affines${READ.why}`,
  ignore: READ.ignore,
}, () => {
  const model = createHeatmapModel({ inputSize: S, width: 4, levels: 1 });
  try {
    const set = faces(3, 2);
    const crop = evaluateModel(model, set);
    // the image is the crop scaled by 2.5 and shifted: landmarks follow, NMEs do not change
    const toImage = [2.5, 0, 10, 0, 2.5, -4];
    const image = evaluateModel(model, {
      images: set.images,
      landmarks: set.landmarks,
      toImage: new Float64Array(18).map((_, i) => toImage[i % 6]!),
    });
    for (let i = 0; i < crop.landmarks.length; i += 2) {
      ok(Math.abs(image.landmarks[i]! - (2.5 * crop.landmarks[i]! + 10)) < 1e-3);
      ok(Math.abs(image.landmarks[i + 1]! - (2.5 * crop.landmarks[i + 1]! - 4)) < 1e-3);
    }
    for (let i = 0; i < 3; i++) ok(Math.abs(image.nmes[i]! - crop.nmes[i]!) < 1e-6);
    throws(
      () => evaluateModel(model, { ...set, toImage: new Float64Array(5) }),
      /"toImage" has 5 values but 3 faces need 18/,
    );
  } finally {
    model.dispose();
  }
});

Deno.test(
  { name: `bad model and training options are refused${READ.why}`, ignore: READ.ignore },
  async () => {
    throws(() => createHeatmapModel({ inputSize: 60 }), /inputSize must be a multiple of/);
    throws(() => createHeatmapModel({ stride: 3 }), /stride must be 1, 2 or 4/);
    const model = createHeatmapModel({ inputSize: 16, width: 2, levels: 1, numLandmarks: 2 });
    const batch = { images: new Float32Array(16 * 16 * 3), heatmaps: new Float32Array(8 * 8 * 3) };
    const source = { next: () => Promise.resolve(batch) };
    try {
      await rejects(
        trainModel(model, { loss: "nope" as "mse", steps: 1, learningRate: 1, source }),
        /Cannot choose loss "nope": expected one of/,
      );
      await rejects(
        trainModel(model, { loss: "mse", steps: 0, learningRate: 1, source }),
        /steps must be a whole number in \[1, 10000000\]/,
      );
      await rejects(
        trainModel(model, { loss: "mse", steps: 1, learningRate: 1, source }),
        /does not fit the model's \[B, 16, 16, 3\] input and \[B, 8, 8, 2\] output/,
      );
      equal(tf.getBackend(), "wasm");
    } finally {
      model.dispose();
    }
  },
);

Deno.test({
  name: `seeds reproduce: the same seed (0 included) gives the same weights and batches${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const weights = (seed: number) => {
    const model = createHeatmapModel({ width: 4, levels: 1, numLandmarks: 3, inputSize: 16, seed });
    const values = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return values;
  };
  const zero = weights(0);
  deepEqual(weights(0), zero);
  deepEqual(weights(7), weights(7));
  // every convolution kernel differs with another seed
  const one = weights(1);
  const kernels = zero.map((w, i) => [w, one[i]!] as const).filter(([w]) =>
    w.some((v) => v !== 0 && v !== 1)
  );
  ok(kernels.length >= 4);
  for (const [a, b] of kernels) notDeepEqual(a, b);
  // the data sources: the same seed gives the same batch, seed 0 included
  const faces = {
    landmarks: Float64Array.from({ length: 2 * 136 }, (_, i) => 40 + ((i * 37) % 50)),
    count: 2,
    numPoints: 68,
    sources: ["a", "b"],
  };
  const batch = async (seed: number) => {
    const source = await createBatchSource({ faces, batch: 2, inputSize: 16, seed, worker: false });
    const b = await source.next();
    source.close();
    return b.images;
  };
  deepEqual(await batch(0), await batch(0));
  notDeepEqual(await batch(1), await batch(0));
});

Deno.test({
  name: `a training folder holds one run: a second run into it is refused${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const out = await Deno.makeTempDir();
  const set = {
    images: new Float32Array(2 * 16 * 16 * 3),
    landmarks: faces(2, 3).landmarks.map((v) => v / 2),
  };
  const batch = {
    images: new Float32Array(2 * 16 * 16 * 3),
    heatmaps: new Float32Array(2 * 8 * 8 * 68),
  };
  const data = {
    source: { next: () => Promise.resolve(batch) },
    validation: set,
    test: set,
    evalSeed: 5,
  };
  const options = {
    out,
    loss: "mse" as const,
    steps: 10,
    learningRate: 1e-3,
    validateEvery: 1,
    model: { inputSize: 16, width: 4, levels: 1 },
  };
  try {
    const { metrics } = await runTraining(data, options);
    deepEqual(metrics.valCurve.map(([step]) => step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    equal(metrics.evalSeed, 5);
    const files = () => [...Deno.readDirSync(out)].map((e) => e.name).sort();
    deepEqual(files(), ["checkpoint", "log.csv", "metrics.json"]);
    const before = await Deno.readTextFile(`${out}/metrics.json`);
    await rejects(
      runTraining(data, { ...options, steps: 2 }),
      Deno.errors.AlreadyExists,
      `already holds a training run (log.csv)`,
    );
    equal(await Deno.readTextFile(`${out}/metrics.json`), before);
    deepEqual(files(), ["checkpoint", "log.csv", "metrics.json"]);
    // a folder with only a checkpoint of an interrupted run is refused as well
    await Deno.remove(`${out}/log.csv`);
    await Deno.remove(`${out}/metrics.json`);
    await rejects(runTraining(data, options), /already holds a training run \(checkpoint\)/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
