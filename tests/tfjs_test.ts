// The TensorFlow.js losses against TensorFlow.js' own autodiff of the same formulas written in
// tf ops, on the cpu and wasm backends; training equivalence, leaks and bad input.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { equal, ok } from "node:assert/strict";
import {
  tfAwingLoss,
  tfL1Loss,
  tfMseLoss,
  tfSoftWingLoss,
  tfWingLoss,
  useWasmBackend,
} from "../src/tfjs/mod.ts";
import type { TfLossOptions } from "../src/tfjs/mod.ts";
import { tfOpsLoss, tfOpsPixelLoss } from "../src/tfjs/_tf_ops_losses.ts";
import type { TfOpsLossSpec } from "../src/tfjs/_tf_ops_losses.ts";
import { at, caught, maxAbs } from "./_assert.ts";
import { heatmapPair, uniform } from "./_random.ts";
import { READ } from "./_permissions.ts";

/** The wasm backend loads its .wasm files: read permission. */
const needsFor = (backend: string): typeof READ =>
  backend === "wasm" ? READ : { ignore: false, why: "" };

const BACKENDS = ["cpu", "wasm"] as const;

async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  if (name === "wasm") await useWasmBackend();
  else ok(await tf.setBackend("cpu"));
}

type TfLoss = (p: tf.Tensor4D, t: tf.Tensor4D, o?: TfLossOptions) => tf.Scalar;

/** The reduction of the tf-ops per-pixel losses, summed in float64. */
function float64Value(
  spec: TfOpsLossSpec,
  pred: tf.Tensor4D,
  target: tf.Tensor4D,
  options: Parameters<typeof tfOpsLoss>[3] = {},
): number {
  const pixels = tfOpsPixelLoss(spec, pred, target, options);
  const values = pixels.dataSync() as Float32Array;
  pixels.dispose();
  const sum = values.reduce((a, b) => a + b, 0);
  return options.reduction === "sum" ? sum : sum / values.length;
}

/** Each loss with options reaching both of its branches on heatmapPair data. */
const CASES: { name: string; loss: TfLoss; options: object; spec: TfOpsLossSpec }[] = [
  { name: "awing", loss: tfAwingLoss, options: {}, spec: { kind: "awing" } },
  {
    name: "wing",
    loss: tfWingLoss,
    options: { w: 0.3, epsilon: 0.2 },
    spec: { kind: "wing", w: 0.3, epsilon: 0.2 },
  },
  {
    name: "soft-wing",
    loss: tfSoftWingLoss,
    options: { w1: 0.3, w2: 2, epsilon: 0.5 },
    spec: { kind: "soft-wing", w1: 0.3, w2: 2, epsilon: 0.5 },
  },
  { name: "mse", loss: tfMseLoss, options: {}, spec: { kind: "mse" } },
  { name: "l1", loss: tfL1Loss, options: { mapWeight: 3 }, spec: { kind: "l1" } },
];

const SHAPE = [2, 12, 10, 5] as const;
const SIZE = SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3];

function heatmaps(seed: number): { pred: tf.Tensor4D; target: tf.Tensor4D } {
  const { pred, target } = heatmapPair(SIZE, seed);
  return { pred: tf.tensor4d(pred, [...SHAPE]), target: tf.tensor4d(target, [...SHAPE]) };
}

function landmarkWeights(): Float32Array {
  return Float32Array.from(uniform(SHAPE[0] * SHAPE[3], 9), (u) => (u < 0.2 ? 0 : 2 * u));
}

/**
 * Value to 1e-6 relative, gradient to 1e-5 of the largest reference gradient. The reference
 * value is `referenceValue` where given: TensorFlow.js reduces in float32, whose rounding alone
 * can reach 1e-6.
 */
