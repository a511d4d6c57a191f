// Both backends accept and reject exactly the same input: every bad call below gets the same
// error from the WASM functions and from CudaBackend. CudaBackend runs the WASM path's checks
// before any device work, so this needs no GPU and no CUDA library: a check it missed would
// reach the library and fail differently.
import { equal } from "node:assert/strict";
import { messageOf } from "./_assert.ts";
import { decodeArgmax } from "../src/decode/mod.ts";
import { CudaBackend } from "../src/gpu/_cuda_backend.ts";
import { closeCuda } from "../src/gpu/mod.ts";
import { gaussianHeatmaps, type GaussianHeatmapsOptions } from "../src/heatmap/mod.ts";
import { awingLoss, type AWingLossOptions } from "../src/loss/mod.ts";
import type { DecodeOptions } from "../src/decode/mod.ts";
import type { Shape4 } from "../src/types.ts";

const shape: Shape4 = [1, 2, 4, 4];
const f32 = (n: number, v = 0): Float32Array => new Float32Array(n).fill(v);
const notF32 = [0, 0] as unknown as Float32Array;
const noShape = {} as { shape: Shape4 };
const shared = f32(34);

const LOSS_CALLS: [string, Float32Array, Float32Array, AWingLossOptions][] = [
  ["pred not a Float32Array", notF32, f32(32), { shape }],
  ["target not a Float32Array", f32(32), notF32, { shape }],
  ["no shape", f32(32), f32(32), noShape],
  ["shape not 4-D", f32(32), f32(32), { shape: [2, 4, 4] as unknown as Shape4 }],
  ["shape not integers", f32(32), f32(32), { shape: [1, 2, 4, 4.5] }],
  ["empty shape", f32(0), f32(0), { shape: [1, 0, 4, 4] }],
  ["dimension over int32", f32(32), f32(32), { shape: [1, 1, 1, 2 ** 31] }],
  ["pred and target differ", f32(32), f32(31), { shape }],
  ["length and shape differ", f32(30), f32(30), { shape }],
  ["alpha NaN", f32(32), f32(32), { shape, alpha: NaN }],
  ["omega negative", f32(32), f32(32), { shape, omega: -1 }],
  ["epsilon 0", f32(32), f32(32), { shape, epsilon: 0 }],
  ["theta infinite", f32(32), f32(32), { shape, theta: Infinity }],
  ["unknown layout", f32(32), f32(32), { shape, layout: "chw" as "nchw" }],
  ["unknown reduction", f32(32), f32(32), { shape, reduction: "max" as "sum" }],
  ["mapWeight negative", f32(32), f32(32), { shape, mapWeight: -1 }],
  ["mapThreshold NaN", f32(32), f32(32), { shape, mapThreshold: NaN }],
  ["landmarkWeights short", f32(32), f32(32), { shape, landmarkWeights: f32(1) }],
  ["landmarkWeights negative", f32(32), f32(32), { shape, landmarkWeights: f32(2, -1) }],
  ["landmarkWeights NaN", f32(32), f32(32), { shape, landmarkWeights: f32(2, NaN) }],
  ["out.grad short", f32(32), f32(32), { shape, out: { grad: f32(31) } }],
  ["out.grad not F32", f32(32), f32(32), { shape, out: { grad: notF32 } }],
  ["out.grad overlaps target", f32(32), shared.subarray(0, 32), {
    shape,
    out: { grad: shared.subarray(2, 34) },
  }],
  ["out.lossMap short", f32(32), f32(32), { shape, reduction: "none", out: { lossMap: f32(3) } }],
];

const GAUSSIAN_CALLS: [string, Float32Array, GaussianHeatmapsOptions][] = [
  ["landmarks not a Float32Array", notF32, { shape }],
  ["no shape", f32(4), noShape],
  ["landmarks short", f32(3), { shape }],
  ["dimension over int32", f32(4), { shape: [1, 2, 1, 2 ** 31] }],
  ["sigma 0", f32(4), { shape, sigma: 0 }],
  ["sigma too large", f32(4), { shape, sigma: 1e7 }],
  ["unknown mode", f32(4), { shape, mode: "biased" as "official" }],
  ["unknown window", f32(4), { shape, window: "2sigma" as "full" }],
  ["official sigma not whole", f32(4), { shape, mode: "official", sigma: 1.5 }],
  ["official full window", f32(4), { shape, mode: "official", window: "full" }],
  ["unknown offMap", f32(4), { shape, offMap: "clip" as "empty" }],
  ["official offMap", f32(4), { shape, mode: "official", offMap: "empty" }],
  ["visibility wrong type", f32(4), { shape, visibility: [1, 1] as unknown as Uint8Array }],
  ["visibility short", f32(4), { shape, visibility: new Uint8Array(1) }],
  ["visibility NaN", f32(4), { shape, visibility: f32(2, NaN) }],
  ["out short", f32(4), { shape, out: f32(31) }],
  ["out overlaps landmarks", shared.subarray(0, 4), { shape, out: shared.subarray(2, 34) }],
];

const DECODE_CALLS: [string, Float32Array, DecodeOptions][] = [
  ["heatmaps not a Float32Array", notF32, { shape }],
  ["no shape", f32(32), noShape],
  ["heatmaps short", f32(31), { shape }],
  ["dimension over int32", f32(32), { shape: [1, 1, 1, 2 ** 31] }],
  ["out.landmarks short", f32(32), { shape, out: { landmarks: f32(3) } }],
  ["out.confidence not F32", f32(32), { shape, out: { confidence: notF32 } }],
  ["out overlaps heatmaps", shared.subarray(0, 32), {
    shape,
    out: { confidence: shared.subarray(30, 32) },
  }],
];

Deno.test("both backends reject the same bad calls with the same errors", () => {
  const cuda = new CudaBackend(0, "the checks alone");
  try {
    for (const [what, pred, target, options] of LOSS_CALLS) {
      const wasm = messageOf(() => awingLoss(pred, target, options));
      equal(messageOf(() => cuda.awingLoss(pred, target, options)), wasm, `awingLoss: ${what}`);
      equal(wasm === "nothing thrown", false, `awingLoss: ${what} is accepted`);
    }
    for (const [what, landmarks, options] of GAUSSIAN_CALLS) {
      const wasm = messageOf(() => gaussianHeatmaps(landmarks, options));
      equal(messageOf(() => cuda.gaussianHeatmaps(landmarks, options)), wasm, `Gaussian: ${what}`);
      equal(wasm === "nothing thrown", false, `Gaussian: ${what} is accepted`);
    }
    for (const [what, heatmaps, options] of DECODE_CALLS) {
      const wasm = messageOf(() => decodeArgmax(heatmaps, options));
      equal(messageOf(() => cuda.decodeArgmax(heatmaps, options)), wasm, `decode: ${what}`);
      equal(wasm === "nothing thrown", false, `decode: ${what} is accepted`);
    }
  } finally {
    cuda.dispose();
    closeCuda();
  }
});
