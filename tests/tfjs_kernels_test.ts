// The kernels and gradients that @facealign/awing/tfjs registers for training on the wasm
// backend, against the cpu backend's own kernels (or a float64 reference), on shapes the
// default model never uses: batch 1 and 3, odd sizes, channels that are not a multiple of 4,
// every stride up to 3 and both paddings; and a whole training run against the stock kernels.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { ok } from "node:assert/strict";
import { useWasmBackend } from "../src/tfjs/mod.ts";
import { registerBatchNormGradient } from "../src/tfjs/_batch_norm_grad.ts";
import { _FusedAdam } from "../src/tfjs/_fused_adam.ts";
import { createHeatmapModel } from "../src/train/create_heatmap_model.ts";
import { assertClose, maxAbs } from "./_assert.ts";
import { uniform } from "./_random.ts";
import { READ } from "./_permissions.ts";

type Shape4 = [number, number, number, number];

function tensor(shape: number[], seed: number, map = (u: number) => 2 * u - 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(uniform(size, seed), map), shape);
}

/** The gradients of sum(f(inputs) * r) for a fixed random r, on `backend`. */
async function gradsOn(
  backend: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
): Promise<Float32Array[]> {
  if (backend === "wasm") await useWasmBackend();
  else ok(await tf.setBackend(backend));
  return tf.tidy(() => {
    const copies = inputs.map((t) => tf.tensor(t.dataSync(), t.shape));
    const loss = (...xs: tf.Tensor[]) => {
      const y = f(...xs);
      return tf.sum(tf.mul(y, tensor(y.shape, 99)));
    };
    return tf.grads(loss)(copies).map((g) => g.dataSync() as Float32Array);
  });
}

/** wasm's gradients equal cpu's to 1e-5 of the largest value. */
async function sameAsCpu(
  what: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
): Promise<void> {
  const cpu = await gradsOn("cpu", f, inputs);
  const wasm = await gradsOn("wasm", f, inputs);
  cpu.forEach((c, i) => assertClose(wasm[i]!, c, 0, 1e-5 * maxAbs(c), `${what}, gradient ${i}`));
}

const SHAPES: Shape4[] = [[1, 7, 9, 5], [3, 11, 10, 3], [2, 8, 8, 6]];

Deno.test({
  name: `Conv2DBackpropFilter and Conv2DBackpropInput on wasm equal the cpu backend's${READ.why}`,
  ignore: READ.ignore,
}, async (t) => {
  for (const k of [1, 3, 5]) {
    // equal strides take the stride-phase kernels, unequal ones the zero-upsampled dy
    for (const stride of [1, 2, 3, [1, 2], [3, 2]] as (number | [number, number])[]) {
      for (const pad of ["same", "valid"] as const) {
        await t.step(`${k}x${k}, stride ${stride}, ${pad}`, async () => {
          for (const [si, shape] of SHAPES.entries()) {
            if (pad === "valid" && Math.min(shape[1], shape[2]) < k) continue;
            const co = 2 + si * 3;
            const x = tensor(shape, si + k), w = tensor([k, k, shape[3], co], 10 + k);
            await sameAsCpu(
              `[${shape}] -> ${co}`,
              (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad),
              [x, w],
            );
            tf.dispose([x, w]);
          }
        });
      }
    }
  }
});

