// The float32 parameter checks, null options and overlapping host buffers give the same error
// from the WASM functions and from CudaBackend, which runs the same checks before any device
// work (no GPU needed: a check it missed would reach the library and fail differently).
import { equal, match } from "node:assert/strict";
import { decodeArgmax, type DecodeOptions } from "../src/decode/mod.ts";
import { CudaBackend } from "../src/gpu/_cuda_backend.ts";
import { closeCuda } from "../src/gpu/mod.ts";
import { gaussianHeatmaps, type GaussianHeatmapsOptions } from "../src/heatmap/mod.ts";
import { awingLoss, type AWingLossOptions } from "../src/loss/mod.ts";
import type { Shape4 } from "../src/types.ts";
import { cudaTestStatus } from "./_gpu.ts";

const shape: Shape4 = [1, 2, 4, 4];
const f32 = (n: number, v = 0): Float32Array => new Float32Array(n).fill(v);
const buf = f32(64);

const LOSS: [string, Float32Array, Float32Array, AWingLossOptions, RegExp][] = [
  [
    "epsilon subnormal",
    f32(32),
    f32(32),
    { shape, epsilon: 1e-40 },
    /epsilon must be a normal float32/,
  ],
  ["epsilon rounds to 0", f32(32), f32(32), { shape, epsilon: 1e-46 }, /epsilon must be a normal/],
  ["omega past float32", f32(32), f32(32), { shape, omega: 1e39 }, /omega must be a normal/],
  ["alpha past float32", f32(32), f32(32), { shape, alpha: 3.5e38 }, /alpha must be a normal/],
  ["theta subnormal", f32(32), f32(32), { shape, theta: 5e-39 }, /theta must be a normal/],
  ["mapWeight past float32", f32(32), f32(32), { shape, mapWeight: 1e39 }, /mapWeight must be/],
  [
    "mapThreshold past float32",
    f32(32),
    f32(32),
    { shape, mapThreshold: -1e39 },
    /mapThreshold must/,
  ],
  [
    "null options",
    f32(32),
    f32(32),
    null as never,
    /"options" must be an object or undefined but it is null/,
  ],
  ["grad one element into pred's neighbour", buf.subarray(0, 32), f32(32), {
    shape,
    out: { grad: buf.subarray(1, 33) },
  }, /"out.grad" shares memory with "pred"/],
  ["grad and lossMap shifted by one", f32(32), f32(32), {
    shape,
    reduction: "none",
    out: { grad: buf.subarray(0, 32), lossMap: buf.subarray(31, 63) },
  }, /"out.lossMap" shares memory with "out.grad"/],
];

const GAUSSIAN: [string, Float32Array, GaussianHeatmapsOptions, RegExp][] = [
  [
    "null options",
    f32(4),
    null as never,
    /"options" must be an object or undefined but it is null/,
  ],
  [
    "out shifted onto landmarks",
    buf.subarray(32, 36),
    { shape, out: buf.subarray(1, 33) },
    /"out" shares memory with "landmarks"/,
  ],
];

const DECODE: [string, Float32Array, DecodeOptions, RegExp][] = [
  [
    "null options",
    f32(32),
    null as never,
    /"options" must be an object or undefined but it is null/,
  ],
  ["landmarks shifted onto heatmaps", buf.subarray(0, 32), {
    shape,
    out: { landmarks: buf.subarray(31, 35) },
  }, /"out.landmarks" shares memory with "heatmaps"/],
];

/** The class and message of the error `fn` throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("nothing thrown");
}

Deno.test("both backends reject float32-only parameters, null options and overlaps alike", () => {
  const cuda = new CudaBackend(0, "the checks alone");
  try {
    for (const [what, pred, target, options, message] of LOSS) {
      const wasm = thrown(() => awingLoss(pred, target, options));
      match(wasm.message, message, what);
      const other = thrown(() => cuda.awingLoss(pred, target, options));
      equal(`${other.name}: ${other.message}`, `${wasm.name}: ${wasm.message}`, what);
    }
    for (const [what, landmarks, options, message] of GAUSSIAN) {
      const wasm = thrown(() => gaussianHeatmaps(landmarks, options));
      match(wasm.message, message, what);
      const other = thrown(() => cuda.gaussianHeatmaps(landmarks, options));
      equal(`${other.name}: ${other.message}`, `${wasm.name}: ${wasm.message}`, what);
    }
    for (const [what, heatmaps, options, message] of DECODE) {
      const wasm = thrown(() => decodeArgmax(heatmaps, options));
      match(wasm.message, message, what);
      const other = thrown(() => cuda.decodeArgmax(heatmaps, options));
      equal(`${other.name}: ${other.message}`, `${wasm.name}: ${wasm.message}`, what);
    }
  } finally {
    cuda.dispose();
    closeCuda();
  }
});

Deno.test("the CUDA entry points answer null options before touching a tensor or the library", async () => {
  const { awingLossCuda, decodeArgmaxCuda, gaussianHeatmapsCuda, selectBackend } = await import(
    "../src/gpu/mod.ts"
  );
  const fake = {} as never;
  for (
    const call of [
      () => awingLossCuda(fake, fake, null as never),
      () => decodeArgmaxCuda(fake, null as never),
      () => gaussianHeatmapsCuda(fake, null as never),
      () => selectBackend(null as never),
    ]
  ) {
    const e = thrown(call);
    equal(e.name, "TypeError");
    match(e.message, /"options" must be an object or undefined but it is null/);
  }
});

const { haveLib, gpu, noLib } = cudaTestStatus();
const why = gpu ? "" : haveLib ? " (skipped: no CUDA device)" : noLib;

Deno.test({
  // per-pixel losses that overflow float32 (partial sums that overflow may differ: the CUDA
  // kernel may sum them in float64)
  name: `a loss that overflows float32 is the same RangeError on the GPU${why}`,
  ignore: !gpu,
  async fn(): Promise<void> {
    const { awingLossCuda, DeviceTensor } = await import("../src/gpu/mod.ts");
    const cuda = new CudaBackend(0, "overflow");
    const target = f32(32);
    target[5] = 1;
    const cases: [string, Float32Array, Omit<AWingLossOptions, "out">][] = [
      ["pred 3e38", f32(32, 3e38), { shape }],
      ["omega 3e38", f32(32, 0.3), { shape, omega: 3e38 }],
      ["mapWeight 3e38", f32(32, 0.3), { shape, mapWeight: 3e38 }],
    ];
    try {
      for (const [what, pred, options] of cases) {
        for (const reduction of ["mean", "sum", "none"] as const) {
          const wasm = thrown(() => awingLoss(pred, target, { ...options, reduction }));
          match(wasm.message, /the losses overflow float32/, what);
          const host = thrown(() => cuda.awingLoss(pred, target, { ...options, reduction }));
          equal(host.message, wasm.message, `${what}, ${reduction}: CudaBackend`);
          const p = new DeviceTensor(shape).upload(pred),
            t = new DeviceTensor(shape).upload(target);
          try {
            const device = thrown(() => awingLossCuda(p, t, { ...options, reduction }));
            equal(device.message, wasm.message, `${what}, ${reduction}: awingLossCuda`);
          } finally {
            p.dispose();
            t.dispose();
          }
        }
      }
    } finally {
      cuda.dispose();
      closeCuda();
    }
  },
});
