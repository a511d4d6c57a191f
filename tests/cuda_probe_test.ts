// The bridge's native calls without a GPU, through a stand-in library (tests/_fake_cuda.ts):
// listing devices creates no context; the probe decides from compute capabilities and build
// targets, passes over a busy device and initialises only the device it picks; all work runs on
// one stream of the thread; a training step that allocates and disposes its gradient allocates
// nothing after the first step.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { keptBuffers, liveBuffers } from "../src/gpu/_buffers.ts";
import { isLoaded } from "../src/gpu/_ffi.ts";
import {
  MIN_CAPABILITY,
  parseTargets,
  runnableTarget,
  unsupportedReason,
} from "../src/gpu/_targets.ts";
import {
  awingLossCuda,
  closeCuda,
  cudaDevices,
  CudaError,
  CudaNoDeviceError,
  decodeArgmaxCuda,
  DeviceTensor,
  gaussianHeatmapsCuda,
  isCudaAvailable,
  selectBackend,
} from "../src/gpu/mod.ts";
import { caught } from "./_assert.ts";
import { type FakeDevice, useFakeCuda } from "./_fake_cuda.ts";
import { needs } from "./_permissions.ts";

const FFI = needs("ffi");
const V100: FakeDevice = { name: "Tesla V100-SXM2-16GB", cc: [7, 0] };
const T4: FakeDevice = { name: "Tesla T4", cc: [7, 5] };
const H100: FakeDevice = { name: "NVIDIA H100 80GB HBM3", cc: [9, 0] };
const DEFAULT = "sm_75 sm_80 sm_90 compute_75";
const CONTEXT_FREE = ["awl_device_count", "awl_build_targets", "awl_device_properties"];

/** A test with a stand-in library of these devices, unloaded afterwards. */
function fakeTest(name: string, fn: () => void): void {
  Deno.test({
    name: `${name}${FFI.why}`,
    ignore: FFI.ignore,
    fn(): void {
      closeCuda();
      try {
        fn();
      } finally {
        closeCuda();
      }
      equal(isLoaded(), false);
    },
  });
}

/** The device indices awl_device_init was called with. */
function initialised(calls: { name: string; args: unknown[] }[]): unknown[] {
  return calls.filter((c) => c.name === "awl_device_init").map((c) => c.args[0]);
}

Deno.test("a device is supported by the build targets' compatibility rules", () => {
  const targets = parseTargets(DEFAULT);
  deepEqual(targets.map((t) => t.text), ["sm_75", "sm_80", "sm_90", "compute_75"]);
  const run = (cc: string, text = DEFAULT): string | undefined => {
    const [major, minor] = cc.split(".").map(Number) as [number, number];
    return runnableTarget(parseTargets(text), major, minor)?.text;
  };
  equal(run("7.0"), undefined);
  equal(run("7.5"), "sm_75");
  equal(run("8.0"), "sm_80");
  equal(run("8.6"), "sm_80"); // machine code runs on later minor versions of its major
  equal(run("8.9"), "sm_80");
  equal(run("9.0"), "sm_90");
  equal(run("10.0"), "compute_75"); // PTX, compiled by the driver
  equal(run("12.0"), "compute_75");
  equal(run("9.0", "sm_89"), undefined); // a --arch sm_89 build
  equal(run("8.9", "sm_89"), "sm_89");
  equal(run("8.6", "sm_89"), undefined);
  equal(run("9.0", "sm_90a"), "sm_90a");
  equal(run("9.1", "sm_90a"), undefined); // architecture-specific code: exactly 9.0
  equal(run("8.6", "compute_80"), "compute_80");
  equal(run("7.5", "compute_80"), undefined);
  equal(MIN_CAPABILITY, "7.5");

  match(unsupportedReason(7, 0, 0, DEFAULT)!, /^compute capability 7\.0 is below 7\.5/);
  match(unsupportedReason(6, 1, 0, "")!, /^compute capability 6\.1 is below 7\.5, the oldest/);
  equal(unsupportedReason(7, 5, 0, DEFAULT), undefined);
  equal(unsupportedReason(9, 0, 3, DEFAULT), undefined); // exclusive-process: maybe free
  equal(unsupportedReason(9, 0, 0, ""), undefined); // targets unrecorded: the floor only
  match(
    unsupportedReason(9, 0, 0, "sm_89")!,
    /^the library has no code for compute capability 9\.0 \(it carries sm_89 machine code\): rebuild/,
  );
  match(unsupportedReason(9, 0, 2, DEFAULT)!, /compute mode is "prohibited"/);
});

