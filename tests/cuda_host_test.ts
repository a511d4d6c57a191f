// The CUDA library without a GPU: it loads, reports "no device" cleanly, and its host entry
// points (the kernels' per-pixel functions run on the CPU) match the float64 reference and the
// WASM core through the FFI bridge. Needs build/libawing_cuda.so (`deno task build:cuda`);
// the library-dependent tests are skipped, visibly, when it is absent. Tests never compile.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { decodeArgmax } from "../src/decode/mod.ts";
import { gaussianHeatmaps } from "../src/heatmap/mod.ts";
import { awingLoss } from "../src/loss/mod.ts";
import { gaussianHeatmapsReference, lossReference } from "../src/reference/mod.ts";
import type { Shape4 } from "../src/types.ts";
import { ffi, isLoaded, overrideLibraryPath, STATUS, unwrap } from "../src/gpu/_ffi.ts";
import { hostArgmax, hostAwing, hostGaussian } from "./_cuda_host.ts";
import { liveBuffers } from "../src/gpu/_buffers.ts";
import {
  closeCuda,
  cudaDevices,
  CudaError,
  CudaNoDeviceError,
  CudaOutOfMemoryError,
  CudaUnavailableError,
  DeviceTensor,
  isCudaAvailable,
  selectBackend,
} from "../src/gpu/mod.ts";
import { lossData, uniform } from "./_random.ts";
import { assertClose, caught, maxAbs } from "./_assert.ts";
import { cudaTest, cudaTestStatus } from "./_gpu.ts";
import { AWING_CUSTOM } from "./_losses.ts";
import { edgeCaseMaps } from "./_edges.ts";
import { needs } from "./_permissions.ts";

const loadedAtImport = isLoaded();
const { haveLib, gpu, noLib } = cudaTestStatus();
const noGpuOnly = gpu ? " (skipped: a CUDA device is present; see gpu_test.ts)" : noLib;

// Shapes with tails: pixel counts not multiples of 4, odd H*W, single pixels and rows.
const SHAPES: Shape4[] = [[1, 1, 1, 1], [1, 1, 1, 3], [2, 3, 5, 7], [1, 2, 17, 9], [3, 5, 16, 16], [
  1,
  3,
  33,
  31,
]];
const PARAMS: Partial<typeof AWING_CUSTOM>[] = [
  {},
  AWING_CUSTOM,
  { mapWeight: 0 },
];

Deno.test("importing src/gpu never loads the CUDA library", () => {
  equal(loadedAtImport, false);
});

const FFI = needs("ffi");

Deno.test({
  name: `a missing library is a CudaUnavailableError naming the path and the build task${FFI.why}`,
  ignore: FFI.ignore,
}, () => {
  // not through Deno.env: parallel test workers share the process environment
  overrideLibraryPath("/nonexistent/libawing_cuda.so");
  try {
    const error = caught(() => new DeviceTensor([4]), CudaUnavailableError);
    match(error.message, /\/nonexistent\/libawing_cuda\.so/);
    match(error.message, /deno task build:cuda/);
    equal(error.path, "/nonexistent/libawing_cuda.so");
    const backend = selectBackend({ backend: "auto" });
    equal(backend.name, "wasm");
    equal(
      backend.reason,
      "CUDA library not found at /nonexistent/libawing_cuda.so (build it with `deno task build:cuda` or set AWL_CUDA_LIB); using WASM",
    );
    throws(() => selectBackend({ backend: "cuda" }), CudaUnavailableError);
    equal(isCudaAvailable(), false);
  } finally {
    overrideLibraryPath(undefined);
    closeCuda();
  }
});

const RUN = needs("run");

Deno.test({
  name: `without read or FFI permission the GPU tests name the missing flag${RUN.why}`,
  ignore: RUN.ignore,
}, async () => {
  const skips = async (flags: string[]): Promise<string> => {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--no-check", ...flags, "tests/gpu_test.ts"],
      cwd: new URL("..", import.meta.url),
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    return new TextDecoder().decode(stdout);
  };
  const [none, readOnly] = await Promise.all([skips([]), skips(["--allow-read"])]);
  match(
    none,
    /\(skipped: needs --allow-read --allow-ffi for \S*libawing_cuda\.so\) \.\.\. ignored/,
  );
  match(readOnly, /\(skipped: needs --allow-ffi for \S*libawing_cuda\.so\) \.\.\. ignored/);
  ok(!/not found|no CUDA device/.test(none + readOnly), "no other reason is given");
});

