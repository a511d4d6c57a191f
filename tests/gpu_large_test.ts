// The GPU path at sizes that need a large GPU: a batch of more than 2^31 pixels (three tensors of
// 9.1 GB: it fits an 80 GB GPU) and 4096 x 4096 maps, against the WASM core. Runs only when
// AWL_GPU_LARGE=1 (scripts/gpu_check.sh sets it) and a CUDA device is present; every test is
// skipped otherwise, with the reason in its name.
import { deepEqual, equal, ok } from "node:assert/strict";
import { decodeArgmax } from "../src/decode/mod.ts";
import { gaussianHeatmaps } from "../src/heatmap/mod.ts";
import { awingLoss } from "../src/loss/mod.ts";
import type { Shape4 } from "../src/types.ts";
import { copyToHost, ownedBuffer } from "../src/gpu/_buffers.ts";
import { probeCuda } from "../src/gpu/_probe.ts";
import {
  awingLossCuda,
  decodeArgmaxCuda,
  DeviceTensor,
  gaussianHeatmapsCuda,
} from "../src/gpu/mod.ts";
import { assertClose, maxAbs } from "./_assert.ts";
import { cudaTest, cudaTestStatus } from "./_gpu.ts";
import { needs } from "./_permissions.ts";
import { lossData, uniform } from "./_random.ts";

const ENV = needs("env");
const asked = !ENV.ignore && Deno.env.get("AWL_GPU_LARGE") === "1";
const { gpu, noGpu } = asked
  ? cudaTestStatus()
  : { gpu: false, noGpu: " (skipped: set AWL_GPU_LARGE=1 on a GPU with 32 GB free)" };
const why = ENV.ignore ? ENV.why : noGpu;

/** The floats of one channel (`h * w` of them from channel `c`) of a device tensor. */
function channel(t: DeviceTensor, c: number, hw: number): Float32Array {
  const out = new Float32Array(hw);
  copyToHost(out, ownedBuffer(t, "t", "read a channel"), c * hw * 4, "read a channel");
  return out;
}

cudaTest(`a batch of more than 2^31 pixels: every channel as the WASM core's${why}`, !gpu, () => {
  const shape: Shape4 = [8, 68, 2048, 2048];
  const [n, k, h, w] = shape;
  const hw = h * w, channels = n * k, size = channels * hw;
  ok(size > 2 ** 31, `${size} pixels`);
  const probe = probeCuda();
  ok(probe.ok, "a device");
  const free = probe.choice.freeMemory;
  ok(free > 3.2 * 4 * size, `needs ${(3.2 * 4 * size / 2 ** 30).toFixed(1)} GiB, has ${free}`);
  // the same landmark in every channel, so that every channel is the same map
  const lm = new Float32Array(2 * channels);
  for (let c = 0; c < channels; c++) lm.set([1000.25, 700.75], 2 * c);
  using landmarks = DeviceTensor.from(lm, [n, k, 2]);
  using target = gaussianHeatmapsCuda(landmarks, { shape, sigma: 2 });
  using pred = new DeviceTensor(shape); // zeros
  using grad = new DeviceTensor(shape);
  const t0 = performance.now();
  const { loss } = awingLossCuda(pred, target, { reduction: "sum", out: { grad } });
  const lossMs = performance.now() - t0;
  // one channel on the WASM core
  const one: Shape4 = [1, 1, h, w];
  const t1 = gaussianHeatmaps(new Float32Array([1000.25, 700.75]), { shape: one, sigma: 2 });
  const ref = awingLoss(new Float32Array(hw), t1.heatmaps, { shape: one, reduction: "sum" });
  ok(
    Math.abs(loss - channels * ref.loss) <= 1e-5 * channels * ref.loss,
    `${loss} vs ${channels} x ${ref.loss}`,
  );
  for (const c of [0, channels - 1]) {
    assertClose(channel(target, c, hw), t1.heatmaps, 1e-4, 1e-6, `target channel ${c}`);
    const g = channel(grad, c, hw);
    assertClose(g, ref.grad!, 1e-4, 1e-7 * maxAbs(ref.grad!), `grad channel ${c}`);
  }
  // the last channel, past 2^31 floats, is the first one bit for bit
  deepEqual(channel(grad, channels - 1, hw), channel(grad, 0, hw));
  const t2 = performance.now();
  const decoded = decodeArgmaxCuda(target);
  const argmaxMs = performance.now() - t2;
  const xy = decoded.landmarks.download();
  for (let c = 0; c < channels; c++) deepEqual([xy[2 * c], xy[2 * c + 1]], [1000, 701], `${c}`);
  decoded.landmarks.dispose();
  decoded.confidence.dispose();
  console.log(JSON.stringify({
    shape,
    pixels: size,
    loss_call_ms: Number(lossMs.toFixed(1)),
    argmax_call_ms: Number(argmaxMs.toFixed(1)),
  }));
});

cudaTest(`4096 x 4096 maps: loss, targets and argmax as the WASM core's${why}`, !gpu, () => {
  const shape: Shape4 = [1, 2, 4096, 4096];
  const hw = 4096 * 4096, size = 2 * hw;
  const { pred, target } = lossData(size, 4096);
  using p = DeviceTensor.from(pred, shape);
  using t = DeviceTensor.from(target, shape);
  const gpuLoss = awingLossCuda(p, t);
  const wasm = awingLoss(pred, target, { shape });
  ok(Math.abs(gpuLoss.loss - wasm.loss) <= 1e-5 * Math.abs(wasm.loss), `${gpuLoss.loss}`);
  assertClose(gpuLoss.grad.download(), wasm.grad!, 1e-4, 1e-7 * maxAbs(wasm.grad!), "grad");
  gpuLoss.grad.dispose();

  const lm = new Float32Array([2047.5, 100.25, 4000.75, 3990.5]);
  using landmarks = DeviceTensor.from(lm, [1, 2, 2]);
  using heatmaps = gaussianHeatmapsCuda(landmarks, { shape, sigma: 3 });
  assertClose(
    heatmaps.download(),
    gaussianHeatmaps(lm, { shape, sigma: 3 }).heatmaps,
    1e-4,
    1e-6,
    "",
  );

  // 1024 parts of 16384 pixels a map: ties on both sides of part borders, the first wins
  const maps = Float32Array.from(uniform(size, 77), (v) => v - 0.5);
  for (const part of [1, 17, 512, 1023]) maps[part * 16384 - 1] = maps[part * 16384] = 2;
  maps[hw + 5 * 16384 + 7] = maps[hw + hw - 1] = 3; // second map: inside a part, and the last
  using m = DeviceTensor.from(maps, shape);
  const t0 = performance.now();
  const decoded = decodeArgmaxCuda(m);
  const argmaxMs = performance.now() - t0;
  const want = decodeArgmax(maps, { shape });
  deepEqual(decoded.landmarks.download(), want.landmarks);
  deepEqual(decoded.confidence.download(), want.confidence);
  equal(want.landmarks[0], 16383 % 4096);
  decoded.landmarks.dispose();
  decoded.confidence.dispose();
  console.log(JSON.stringify({ shape, argmax_call_ms: Number(argmaxMs.toFixed(2)) }));
});