Deno.test({
  name: `MaxPoolGrad on wasm equals the cpu backend's, ties and NaN included${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  for (const [si, shape] of SHAPES.entries()) {
    for (const size of [2, 3]) {
      for (const stride of [1, 2, 3]) {
        for (const pad of ["same", "valid"] as const) {
          // few distinct values (ReLU-like zeros) make ties in most windows
          const x = tensor(shape, 20 + si, (u) => Math.max(0, Math.round(8 * u - 4)));
          await sameAsCpu(
            `[${shape}] ${size}x${size} stride ${stride} ${pad}`,
            (a) => tf.maxPool(a as tf.Tensor4D, size, stride, pad),
            [x],
          );
          x.dispose();
        }
      }
    }
  }
  const withNaN = tf.tensor4d([NaN, NaN, NaN, NaN, 1, NaN, 2, 2], [1, 2, 4, 1]);
  await sameAsCpu("NaN windows", (a) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid"), [withNaN]);
  withNaN.dispose();
});

/**
 * The float64 gradient of sum(r * resizeNearestNeighbor(x)) from the forward resize alone: an
 * image of pixel indices, resized (on cpu), says which input pixel each output pixel copies.
 */
function resizeGradReference(
  shape: Shape4,
  size: [number, number],
  alignCorners: boolean,
  r: Float32Array,
): Float64Array {
  const [n, h, w, c] = shape;
  const index = tf.tidy(() =>
    tf.image.resizeNearestNeighbor(
      tf.tensor4d(Float32Array.from({ length: n * h * w * c }, (_, i) => i), shape),
      size,
      alignCorners,
    ).dataSync()
  );
  const dx = new Float64Array(n * h * w * c);
  index.forEach((src, i) => dx[src]! += r[i]!);
  return dx;
}

Deno.test({
  name: `ResizeNearestNeighborGrad on wasm equals the transpose of the forward resize${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  // (the cpu backend's own gradient of tfjs 4.22 reads dy at the image's batch stride, wrong
  // for a batch of more than one)
  for (const [si, shape] of SHAPES.entries()) {
    const [, h, w] = shape;
    for (const size of [[2 * h, 2 * w], [3 * h, 2 * w], [h + 2, w + 3]] as [number, number][]) {
      for (const alignCorners of [false, true]) {
        await tf.setBackend("cpu");
        const x = tensor(shape, 30 + si);
        const y = tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, alignCorners);
        const r = tensor(y.shape, 99);
        const expected = resizeGradReference(
          shape,
          size,
          alignCorners,
          r.dataSync() as Float32Array,
        );
        const [dx] = await gradsOn(
          "wasm",
          (a) => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, size, alignCorners),
          [x],
        );
        assertClose(
          dx!,
          expected,
          0,
          1e-5 * maxAbs(expected),
          `[${shape}] to ${size}, alignCorners ${alignCorners}`,
        );
        await tf.setBackend("cpu");
        tf.dispose([x, y, r]);
      }
    }
  }
});

/**
 * float64 gradients of sum(r * y) for y = (x - m) scale / sqrt(v + eps) + offset over the
 * channels of [M, C] data, with m and v the batch moments (`moments`) or given.
 */
function batchNormReference(
  x: Float32Array,
  c: number,
  r: Float32Array,
  scale: Float32Array,
  eps: number,
  given?: { mean: Float32Array; variance: Float32Array },
): {
  dx: Float64Array;
  dmean: Float64Array;
  dvariance: Float64Array;
  dscale: Float64Array;
  doffset: Float64Array;
} {
  const m = x.length / c;
  const dx = new Float64Array(x.length),
    dmean = new Float64Array(c),
    dvariance = new Float64Array(c);
  const dscale = new Float64Array(c), doffset = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    let mu = 0, va = 0;
    if (given) {
      mu = given.mean[k]!;
      va = given.variance[k]!;
    } else {
      for (let i = 0; i < m; i++) mu += x[i * c + k]! / m;
      for (let i = 0; i < m; i++) va += (x[i * c + k]! - mu) ** 2 / m;
    }
    const rs = 1 / Math.sqrt(va + eps), g = scale[k]!;
    let sr = 0, srx = 0;
    for (let i = 0; i < m; i++) {
      sr += r[i * c + k]!;
      srx += r[i * c + k]! * (x[i * c + k]! - mu) * rs;
    }
    doffset[k] = sr;
    dscale[k] = srx;
    dmean[k] = -g * rs * sr;
    dvariance[k] = -0.5 * g * rs * rs * srx;
    for (let i = 0; i < m; i++) {
      const xh = (x[i * c + k]! - mu) * rs;
      // through the moments: dx = g rs (r - mean(r) - xh mean(r xh)); else g rs r
      dx[i * c + k] = given
        ? g * rs * r[i * c + k]!
        : g * rs * (r[i * c + k]! - sr / m - xh * srx / m);
    }
  }
  return { dx, dmean, dvariance, dscale, doffset };
}

