// The GPU path against the WASM core and the float64 reference. Runs only where a CUDA device
// and build/libawing_cuda.so (`deno task build:cuda`) exist; otherwise every test is skipped
// with the reason in its name. Each test unloads the library (resource sanitizer).
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { decodeArgmax } from "../src/decode/mod.ts";
import { gaussianHeatmaps } from "../src/heatmap/mod.ts";
import { awingLoss, type AWingLossOptions } from "../src/loss/mod.ts";
import { lossReference } from "../src/reference/mod.ts";
import type { Shape4 } from "../src/types.ts";
import { liveBuffers } from "../src/gpu/_buffers.ts";
import { hostGaussian } from "./_cuda_host.ts";
import { edgeCases } from "./_edges.ts";
import {
  awingLossCuda,
  closeCuda,
  cudaDevices,
  CudaOutOfMemoryError,
  decodeArgmaxCuda,
  DeviceTensor,
  gaussianHeatmapsCuda,
  selectBackend,
} from "../src/gpu/mod.ts";
import { lossData, uniform } from "./_random.ts";
import { assertClose, at, caught, maxAbs, messageOf } from "./_assert.ts";
import { cudaTest, cudaTestStatus } from "./_gpu.ts";
import { AWING_CUSTOM } from "./_losses.ts";

// computed once for the whole file
const { gpu, noGpu: why } = cudaTestStatus();
const ignore = !gpu;

const SHAPES: Shape4[] = [[2, 3, 5, 7], [1, 2, 33, 31], [3, 5, 40, 24], [8, 68, 64, 64], [
  2,
  98,
  64,
  64,
]];
const PARAMS: Omit<Partial<AWingLossOptions>, "out" | "shape">[] = [
  {},
  { mapWeight: 0 },
  AWING_CUSTOM,
];

Deno.test({
  name: `awingLossCuda equals the WASM awingLoss (loss 1e-5, pixels 1e-4)${why}`,
  ignore,
  fn(): void {
    try {
      let seed = 1;
      for (const shape of SHAPES) {
        const [n, k] = shape;
        const size = shape.reduce((a, b) => a * b, 1);
        const { pred, target } = lossData(size, seed++);
        using p = DeviceTensor.from(pred, shape);
        using t = DeviceTensor.from(target, shape);
        for (const params of PARAMS) {
          for (const reduction of ["mean", "sum", "none"] as const) {
            const weights = reduction === "sum"
              ? {
                landmarkWeights: Float32Array.from(
                  uniform(n * k, seed++),
                  (v, i) => (i % 5 === 0 ? 0 : 2 * v),
                ),
              }
              : {};
            const options = { ...params, reduction, ...weights };
            const wasm = awingLoss(pred, target, { shape, ...options });
            const gpuResult = awingLossCuda(p, t, options);
            const what = `${JSON.stringify(shape)} ${JSON.stringify(params)} ${reduction}`;
            ok(
              Math.abs(gpuResult.loss - wasm.loss) <= 1e-5 * Math.abs(wasm.loss),
              `${what}: loss ${gpuResult.loss} vs ${wasm.loss}`,
            );
            const grad = gpuResult.grad!.download();
            assertClose(grad, wasm.grad!, 1e-4, 1e-7 * maxAbs(wasm.grad!), `${what} grad`);
            gpuResult.grad!.dispose();
            if (reduction === "none") {
              const map = gpuResult.lossMap!.download();
              assertClose(map, wasm.lossMap!, 1e-4, 1e-7 * maxAbs(wasm.lossMap!), `${what} map`);
              gpuResult.lossMap!.dispose();
            } else {
              equal(gpuResult.lossMap, undefined);
            }
          }
        }
      }
      equal(liveBuffers() > 0, true); // the cached workspace
    } finally {
      closeCuda();
    }
    equal(liveBuffers(), 0);
  },
});