Deno.test("status codes map to the error classes", () => {
  throws(() => unwrap(STATUS.noDevice, "x"), CudaNoDeviceError);
  throws(() => unwrap(STATUS.outOfMemory, "x"), CudaOutOfMemoryError);
  const error = caught(() => unwrap(STATUS.cuda, "run x"), CudaError);
  equal(error.code, 4);
  equal(error.status, "AWL_ERR_CUDA");
  match(error.message, /^Cannot run x: /);
  unwrap(STATUS.success, "x");
});

Deno.test("DeviceTensor checks shape and device before touching the library", () => {
  throws(() => new DeviceTensor([2, -1]), TypeError);
  throws(() => new DeviceTensor([1.5]), TypeError);
  throws(() => new DeviceTensor([2], { device: -1 }), RangeError);
  equal(isLoaded(), false);
});

cudaTest(`CUDA library loads and reports no device cleanly${noGpuOnly}`, !haveLib || gpu, () => {
  const count = new Int32Array([-1]);
  const symbols = ffi();
  for (let round = 0; round < 2; round++) {
    // twice: the runtime's error is cleared, the answer does not change
    equal(symbols.awl_device_count(count), STATUS.noDevice);
    equal(count[0], 0);
  }
  const error = caught(() => cudaDevices(), CudaNoDeviceError);
  match(error.detail, /no CUDA device: .*cudaGetDeviceCount/);
  match(error.detail, /\(runtime\.cu:\d+\)$/);
  throws(() => new DeviceTensor([4]), CudaNoDeviceError);
  equal(liveBuffers(), 0);
  equal(isCudaAvailable(), false);
});

cudaTest(
  `selectBackend({ backend: "auto" }) falls back to WASM and says why${noGpuOnly}`,
  !haveLib || gpu,
  () => {
    using backend = selectBackend({ backend: "auto" });
    equal(backend.name, "wasm");
    equal(backend.device, undefined);
    match(backend.reason, /^no CUDA device \(.*cudaGetDeviceCount.*\); using WASM$/);
    equal(isLoaded(), false); // unloaded again after the probe
    const { pred, target } = lossData(2 * 3 * 5 * 7, 11);
    const a = backend.awingLoss(pred, target, { shape: [2, 3, 5, 7] });
    const b = awingLoss(pred, target, { shape: [2, 3, 5, 7] });
    equal(a.loss, b.loss);
    throws(() => selectBackend({ backend: "cuda" }), CudaNoDeviceError);
    equal(selectBackend({ backend: "wasm" }).reason, "WASM backend requested");
    throws(() => selectBackend({ backend: "gpu" as "cuda" }), TypeError);
  },
);

cudaTest(
  `awl_host_awing matches the float64 reference (loss 1e-5, pixels 1e-4)${noLib}`,
  !haveLib,
  () => {
    let seed = 100;
    for (const shape of SHAPES) {
      const [n, k, h, w] = shape;
      const size = n * k * h * w;
      for (const params of PARAMS) {
        for (const weighted of [false, true]) {
          const { pred, target } = lossData(size, seed++);
          const weights = weighted
            ? {
              landmarkWeights: Float32Array.from(
                uniform(n * k, seed++),
                (v, i) => (i % 3 === 0 ? 0 : 2 * v),
              ),
            }
            : {};
          const grad = new Float32Array(size), lossMap = new Float32Array(size);
          const stats = hostAwing(pred, target, {
            shape,
            ...params,
            ...weights,
            grad,
            lossMap,
            gradScale: 1,
          });
          const ref = lossReference(pred, target, {
            shape,
            loss: { kind: "awing", ...params },
            reduction: "sum",
            mapWeight: params.mapWeight ?? 10,
            mapThreshold: params.mapThreshold ?? Math.fround(0.2),
            ...weights,
          });
          const what = `${JSON.stringify(shape)} ${JSON.stringify(params)} weighted=${weighted}`;
          ok(
            Math.abs(stats.total - ref.loss) <= 1e-5 * Math.abs(ref.loss) + 1e-12,
            `${what}: total ${stats.total} vs ${ref.loss}`,
          );
          assertClose(grad, ref.grad, 1e-4, 1e-7 * maxAbs(ref.grad), `${what} grad`);
          assertClose(lossMap, ref.lossMap, 1e-4, 1e-7 * maxAbs(ref.lossMap), `${what} map`);
          equal(stats.flags, 0);
          equal(stats.targetMin, Math.min(...target));
          equal(stats.targetMax, Math.max(...target));
        }
      }
    }
  },
);