Deno.test({
  name:
    `the batch-norm gradient equals a float64 reference, through the moments and not${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  await useWasmBackend();
  for (const [si, shape] of SHAPES.entries()) {
    const c = shape[3], eps = 1e-3;
    const x = tensor(shape, 40 + si, (u) => 3 * u - 1);
    const scale = tensor([c], 50 + si, (u) => 0.5 + u), offset = tensor([c], 60 + si);
    const r = tensor(shape, 99);
    const xs = x.dataSync() as Float32Array, rs = r.dataSync() as Float32Array;
    const ss = scale.dataSync() as Float32Array;
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, r));
    // through the moments (training): gradients for x, scale and offset
    const [dx, dscale, doffset] = tf.grads((a, s, o) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return loss(
        tf.batchNorm(a as tf.Tensor4D, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, eps),
      );
    })([x, scale, offset]);
    const ref = batchNormReference(xs, c, rs, ss, eps);
    const tol = (a: Float64Array) => 2e-5 * maxAbs(a) + 1e-6;
    assertClose(dx!.dataSync(), ref.dx, 0, tol(ref.dx), `[${shape}] dx`);
    assertClose(dscale!.dataSync(), ref.dscale, 0, tol(ref.dscale), `[${shape}] dscale`);
    assertClose(doffset!.dataSync(), ref.doffset, 0, tol(ref.doffset), `[${shape}] doffset`);
    // given statistics: every input has its own gradient
    const mean = tensor([c], 70 + si), variance = tensor([c], 80 + si, (u) => 0.2 + u);
    const [gx, gm, gv, gs, go] = tf.grads((a, m, v, s, o) =>
      loss(
        tf.batchNorm(
          a as tf.Tensor4D,
          m as tf.Tensor1D,
          v as tf.Tensor1D,
          o as tf.Tensor1D,
          s as tf.Tensor1D,
          eps,
        ),
      )
    )([x, mean, variance, scale, offset]);
    const given = batchNormReference(xs, c, rs, ss, eps, {
      mean: mean.dataSync() as Float32Array,
      variance: variance.dataSync() as Float32Array,
    });
    for (
      const [g, e, name] of [
        [gx, given.dx, "dx"],
        [gm, given.dmean, "dmean"],
        [gv, given.dvariance, "dvariance"],
        [gs, given.dscale, "dscale"],
        [go, given.doffset, "doffset"],
      ] as const
    ) {
      assertClose(g!.dataSync(), e, 0, tol(e), `[${shape}] given statistics, ${name}`);
    }
    tf.dispose([
      x,
      scale,
      offset,
      r,
      mean,
      variance,
      dx!,
      dscale!,
      doffset!,
      gx!,
      gm!,
      gv!,
      gs!,
      go!,
    ]);
  }
});

/**
 * The losses of `steps` Adam steps of a small U-Net on fixed random batches, then its weights.
 */
async function trainLosses(
  backend: string,
  steps: number,
  optimizer: () => tf.Optimizer = () => tf.train.adam(3e-3),
): Promise<number[]> {
  if (backend === "wasm") await useWasmBackend();
  else ok(await tf.setBackend(backend));
  const model = createHeatmapModel({
    width: 4,
    levels: 2,
    inputSize: 32,
    numLandmarks: 5,
    seed: 3,
  });
  model.compile({ optimizer: optimizer(), loss: "meanSquaredError" });
  // batch 1: the cpu backend's upsampling gradient is wrong for more (see above)
  const x = tensor([1, 32, 32, 3], 1, (u) => u);
  const y = tensor([1, 16, 16, 5], 2, (u) => u ** 8);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push(Number(await model.trainOnBatch(x, y)));
  for (const w of model.getWeights()) losses.push(...w.dataSync());
  model.dispose();
  tf.dispose([x, y]);
  return losses;
}

Deno.test({
  name: `20 training steps with awing's wasm kernels give the stock kernels' losses${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  // the stock run: the cpu backend's own kernels and tfjs-layers' batch-norm gradient
  registerBatchNormGradient(false);
  let stock: number[];
  try {
    stock = await trainLosses("cpu", 20);
  } finally {
    registerBatchNormGradient();
  }
  const fast = await trainLosses("wasm", 20);
  ok(stock[19]! < 0.5 * stock[0]!, `the stock run trains: ${stock[0]} to ${stock[19]}`);
  assertClose(fast.slice(0, 20), stock.slice(0, 20), 1e-4, 0, "the per-step losses");
});

Deno.test({
  name: `the fused Adam follows tf.train.adam's steps${READ.why}`,
  ignore: READ.ignore,
}, async () => {
  const reference = await trainLosses("wasm", 20);
  const fused = await trainLosses("wasm", 20, () => new _FusedAdam(3e-3));
  assertClose(fused.slice(0, 20), reference.slice(0, 20), 1e-5, 0, "the per-step losses");
  // the weights after 20 steps, to 1e-4 of the largest
  const weights = reference.slice(20);
  assertClose(fused.slice(20), weights, 0, 1e-4 * maxAbs(weights), "the weights");
});