cudaTest(`awingLossCuda is deterministic and matches the float64 reference${why}`, ignore, () => {
  const shape: Shape4 = [4, 17, 37, 29];
  const size = 4 * 17 * 37 * 29;
  const { pred, target } = lossData(size, 42);
  using p = DeviceTensor.from(pred, shape);
  using t = DeviceTensor.from(target, shape);
  using grad = new DeviceTensor(shape);
  const a = awingLossCuda(p, t, { reduction: "sum", out: { grad } });
  const ga = grad.download();
  const b = awingLossCuda(p, t, { reduction: "sum", out: { grad } });
  ok(Object.is(a.loss, b.loss), `${a.loss} then ${b.loss}`);
  deepEqual(grad.download(), ga);
  equal(a.grad, grad);
  const ref = lossReference(pred, target, { shape, reduction: "sum" });
  ok(Math.abs(a.loss - ref.loss) <= 1e-5 * Math.abs(ref.loss), `${a.loss} vs ${ref.loss}`);
  assertClose(ga, ref.grad, 1e-4, 1e-7 * maxAbs(ref.grad), "grad vs reference");
  const valueOnly = awingLossCuda(p, t, { reduction: "sum", gradient: false });
  equal(valueOnly.grad, undefined);
  ok(Object.is(valueOnly.loss, a.loss));
});

cudaTest(`awingLossCuda rejects bad input with the WASM messages${why}`, ignore, () => {
  const shape: Shape4 = [1, 2, 8, 8];
  const { pred, target } = lossData(128, 9);
  pred[17] = NaN;
  using p = DeviceTensor.from(pred, shape);
  using t = DeviceTensor.from(target, shape);
  equal(
    messageOf(() => awingLossCuda(p, t)),
    messageOf(() => awingLoss(pred, target, { shape })),
  );
  match(messageOf(() => awingLossCuda(p, t)), /"pred" has a NaN at index 17/);
  pred[17] = 0;
  p.upload(pred);
  target[100] = Infinity;
  t.upload(target);
  match(
    messageOf(() => awingLossCuda(p, t)),
    /RangeError: .*"target" has an infinite value at index 100/,
  );
  target[100] = 1.2; // alpha 2.1 needs max(target) < 1.1
  t.upload(target);
  equal(
    messageOf(() => awingLossCuda(p, t)),
    messageOf(() => awingLoss(pred, target, { shape })),
  );
  throws(() => awingLossCuda(p, t), RangeError);
  awingLossCuda(p, t, { validate: false }); // unchecked: no throw
  target[100] = 0;
  t.upload(target);
  using small = new DeviceTensor([1, 2, 8, 7]);
  throws(() => awingLossCuda(p, small), TypeError);
  throws(() => awingLossCuda(p, t, { out: { grad: small } }), TypeError);
  throws(() => awingLossCuda(p, t, { out: { grad: p } }), TypeError);
  throws(() => awingLossCuda(p, t, { omega: -1 }), RangeError);
  throws(() => awingLossCuda(p, t, { reduction: "max" as "sum" }), TypeError);
  const gone = DeviceTensor.from(pred, shape);
  gone.dispose();
  gone.dispose(); // twice is fine
  match(messageOf(() => awingLossCuda(gone, t)), /TypeError: .*"pred" was disposed/);
  throws(() => gone.download(), TypeError);
  using flat = DeviceTensor.from(pred, [128]);
  throws(() => awingLossCuda(flat, t), TypeError); // not 4-D and no shape
  equal(awingLossCuda(flat, t, { shape, gradient: false }).grad, undefined);
});

