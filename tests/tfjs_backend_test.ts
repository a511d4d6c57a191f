// The gradients registered by importing @facealign/awing/tfjs alone (this file never imports
// tfjs-layers).
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { equal, ok } from "node:assert/strict";
import { tfAwingLoss, useWasmBackend } from "../src/tfjs/mod.ts";
import { at } from "./_assert.ts";
import { uniform } from "./_random.ts";
import { READ } from "./_permissions.ts";

function tensor(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b);
  return tf.tensor4d(Float32Array.from(uniform(size, seed), (u) => 2 * u - 1), shape);
}

Deno.test({
  name: `a conv net trains on the wasm backend without importing tfjs-layers${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  await useWasmBackend();
  equal(tf.getBackend(), "wasm");
  const x = tensor([2, 8, 8, 2], 1);
  const target = tf.tensor4d(
    Float32Array.from(uniform(2 * 8 * 8 * 3, 2), (u) => u ** 6),
    [2, 8, 8, 3],
  );
  const w = tf.variable(tf.mul(0.3, tensor([3, 3, 2, 3], 3)));
  const b = tf.variable(tf.zeros([3]));
  const optimizer = tf.train.adam(0.02);
  const loss = (): tf.Scalar =>
    tfAwingLoss(tf.relu(tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, "same"), b)), target);
  const first = at(optimizer.minimize(loss, true)!.dataSync(), 0);
  for (let i = 0; i < 30; i++) optimizer.minimize(loss);
  const last = at(loss().dataSync(), 0);
  ok(last < 0.8 * first, `the loss went from ${first} to ${last}`);
});