fakeTest("listing devices makes only calls that create no context", () => {
  const fake = useFakeCuda([V100, T4, H100, { ...H100, computeMode: 2 }]);
  const devices = cudaDevices();
  deepEqual(devices.map((d) => [d.index, d.name, d.computeCapability, d.supported]), [
    [0, V100.name, "7.0", false],
    [1, T4.name, "7.5", true],
    [2, H100.name, "9.0", true],
    [3, H100.name, "9.0", false],
  ]);
  match(
    devices[0]!.unsupportedReason!,
    /^compute capability 7\.0 is below 7\.5, the oldest the library supports \(it carries sm_75, sm_80, sm_90 machine code and compute_75 PTX\)$/,
  );
  equal(devices[1]!.unsupportedReason, undefined);
  deepEqual(devices.map((d) => d.computeMode), ["default", "default", "default", "prohibited"]);
  equal(devices[2]!.totalMemory, 2 ** 40);
  // no cudaSetDevice, no memory query, no stream, no allocation: nothing creates a context
  deepEqual([...new Set(fake.calls.map((c) => c.name))].sort(), [...CONTEXT_FREE].sort());
  deepEqual(fake.of("awl_device_properties").map((c) => c.args[0]), [0, 1, 2, 3]);
});

fakeTest("the probe passes over a GPU below 7.5 and initialises only the one it picks", () => {
  const fake = useFakeCuda([V100, T4, H100]);
  using backend = selectBackend();
  equal(backend.name, "cuda");
  equal(backend.device, 1);
  equal(
    backend.reason,
    "CUDA device 1: Tesla T4 (1024.0 GiB, compute capability 7.5, sm_75 machine code), " +
      "auto-selected; passed over device 0 (Tesla V100-SXM2-16GB, compute capability 7.0): " +
      "compute capability 7.0 is below 7.5, the oldest the library supports (it carries sm_75, " +
      "sm_80, sm_90 machine code and compute_75 PTX)",
  );
  deepEqual(initialised(fake.calls), [1]);
  ok(isCudaAvailable());
  deepEqual(initialised(fake.calls), [1, 1]);
  using h100 = selectBackend({ backend: "cuda", device: 2 });
  equal(h100.device, 2);
  match(h100.reason, /^CUDA device 2: NVIDIA H100 80GB HBM3 \(.*, sm_90 machine code\)$/);
  deepEqual(initialised(fake.calls), [1, 1, 2]);
  throws(() => selectBackend({ backend: "cuda", device: 3 }), RangeError);
  const v100 = caught(() => selectBackend({ backend: "cuda", device: 0 }), CudaNoDeviceError);
  match(v100.message, /^Cannot select a backend: no CUDA device the library can use: device 0 /);
  match(v100.message, /compute capability 7\.0 is below 7\.5/);
  equal(v100.status, "AWL_ERR_NO_DEVICE");
  const auto0 = selectBackend({ device: 0 });
  equal(auto0.name, "wasm");
  match(auto0.reason, /^no CUDA device the library can use: device 0 .* below 7\.5.*; using WASM$/);
  equal(selectBackend({ device: 5 }).reason, "CUDA device 5 does not exist (3 found); using WASM");
  deepEqual(initialised(fake.calls), [1, 1, 2]); // the V100 was never initialised
});

fakeTest("a GPU of compute capability 7.0 alone: WASM with the reason, no context", () => {
  const fake = useFakeCuda([V100]);
  equal(isCudaAvailable(), false);
  equal(isLoaded(), true); // the stand-in was installed by the test: the probe leaves it
  const backend = selectBackend({ backend: "auto" });
  equal(backend.name, "wasm");
  equal(
    backend.reason,
    "no CUDA device the library can use: device 0 (Tesla V100-SXM2-16GB, compute capability " +
      "7.0): compute capability 7.0 is below 7.5, the oldest the library supports (it carries " +
      "sm_75, sm_80, sm_90 machine code and compute_75 PTX); using WASM",
  );
  throws(() => selectBackend({ backend: "cuda" }), CudaNoDeviceError);
  deepEqual(initialised(fake.calls), []);
  deepEqual([...new Set(fake.calls.map((c) => c.name))].sort(), [...CONTEXT_FREE].sort());
});

fakeTest("a busy GPU is passed over for a free one, and named when it was asked for", () => {
  const fake = useFakeCuda([{ ...H100, computeMode: 3, busy: true }, H100]);
  using backend = selectBackend();
  equal(backend.device, 1);
  match(
    backend.reason,
    /auto-selected; passed over device 0 \(NVIDIA H100 80GB HBM3, compute capability 9\.0\) cannot be used: cudaSetDevice\(device\) failed: cudaErrorDevicesUnavailable: /,
  );
  deepEqual(initialised(fake.calls), [0, 1]);
  ok(isCudaAvailable());
  const asked = selectBackend({ device: 0 });
  equal(asked.name, "wasm");
  match(asked.reason, /^no CUDA device the library can use: device 0 .* busy or unavailable/);
  const error = caught(() => selectBackend({ backend: "cuda", device: 0 }), CudaNoDeviceError);
  match(error.message, /cudaErrorDevicesUnavailable/);
  const listed = cudaDevices();
  equal(listed[0]!.computeMode, "exclusive-process");
  equal(listed[0]!.supported, true); // whether it is free is known only by using it
});