cudaTest(`gaussianHeatmapsCuda equals the WASM core and the host entry point${why}`, ignore, () => {
  let seed = 500;
  for (const shape of [[1, 12, 9, 7], [2, 11, 64, 64], [1, 5, 33, 70]] as Shape4[]) {
    const [n, k, h, w] = shape;
    for (const sigma of [1, 1.5, 0.7, 2.5]) {
      for (const window of ["3sigma", "full"] as const) {
        const lm = Float32Array.from(
          uniform(2 * n * k, seed++),
          (v, i) => (i % 2 === 0 ? v * (w + 2) - 1.5 : v * (h + 2) - 1.5),
        );
        lm[0] = -0.5;
        lm[2] = w - 0.5;
        lm[4] = NaN;
        const vis = Float32Array.from(uniform(n * k, seed++), (v) => (v < 0.2 ? 0 : v));
        using landmarks = DeviceTensor.from(lm, [n, k, 2]);
        using visibility = DeviceTensor.from(vis, [n, k]);
        for (const withVis of [false, true]) {
          for (const offMap of ["partial", "empty"] as const) {
            const vOpt = withVis ? { visibility: vis } : {};
            const options = { shape, sigma, window, offMap, ...vOpt };
            using out = gaussianHeatmapsCuda(landmarks, {
              shape,
              sigma,
              window,
              offMap,
              ...(withVis ? { visibility } : {}),
            });
            const got = out.download();
            const what = `${
              JSON.stringify(shape)
            } sigma ${sigma} ${window} ${offMap} vis ${withVis}`;
            assertClose(got, gaussianHeatmaps(lm, options).heatmaps, 1e-4, 1e-6, what);
            assertClose(got, hostGaussian(lm, options), 1e-5, 1e-7, `${what} vs host`);
          }
        }
      }
    }
  }
  using lm = DeviceTensor.from(new Float32Array(6), [1, 3, 2]);
  throws(() => gaussianHeatmapsCuda(lm, { shape: [1, 2, 8, 8] }), TypeError);
  throws(() => gaussianHeatmapsCuda(lm, { shape: [1, 3, 8, 8], sigma: 0 }), RangeError);
});

cudaTest(`decodeArgmaxCuda equals decodeArgmax, ties and NaN included${why}`, ignore, () => {
  // one block a channel, and maps split across 2, 5 and 64 blocks (parts of ceil(H*W / P))
  const shapes: Shape4[] = [[2, 4, 5, 7], [8, 68, 64, 64], [1, 3, 130, 127], [1, 3, 150, 130], [
    1,
    3,
    300,
    257,
  ], [2, 2, 1024, 1024]];
  for (const shape of shapes) {
    const [n, k, h, w] = shape;
    const hw = h * w;
    const hm = Float32Array.from(uniform(n * k * hw, hw), (v) => v - 0.7);
    hm.fill(-2, 0, hw); // all equal: index 0
    hm[hw + 3] = 3; // ties: the first wins
    hm[hw + hw - 1] = 3;
    if (k > 2) {
      // a tie on both sides of every border between parts: the earlier pixel wins
      const parts = Math.min(Math.ceil(hw / 16384), 1024);
      const len = Math.ceil(hw / parts);
      for (let p = 1; p < parts; p++) hm[2 * hw + p * len - 1] = hm[2 * hw + p * len] = 4;
      if (parts === 1) hm[2 * hw + 7] = hm[2 * hw + 8] = 4;
    }
    using t = DeviceTensor.from(hm, shape);
    const { landmarks, confidence } = decodeArgmaxCuda(t);
    const wasm = decodeArgmax(hm, { shape });
    deepEqual(landmarks.download(), wasm.landmarks);
    deepEqual(confidence.download(), wasm.confidence);
    equal(landmarks.download()[2], 3);
    landmarks.dispose();
    confidence.dispose();
  }
  const hm = new Float32Array(2 * 9);
  hm[13] = NaN;
  using t = DeviceTensor.from(hm, [1, 2, 3, 3]);
  equal(
    messageOf(() => decodeArgmaxCuda(t)),
    messageOf(() => decodeArgmax(hm, { shape: [1, 2, 3, 3] })),
  );
  const unchecked = decodeArgmaxCuda(t, { validate: false });
  ok(Number.isNaN(unchecked.confidence.download()[1]));
});