function assertSameLoss(
  what: string,
  ours: (p: tf.Tensor4D) => tf.Scalar,
  reference: (p: tf.Tensor4D) => tf.Scalar,
  pred: tf.Tensor4D,
  referenceValue?: number,
): void {
  tf.tidy(() => {
    const v = at(ours(pred).dataSync(), 0);
    const r = referenceValue ?? at(reference(pred).dataSync(), 0);
    ok(Math.abs(v - r) <= 1e-6 * Math.abs(r), `${what}: value ${v} but the reference is ${r}`);
    const g = tf.grad((p: tf.Tensor) => ours(p as tf.Tensor4D))(pred).dataSync();
    const gr = tf.grad((p: tf.Tensor) => reference(p as tf.Tensor4D))(pred).dataSync();
    const tol = 1e-5 * maxAbs(gr);
    ok(tol > 0, `${what}: the reference gradient is zero`);
    for (let i = 0; i < g.length; i++) {
      const d = Math.abs(at(g, i) - at(gr, i));
      ok(d <= tol, `${what}: gradient ${i} is ${at(g, i)} but the reference is ${at(gr, i)}`);
    }
  });
}

for (const backend of BACKENDS) {
  Deno.test({
    name: `tfjs losses equal tf-ops autodiff, ${backend} backend${needsFor(backend).why}`,
    ignore: needsFor(backend).ignore,
  }, async (t) => {
    await useBackend(backend);
    const { pred, target } = heatmaps(1);
    for (const c of CASES) {
      await t.step(c.name, () => {
        assertSameLoss(
          c.name,
          (p) => c.loss(p, target, c.options),
          (p) => tfOpsLoss(c.spec, p, target, c.options),
          pred,
          float64Value(c.spec, pred, target, c.options),
        );
      });
    }
    await t.step("awing, weighted map and landmark weights (tensor and floats), sum", () => {
      const lw = landmarkWeights();
      const lwTensor = tf.tensor2d(lw, [SHAPE[0], SHAPE[3]]);
      const spec = { kind: "awing", alpha: 2.2 } as const;
      const options = {
        mapWeight: 5,
        mapThreshold: 0.3,
        landmarkWeights: lwTensor,
        reduction: "sum",
      } as const;
      const ref = (p: tf.Tensor4D): tf.Scalar => tfOpsLoss(spec, p, target, options);
      const value = float64Value(spec, pred, target, options);
      for (const landmarkWeights of [lw, lwTensor]) {
        assertSameLoss(
          "awing weighted",
          (p) =>
            tfAwingLoss(p, target, {
              alpha: 2.2,
              mapWeight: 5,
              mapThreshold: 0.3,
              landmarkWeights,
              reduction: "sum",
            }),
          ref,
          pred,
          value,
        );
      }
      lwTensor.dispose();
    });
    await t.step("awing, channel-first layout", () => {
      const perm = [0, 3, 1, 2];
      const targetNchw = tf.transpose(target, perm);
      const lw = landmarkWeights();
      assertSameLoss(
        "awing nchw",
        (p) =>
          tfAwingLoss(tf.transpose(p, perm), targetNchw, { layout: "nchw", landmarkWeights: lw }),
        (p) => tfAwingLoss(p, target, { landmarkWeights: lw }),
        pred,
      );
      targetNchw.dispose();
    });
    await t.step("the upstream gradient scales the loss' gradient", () => {
      tf.tidy(() => {
        const g1 = tf.grad((p: tf.Tensor) => tfAwingLoss(p as tf.Tensor4D, target))(pred);
        const g3 = tf.grad((p: tf.Tensor) => tf.mul(-3, tfAwingLoss(p as tf.Tensor4D, target)))(
          pred,
        );
        const a = g1.dataSync(), b = g3.dataSync();
        for (let i = 0; i < a.length; i++) {
          ok(Math.abs(at(b, i) + 3 * at(a, i)) <= 1e-6 * maxAbs(a), `index ${i}`);
        }
      });
    });
    tf.dispose([pred, target]);
  });
}