cudaTest(`awl_host_awing equals the WASM awingLoss (mean, sum, none)${noLib}`, !haveLib, () => {
  for (const shape of [[2, 3, 5, 7], [2, 68, 16, 16]] as Shape4[]) {
    const [n, k, h, w] = shape;
    const size = n * k * h * w;
    const { pred, target } = lossData(size, 7);
    const lw = Float32Array.from(uniform(n * k, 8), (v) => v * 2);
    for (const reduction of ["mean", "sum", "none"] as const) {
      const wasm = awingLoss(pred, target, { shape, reduction, landmarkWeights: lw });
      const grad = new Float32Array(size), lossMap = new Float32Array(size);
      const stats = hostAwing(pred, target, {
        shape,
        landmarkWeights: lw,
        grad,
        lossMap,
        gradScale: reduction === "mean" ? 1 / size : 1,
      });
      const loss = reduction === "mean" ? stats.total / size : stats.total;
      ok(Math.abs(loss - wasm.loss) <= 1e-5 * Math.abs(wasm.loss), `${reduction} loss`);
      assertClose(grad, wasm.grad!, 1e-4, 1e-7 * maxAbs(wasm.grad!), `${reduction} grad`);
      if (reduction === "none") {
        assertClose(lossMap, wasm.lossMap!, 1e-4, 1e-7 * maxAbs(wasm.lossMap!), "lossMap");
      }
    }
  }
});

cudaTest(
  `awl_host_awing reports non-finite inputs, the target range and bad arguments${noLib}`,
  !haveLib,
  () => {
    const shape: Shape4 = [1, 1, 3, 3];
    const { pred, target } = lossData(9, 3);
    pred[4] = NaN;
    equal(hostAwing(pred, target, { shape }).flags, 1);
    pred[4] = 0;
    target[2] = Infinity;
    const s = hostAwing(pred, target, { shape });
    equal(s.flags, 2);
    target[2] = 0;
    const t = hostAwing(pred, target, { shape });
    equal(t.targetMax, Math.max(...target));
    // bad arguments come back as AWL_ERR_INVALID_ARG with the reason and where
    const bad = caught(() => hostAwing(pred, target, { shape, epsilon: 0 }), CudaError);
    equal(bad.code, STATUS.invalidArg);
    match(bad.detail, /parameters out of range \(host\.cpp:\d+\)/);
    const symbols = ffi();
    const stats = new Uint8Array(24);
    // the raw entry point on the 3 x 3 map with paper defaults; only grad and n vary
    const raw = (grad: Float32Array | null, n: number): number =>
      symbols.awl_host_awing(
        pred,
        target,
        null,
        grad,
        null,
        n,
        1,
        3,
        3,
        2.1,
        14,
        1,
        0.5,
        10,
        0.2,
        1,
        stats,
      );
    equal(raw(null, 0), STATUS.invalidArg);
    // an output that aliases an input is refused
    equal(raw(pred, 1), STATUS.invalidArg);
    equal(
      Deno.UnsafePointerView.getCString(symbols.awl_get_error_string(3)!),
      "out of device memory",
    );
  },
);

/** Landmarks with every case: inside, exact edges, NaN, off-map on each side, near edges. */
function landmarkCases(n: number, k: number, h: number, w: number, seed: number): Float32Array {
  const u = uniform(2 * n * k, seed);
  const lm = Float32Array.from(u, (v, i) => (i % 2 === 0 ? v * (w + 2) - 1.5 : v * (h + 2) - 1.5));
  const special: [number, number][] = [
    [-0.5, 0],
    [w - 0.5, 0],
    [0, h - 0.5],
    [w - 0.5001, h - 0.5001],
    [NaN, 2],
    [2, NaN],
    [-0.51, 1],
    [Infinity, 1],
    [(w - 1) / 2, (h - 1) / 2],
    [1.25, 0.75],
  ];
  for (const [c, xy] of special.slice(0, n * k).entries()) lm.set(xy, 2 * c);
  return lm;
}