fakeTest("a GPU with no machine code runs the PTX, and a build for another GPU is refused", () => {
  useFakeCuda([{ name: "NVIDIA B200", cc: [10, 0], code: [100, 75] }]);
  using b200 = selectBackend();
  match(
    b200.reason,
    /compute capability 10\.0, compute_75 PTX compiled by the driver for sm_100\)/,
  );
  closeCuda();
  useFakeCuda([H100], "sm_89");
  const refused = selectBackend();
  equal(refused.name, "wasm");
  match(refused.reason, /the library has no code for compute capability 9\.0 \(it carries sm_89/);
  closeCuda();
  useFakeCuda([H100], ""); // a build that did not record its targets: the device decides
  equal(selectBackend().name, "cuda");
});

fakeTest("no device, or a failure while listing: WASM with the reason", () => {
  useFakeCuda([]);
  const backend = selectBackend();
  equal(backend.name, "wasm");
  equal(
    backend.reason,
    "no CUDA device (cudaGetDeviceCount reported 0 devices (fake)); using WASM",
  );
  closeCuda();
  useFakeCuda([{ ...H100, name: "" }]); // the stand-in fails the properties of a nameless device
  equal(isCudaAvailable(), false);
  match(selectBackend().reason, /^CUDA failed while listing devices \(.*\); using WASM$/);
  throws(() => selectBackend({ backend: "cuda" }), CudaError);
});

fakeTest("all work of a thread runs on its one stream, never the legacy default stream", () => {
  const fake = useFakeCuda([H100]);
  const shape = [1, 2, 8, 8] as const;
  {
    using p = DeviceTensor.from(new Float32Array(128), shape);
    using t = DeviceTensor.from(new Float32Array(128), shape);
    awingLossCuda(p, t, { gradient: false });
    using lm = DeviceTensor.from(new Float32Array(4), [1, 2, 2]);
    using hm = gaussianHeatmapsCuda(lm, { shape: [...shape] });
    const decoded = decodeArgmaxCuda(hm);
    decoded.landmarks.dispose();
    decoded.confidence.dispose();
    hm.download();
  }
  equal(fake.streams.length, 1);
  const stream = fake.streams[0];
  // every call that takes a stream (device, stream last) got the thread's stream
  const streamed = fake.calls.filter((c) =>
    ["awl_copy_htod", "awl_copy_dtoh", "awl_awing", "awl_gaussian", "awl_argmax"].includes(c.name)
  );
  ok(streamed.length >= 8, `${streamed.length} calls`);
  for (const c of streamed) {
    deepEqual(c.args.slice(-2), [0, stream], `${c.name} runs on the thread's stream`);
  }
  closeCuda();
  deepEqual(fake.of("awl_stream_destroy").map((c) => c.args), [[0, stream]]);
});

fakeTest(
  "a step that allocates and disposes its gradient allocates nothing after the first",
  () => {
    const fake = useFakeCuda([H100]);
    const shape = [2, 3, 16, 16] as const;
    const size = 2 * 3 * 16 * 16;
    using p = DeviceTensor.from(new Float32Array(size), shape);
    using t = DeviceTensor.from(new Float32Array(size), shape);
    for (let step = 0; step < 5; step++) {
      const { grad } = awingLossCuda(p, t);
      grad.dispose();
    }
    // pred, target, the first gradient and the workspace; no free, no zero fill
    deepEqual(fake.of("awl_buffer_alloc").map((c) => c.args[0]), [
      BigInt(4 * size),
      BigInt(4 * size),
      BigInt(4 * size),
      1024n,
    ]);
    equal(fake.of("awl_buffer_free").length, 0);
    equal(fake.of("awl_buffer_zero").length, 0); // uploads and kernels overwrite them whole
    equal(fake.of("awl_awing").length, 5);
    equal(keptBuffers(), 1);
    // a new tensor is zero-filled on the thread's stream, in a kept allocation of its size
    using zeros = new DeviceTensor([...shape]);
    equal(fake.of("awl_buffer_alloc").length, 4);
    deepEqual(fake.of("awl_buffer_zero").map((c) => c.args.slice(1)), [
      [0n, BigInt(4 * size), 0, fake.streams[0]],
    ]);
    equal(keptBuffers(), 0);
    equal(zeros.size, size);
  },
);

fakeTest(
  "kept allocations: at most 8 a device, freed by closeCuda and when memory runs out",
  () => {
    const fake = useFakeCuda([{ ...H100, memory: 4096 }]);
    const tensors = Array.from({ length: 10 }, (_, i) => new DeviceTensor([i + 1]));
    for (const t of tensors) t.dispose();
    equal(keptBuffers(), 8);
    equal(fake.of("awl_buffer_free").length, 2); // the two oldest
    equal(fake.allocated.get(0), (3 + 4 + 5 + 6 + 7 + 8 + 9 + 10) * 4);
    // 3900 bytes do not fit beside the kept 208: they are freed and the allocation retried
    using big = new DeviceTensor([975]);
    equal(keptBuffers(), 0);
    equal(fake.allocated.get(0), 3900);
    equal(liveBuffers(), 1);
    closeCuda();
    equal(fake.allocated.get(0), 0);
    equal(big.disposed, true);
  },
);