Deno.test({
  name: `tfjs: tensors made on one backend and used on the other${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  for (const [from, to] of [["cpu", "wasm"], ["wasm", "cpu"]] as const) {
    await useBackend(from);
    const { pred, target } = heatmaps(4);
    const expected = float64Value({ kind: "awing" }, pred, target);
    await useBackend(to);
    assertSameLoss(
      `${from} to ${to}`,
      (p) => tfAwingLoss(p, target),
      (p) => tfOpsLoss({ kind: "awing" }, p, target),
      pred,
      expected,
    );
    tf.dispose([pred, target]);
  }
});

Deno.test("tfjs: a gradient handed to TensorFlow.js is never overwritten (cpu, no copy)", async () => {
  await useBackend("cpu");
  const a = heatmaps(2), b = heatmaps(3);
  const g = tf.grad((p: tf.Tensor) => tfAwingLoss(p as tf.Tensor4D, a.target))(a.pred);
  const before = g.dataSync().slice();
  const predBefore = a.pred.dataSync().slice(), targetBefore = a.target.dataSync().slice();
  tf.dispose(tf.grad((p: tf.Tensor) => tfMseLoss(p as tf.Tensor4D, b.target))(b.pred));
  tf.dispose(tf.grad((p: tf.Tensor) => tfAwingLoss(p as tf.Tensor4D, b.target))(b.pred));
  const after = g.dataSync();
  ok(before.every((v, i) => v === after[i]), "the first gradient changed");
  ok(predBefore.every((v, i) => v === a.pred.dataSync()[i]), "pred changed");
  ok(targetBefore.every((v, i) => v === a.target.dataSync()[i]), "target changed");
  tf.dispose([g, a.pred, a.target, b.pred, b.target]);
});

/** A small conv model with fixed initial weights. */
function smallModel(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 2],
        filters: 4,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
      }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 1, padding: "same" }),
    ],
  });
  model.setWeights(
    model.getWeights().map((w, i) =>
      tf.tensor(Float32Array.from(uniform(w.size, 20 + i), (u) => u - 0.4), w.shape)
    ),
  );
  return model;
}

function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

for (const backend of BACKENDS) {
  Deno.test({
    name: `tfjs: 5 SGD + 5 Adam steps with tfMseLoss equal tf.losses.meanSquaredError, ${backend}${
      needsFor(backend).why
    }`,
    ignore: needsFor(backend).ignore,
  }, async () => {
    await useBackend(backend);
    const x = tf.tensor4d(Float32Array.from(uniform(4 * 8 * 8 * 2, 30)), [4, 8, 8, 2]);
    const y = tf.tensor4d(Float32Array.from(uniform(4 * 8 * 8 * 3, 31)), [4, 8, 8, 3]);
    const params: Float32Array[][] = [];
    let initial: Float32Array[] = [];
    for (const ours of [true, false]) {
      const model = smallModel();
      const vars = trainableVariables(model);
      initial = vars.map((v) => v.dataSync() as Float32Array);
      const loss = (): tf.Scalar => {
        const out = model.apply(x) as tf.Tensor4D;
        return ours ? tfMseLoss(out, y) : tf.losses.meanSquaredError(y, out) as tf.Scalar;
      };
      for (const optimizer of [tf.train.sgd(0.5), tf.train.adam(0.05)]) {
        for (let i = 0; i < 5; i++) optimizer.minimize(loss, false, vars);
        optimizer.dispose();
      }
      params.push(vars.map((v) => v.dataSync() as Float32Array));
      model.dispose();
    }
    const [a, b] = params as [Float32Array[], Float32Array[]];
    a.forEach((w, j) => {
      const r = at(b, j);
      ok(w.some((v, i) => v !== at(at(initial, j), i)), `weight ${j} did not change`);
      for (let i = 0; i < w.length; i++) {
        ok(Math.abs(at(w, i) - at(r, i)) <= 1e-6, `weight ${j}[${i}]: ${at(w, i)} vs ${at(r, i)}`);
      }
    });
    tf.dispose([x, y]);
  });

  Deno.test({
    name: `tfjs: no tensor leaks over 100 training steps, ${backend}${needsFor(backend).why}`,
    ignore: needsFor(backend).ignore,
  }, async () => {
    await useBackend(backend);
    const model = smallModel();
    const vars = trainableVariables(model);
    const x = tf.tensor4d(Float32Array.from(uniform(4 * 8 * 8 * 2, 40)), [4, 8, 8, 2]);
    const y = tf.tensor4d(Float32Array.from(uniform(4 * 8 * 8 * 3, 41), (u) => u ** 4), [
      4,
      8,
      8,
      3,
    ]);
    const optimizer = tf.train.sgd(0.01);
    const loss = (): tf.Scalar => tfAwingLoss(model.apply(x) as tf.Tensor4D, y);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) optimizer.minimize(loss, false, vars);
    equal(tf.memory().numTensors, before);
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
}

Deno.test("tfjs losses reject bad input with a clear error", async () => {
  await useBackend("cpu");
  const { pred, target } = heatmaps(5);
  const msg = (e: Error, text: string): void => ok(e.message.includes(text), e.message);
  for (const loss of [tfAwingLoss, tfWingLoss, tfSoftWingLoss, tfMseLoss, tfL1Loss]) {
    const rank3 = tf.zeros([2, 12, 10]) as unknown as tf.Tensor4D;
    msg(caught(() => loss(rank3, target), TypeError), `"pred" must be a 4-D tensor`);
    msg(caught(() => loss(pred, rank3), TypeError), `"target" must be a 4-D tensor`);
    const other = tf.zeros<tf.Rank.R4>([2, 12, 10, 4]);
    msg(
      caught(() => loss(pred, other), TypeError),
      `"pred" has shape [2,12,10,5] but "target" has shape [2,12,10,4]`,
    );
    const ints = tf.zeros<tf.Rank.R4>([...SHAPE], "int32");
    msg(caught(() => loss(ints, target), TypeError), `"pred" must be float32 but it is int32`);
    msg(caught(() => loss(pred, ints), TypeError), `"target" must be float32 but it is int32`);
    msg(caught(() => loss([] as unknown as tf.Tensor4D, target), TypeError), "must be a tf.Tensor");
    const withNaN = tf.tensor4d(pred.dataSync().map((v, i) => (i === 77 ? NaN : v)), [...SHAPE]);
    msg(caught(() => loss(withNaN, target), RangeError), `"pred" has a NaN at index 77`);
    msg(caught(() => loss(pred, withNaN), RangeError), `"target" has a NaN at index 77`);
    const inf = tf.tensor4d(pred.dataSync().map((v, i) => (i === 5 ? Infinity : v)), [...SHAPE]);
    msg(caught(() => loss(inf, target), RangeError), `"pred" has an infinite value at index 5`);
    const nchwNaN = tf.tensor4d(pred.dataSync().map((v, i) => (i === 9 ? NaN : v)), [2, 5, 12, 10]);
    const nchwTarget = tf.zeros<tf.Rank.R4>([2, 5, 12, 10]);
    msg(
      caught(() => loss(nchwNaN, nchwTarget, { layout: "nchw" }), RangeError),
      `"pred" has a NaN at index 9`,
    );
    const disposed = tf.zeros<tf.Rank.R4>([...SHAPE]);
    disposed.dispose();
    msg(caught(() => loss(disposed, target), TypeError), `"pred" is disposed`);
    msg(caught(() => loss(pred, disposed), TypeError), `"target" is disposed`);
    msg(
      caught(
        () => loss(pred, target, { reduction: "none" } as unknown as TfLossOptions),
        TypeError,
      ),
      `"reduction" must be "mean" or "sum"`,
    );
    msg(
      caught(() => loss(pred, target, { layout: "hwc" } as unknown as TfLossOptions), TypeError),
      `"layout" must be "nhwc" or "nchw"`,
    );
    msg(
      caught(() => loss(pred, target, { landmarkWeights: new Float32Array(3) }), TypeError),
      `"landmarkWeights" has 3 elements`,
    );
    caught(() => loss(pred, target, { landmarkWeights: disposed }), TypeError);
    caught(() => loss(pred, target, { mapWeight: -1 }), RangeError);
    tf.dispose([rank3, other, ints, withNaN, inf, nchwNaN, nchwTarget]);
  }
  const high = tf.fill<tf.Rank.R4>([...SHAPE], 1.5);
  msg(caught(() => tfAwingLoss(pred, high), RangeError), "alpha must be > 1 + max(target)");
  caught(() => tfAwingLoss(pred, target, { omega: 0 }), RangeError);
  caught(() => tfWingLoss(pred, target, { w: -1 }), RangeError);
  tf.dispose([pred, target, high]);
});