cudaTest(
  `awl_host_gaussian: off-map landmarks at every edge and corner as the reference${noLib}`,
  !haveLib,
  () => {
    for (const { h, w, sigma, lm, skip, k, shape } of edgeCaseMaps()) {
      for (const window of ["3sigma", "full"] as const) {
        for (const offMap of ["partial", "empty"] as const) {
          const got = hostGaussian(lm, { shape, sigma, window, offMap });
          const ref = gaussianHeatmapsReference(lm, shape, { sigma, window, offMap });
          const what = `sigma ${sigma} ${window} ${offMap}`;
          assertClose(got, ref, 1e-4, 1e-6, what);
          const wasm = gaussianHeatmaps(lm, { shape, sigma, window, offMap });
          assertClose(got, wasm.heatmaps, 1e-4, 1e-6, `${what} vs WASM`);
          // the channels WASM skips are exactly the all-zero ones here
          const zero = wasm.skipped.map((s) => s.k);
          for (let c = 0; c < k; c++) {
            const empty = got.subarray(c * h * w, (c + 1) * h * w).every((v) => v === 0);
            equal(empty, zero.includes(c), `${what} channel ${c}`);
          }
          if (offMap === "partial") deepEqual(zero, skip);
        }
      }
    }
    // an unknown off_map value is refused
    const bad = ffi().awl_host_gaussian(
      new Float32Array(2),
      null,
      new Float32Array(16),
      1,
      1,
      4,
      4,
      1,
      0,
      7,
    );
    equal(bad, STATUS.invalidArg);
  },
);

cudaTest(
  `awl_host_gaussian matches the float64 reference and the WASM core${noLib}`,
  !haveLib,
  () => {
    let seed = 300;
    for (const shape of [[1, 12, 9, 7], [2, 11, 16, 16], [1, 5, 33, 20]] as Shape4[]) {
      const [n, k, h, w] = shape;
      for (const sigma of [1, 1.5, 0.7, 2.5]) {
        for (const window of ["3sigma", "full"] as const) {
          const lm = landmarkCases(n, k, h, w, seed++);
          const vis = Float32Array.from(
            uniform(n * k, seed++),
            (v) => (v < 0.2 ? 0 : v < 0.25 ? -1 : v),
          );
          const cases: { visibility?: Float32Array }[] = [{}, { visibility: vis }];
          for (const withVis of cases) {
            for (const offMap of ["partial", "empty"] as const) {
              const options = { sigma, window, offMap, ...withVis };
              const got = hostGaussian(lm, { shape, ...options });
              const ref = gaussianHeatmapsReference(lm, shape, options);
              const what = `${JSON.stringify(shape)} sigma ${sigma} ${window} ${offMap}`;
              assertClose(got, ref, 1e-4, 1e-6, what);
              const wasm = gaussianHeatmaps(lm, { shape, ...options });
              assertClose(got, wasm.heatmaps, 1e-4, 1e-6, `${what} vs WASM`);
            }
          }
        }
      }
    }
  },
);

cudaTest(`awl_host_argmax finds the first maximum, as the WASM core${noLib}`, !haveLib, () => {
  const shape: Shape4 = [2, 4, 5, 7];
  const hw = 35;
  const hm = Float32Array.from(uniform(2 * 4 * hw, 5), (v) => v - 0.7);
  hm.fill(-2, 0, hw); // channel 0: all equal -> index 0
  hm[hw + 9] = 3; // channel 1: ties at 9 and 20 -> 9
  hm[hw + 20] = 3;
  hm[2 * hw + 34] = 5; // channel 2: the last pixel
  const got = hostArgmax(hm, shape);
  const wasm = decodeArgmax(hm, { shape });
  deepEqual(Array.from(got.landmarks), Array.from(wasm.landmarks));
  deepEqual(Array.from(got.confidence), Array.from(wasm.confidence));
  deepEqual(Array.from(got.landmarks.subarray(0, 6)), [0, 0, 2, 1, 6, 4]);
  // a channel with a NaN gets NaN everywhere; the others are unaffected
  hm[3 * hw + 4] = NaN;
  const nan = hostArgmax(hm, shape);
  ok(Number.isNaN(nan.confidence[3]) && Number.isNaN(nan.landmarks[6]));
  equal(nan.confidence[2], 5);
});