cudaTest(`selectBackend picks CUDA and its host-array methods equal WASM${why}`, ignore, () => {
  using auto = selectBackend();
  equal(auto.name, "cuda");
  match(
    auto.reason,
    /^CUDA device \d+: .+ \(\d+\.\d GiB, compute capability \d+\.\d, (sm_\d+ machine code|compute_\d+ PTX compiled by the driver for sm_\d+)\), auto-selected/,
  );
  using backend = selectBackend({ backend: "cuda" });
  equal(backend.device, 0);
  const shape: Shape4 = [2, 68, 64, 64];
  const size = 2 * 68 * 64 * 64;
  const { pred, target } = lossData(size, 77);
  for (const reduction of ["mean", "sum", "none"] as const) {
    const a = backend.awingLoss(pred, target, { shape, reduction });
    const b = awingLoss(pred, target, { shape, reduction });
    ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(b.loss));
    assertClose(a.grad!, b.grad!, 1e-4, 1e-7 * maxAbs(b.grad!), `${reduction} grad`);
    if (reduction === "none") assertClose(a.lossMap!, b.lossMap!, 1e-4, 1e-9, "map");
  }
  const grad = new Float32Array(size);
  equal(backend.awingLoss(pred, target, { shape, out: { grad } }).grad, grad);
  pred[5] = NaN;
  equal(
    messageOf(() => backend.awingLoss(pred, target, { shape })),
    messageOf(() => awingLoss(pred, target, { shape })),
  );
  const lm = Float32Array.from(uniform(2 * 68 * 2, 3), (v) => v * 64 - 0.5);
  lm[0] = NaN;
  const g = backend.gaussianHeatmaps(lm, { shape, sigma: 2 });
  const gw = gaussianHeatmaps(lm, { shape, sigma: 2 });
  assertClose(g.heatmaps, gw.heatmaps, 1e-4, 1e-6, "heatmaps");
  deepEqual(g.skipped, gw.skipped);
  // off-map landmarks at every edge: the same values and the same skipped list
  for (const offMap of ["partial", "empty"] as const) {
    for (const window of ["3sigma", "full"] as const) {
      const edges = edgeCases(15, 20, 1.5);
      const eShape: Shape4 = [1, edges.lm.length / 2, 15, 20];
      const options = { shape: eShape, sigma: 1.5, window, offMap };
      const ge = backend.gaussianHeatmaps(edges.lm, options);
      const we = gaussianHeatmaps(edges.lm, options);
      assertClose(ge.heatmaps, we.heatmaps, 1e-4, 1e-6, `edges ${offMap} ${window}`);
      deepEqual(ge.skipped, we.skipped);
    }
  }
  const official = backend.gaussianHeatmaps(lm, { shape, mode: "official" });
  deepEqual(official.heatmaps, gaussianHeatmaps(lm, { shape, mode: "official" }).heatmaps);
  const d = backend.decodeArgmax(gw.heatmaps, { shape });
  deepEqual(d, decodeArgmax(gw.heatmaps, { shape }));
});

cudaTest(`device tensors: round trip, dispose, closeCuda, out of memory${why}`, ignore, () => {
  const devices = cudaDevices();
  ok(devices.length > 0 && at(devices, 0).name.length > 0 && at(devices, 0).totalMemory > 0);
  const data = Float32Array.from({ length: 1001 }, (_, i) => i * 0.5 - 3);
  {
    using t = DeviceTensor.from(data, [7, 11, 13]);
    deepEqual(t.download(), data);
    const out = new Float32Array(1001);
    equal(t.download(out), out);
    throws(() => t.upload(new Float32Array(1000)), TypeError);
  }
  using empty = new DeviceTensor([0, 4]);
  equal(empty.download().length, 0);
  empty.upload(new Float32Array(0));
  const before = liveBuffers();
  const oom = caught(() => new DeviceTensor([2 ** 40]), CudaOutOfMemoryError);
  match(oom.message, /cudaMalloc of 4398046511104 bytes on device 0 failed/);
  equal(oom.status, "AWL_ERR_OUT_OF_MEMORY");
  equal(liveBuffers(), before);
  using after = DeviceTensor.from(data); // the device still works
  deepEqual(after.download(), data);
  // a kept allocation is reused for a tensor of its size, and zero-filled again
  const first = DeviceTensor.from(data);
  first.dispose();
  using reused = new DeviceTensor([1001]);
  deepEqual(reused.download(), new Float32Array(1001));
  const kept = DeviceTensor.from(data);
  closeCuda();
  equal(kept.disposed, true);
  equal(after.disposed, true);
  equal(liveBuffers(), 0);
  kept.dispose(); // after close: a no-op
  using again = DeviceTensor.from(data); // the library loads again
  deepEqual(again.download(), data);
});
