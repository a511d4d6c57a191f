// The wasm backend's convolution gradients against the cpu backend's, and the gradients
// registered by importing @facealign/awing/tfjs alone (this file never imports tfjs-layers).
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { equal, ok } from "node:assert/strict";
import { tfAwingLoss, useWasmBackend } from "../src/tfjs/mod.ts";
import { at, maxAbs } from "./_assert.ts";
import { uniform } from "./_random.ts";
import { READ } from "./_permissions.ts";

function tensor(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b);
  return tf.tensor4d(Float32Array.from(uniform(size, seed), (u) => 2 * u - 1), shape);
}

/** dL/dx and dL/dfilter of L = sum(conv2d(x, filter) * r) on `backend`. */
async function convGrads(
  backend: string,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number,
  pad: "same" | "valid",
): Promise<Float32Array[]> {
  if (backend === "wasm") await useWasmBackend();
  else ok(await tf.setBackend(backend));
  return tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
      const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad);
      const r = tensor(y.shape, 99);
      return tf.sum(tf.mul(y, r));
    };
    return tf.grads(f)([x, filter]).map((g) => g.dataSync() as Float32Array);
  });
}

Deno.test({
  name: `wasm Conv2DBackpropFilter and Conv2DBackpropInput equal the cpu backend's${READ.why}`,
  ignore: READ.ignore,
}, async (t) => {
  for (const k of [1, 3, 5]) {
    for (const strides of [1, 2]) {
      for (const pad of ["same", "valid"] as const) {
        await t.step(`${k}x${k}, stride ${strides}, ${pad}`, async () => {
          await tf.setBackend("cpu");
          // 11 x 10 leaves rows and columns unread by some valid strided convolutions.
          const x = tensor([2, 11, 10, 3], k);
          const filter = tensor([k, k, 3, 4], 10 + k);
          const cpu = await convGrads("cpu", x, filter, strides, pad);
          const wasm = await convGrads("wasm", x, filter, strides, pad);
          for (const [i, name] of ["dx", "dfilter"].entries()) {
            const a = at(wasm, i), b = at(cpu, i);
            equal(a.length, b.length);
            const tol = 1e-5 * maxAbs(b);
            for (let j = 0; j < a.length; j++) {
              ok(Math.abs(at(a, j) - at(b, j)) <= tol, `${name}[${j}]: ${at(a, j)} vs ${at(b, j)}`);
            }
          }
          tf.dispose([x, filter]);
        });
      }
    }
  }
});

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