cudaTest(
  `awl_host_argmax: every split of a channel into parts gives the first maximum${noLib}`,
  !haveLib,
  () => {
    const shape: Shape4 = [2, 4, 5, 7];
    const hw = 35;
    const hm = Float32Array.from(uniform(2 * 4 * hw, 15), (v) => v - 0.7);
    hm.fill(-2, 0, hw); // channel 0: all equal -> index 0
    for (const i of [9, 10, 20]) hm[hw + i] = 3; // channel 1: a run of ties across parts -> 9
    hm[2 * hw + 34] = 5; // channel 2: the last pixel, alone in the last part
    hm[3 * hw + 17] = 4; // channel 3: ties at both ends of the map -> 17 beats 34
    hm[3 * hw + 34] = 4;
    hm[5 * hw] = 9; // channel 5: the first pixel
    const wasm = decodeArgmax(hm, { shape });
    hm[4 * hw + 30] = -Infinity; // channel 4: an infinite value in one part -> NaN
    wasm.landmarks.fill(NaN, 8, 10);
    wasm.confidence[4] = NaN;
    // 1 part (one block), as many parts as pixels, more parts than pixels (empty parts), and
    // splits whose borders fall inside the runs of ties
    for (const parts of [0, 1, 2, 3, 4, 6, 7, 11, 34, 35, 36, 100]) {
      const got = hostArgmax(hm, shape, parts);
      deepEqual(Array.from(got.landmarks), Array.from(wasm.landmarks), `${parts} parts`);
      deepEqual(Array.from(got.confidence), Array.from(wasm.confidence), `${parts} parts`);
    }
    deepEqual(Array.from(hostArgmax(hm, shape, 7).landmarks.subarray(0, 8)), [
      0,
      0,
      2,
      1,
      6,
      4,
      3,
      2,
    ]);
    // a map of 19,500 pixels is split in two at 9750 by the kernels' own rule (parts 0)
    const big: Shape4 = [1, 2, 150, 130];
    const plane = 150 * 130;
    const maps = Float32Array.from(uniform(2 * plane, 16), (v) => v - 0.5);
    maps[9749] = maps[9750] = 2; // the tie straddles the border: 9749 wins
    maps[plane + 9750] = maps[plane + plane - 1] = 2; // both in the second part: 9750
    const split = hostArgmax(maps, big);
    deepEqual(Array.from(split.landmarks), [9749 % 130, Math.floor(9749 / 130), 0, 75]);
    deepEqual(split, { ...hostArgmax(maps, big, 1) });
    throws(() => hostArgmax(maps, big, -1), CudaError);
  },
);

cudaTest(`awl_argmax_workspace_bytes: the kernels' split of each channel${noLib}`, !haveLib, () => {
  const bytes = (shape: Shape4): bigint => {
    const out = new BigUint64Array(1);
    unwrap(ffi().awl_argmax_workspace_bytes(...shape, out), "size the workspace");
    return out[0]!;
  };
  // parts = ceil(H*W / 16384), at most 1024 and at most INT_MAX / channels; 16 bytes a part
  equal(bytes([8, 68, 64, 64]), 0n); // one block a channel: no workspace
  equal(bytes([1, 1, 128, 128]), 0n); // 16384 pixels: still one block
  equal(bytes([1, 2, 150, 130]), 2n * 2n * 16n);
  equal(bytes([1, 1, 4096, 4096]), 1024n * 16n);
  equal(bytes([8, 68, 4096, 4096]), 544n * 1024n * 16n);
  equal(bytes([1, 1, 8192, 8192]), 1024n * 16n); // the cap: parts of 65,536 pixels
  // 2^22 channels of 2^23 pixels: 511 parts, so that the grid fits one launch
  equal(bytes([2048, 2048, 2048, 4096]), 2n ** 22n * 511n * 16n);
});
