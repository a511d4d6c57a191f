/**
 * Benchmark of the fused AWing kernel (loss + gradient + weighted loss map) on a CUDA device,
 * on the peers' data (`../shared/peers/README.md`: fmix32-derived target = u^8 and
 * pred = target + 0.1 (v - 0.5), shape N x K x H x H, mean reduction, W = 10, threshold 0.2),
 * so that its loss and first gradient element can be checked against the PyTorch peer.
 *
 * Per shape it prints one JSON line:
 * - `kernel_ms`: GPU time per call from CUDA events around a batch of back-to-back launches
 *   through FFI (both kernels: the fused pass and the fixed-order reduction), best batch of 5;
 * - `mpix_per_s`, `gb_per_s` (12 bytes per pixel: read pred and target, write grad) and
 *   `frac_peak` of `--peak-tbps` (H200: about 4.8 TB/s);
 * - `call_ms`: wall-clock time of one whole `awingLossCuda` call (checks, launch, copying the
 *   24-byte result back, which synchronises), best of `--reps`;
 * - `argmax_ms`: GPU time of argmax decoding of the predictions (both kernels when the maps are
 *   split across blocks), measured as `kernel_ms`;
 * - `wasm_ms`: one call of the WASM `awingLoss` on the same data, for scale (`--no-wasm` skips);
 * - `loss` and `grad0`, comparable with the peers' output.
 *
 * Usage: `deno run --allow-read --allow-ffi --allow-env scripts/gpu_bench.ts
 * [--reps 50] [--peak-tbps 4.8] [--no-wasm] [8x68x64x64 ...]`
 *
 * @module
 */
import { AWING_DEFAULTS } from "../src/_awing_defaults.ts";
import { CliError, numberFlag, parseCli, runCli, UsageError } from "./_cli.ts";
import { awingLoss } from "../src/loss/awing_loss.ts";
import type { Shape4 } from "../src/types.ts";
import { deviceStream, ownedBuffer, scratchBuffer, workspaceBuffer } from "../src/gpu/_buffers.ts";
import { ffi, unwrap } from "../src/gpu/_ffi.ts";
import { awingLossCuda, closeCuda, cudaDevices, DeviceTensor } from "../src/gpu/mod.ts";
import { peerData } from "./_random.ts";

const DEFAULT_SHAPES = ["8x68x64x64", "8x98x64x64", "64x98x64x64"];

function parseShape(text: string): Shape4 {
  const dims = text.split("x").map(Number);
  if (dims.length !== 4 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new TypeError(`Cannot parse shape "${text}": expected N x K x H x W, e.g. 8x68x64x64`);
  }
  return dims as unknown as Shape4;
}

const HELP = `Usage: deno task bench:gpu [--reps 50] [--peak-tbps 4.8] [--no-wasm] [NxKxHxW ...]

The fused AWing kernel on a CUDA device: GPU time, Mpix/s, GB/s and the fraction of the
peak memory bandwidth (12 bytes a pixel), and the GPU time of argmax decoding, one JSON line
per shape (default ${DEFAULT_SHAPES.join(" ")}). Needs deno task build:cuda and a GPU.

Options:
  --reps N             timed calls per shape, best kept (default 50)
  --peak-tbps T        the device's peak memory bandwidth in TB/s (default 4.8, H200)
  --no-wasm            skip the WASM call for scale
  -h, --help           print this help
`;

function main(args: string[]): number {
  const cli = parseCli(
    args,
    {
      reps: { type: "string" },
      "peak-tbps": { type: "string" },
      "no-wasm": { type: "boolean", default: false },
    },
    HELP,
    true,
  );
  if (cli === undefined) return 0;
  const { values, positionals } = cli;
  const reps = numberFlag(values, "reps", { integer: true, min: 1 }) ?? 50;
  const peak = (numberFlag(values, "peak-tbps", { above: 0 }) ?? 4.8) * 1e12;
  for (const text of positionals) {
    try {
      parseShape(text);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const device = 0;
  const info = cudaDevices()[device];
  if (info === undefined) throw new CliError("no CUDA device");
  if (!info.supported) {
    throw new CliError(`CUDA device 0 (${info.name}): ${info.unsupportedReason}`);
  }
  console.error(`gpu_bench: ${info.name}, ${(info.totalMemory / 2 ** 30).toFixed(1)} GiB`);
  const symbols = ffi();
  const timer = new BigUint64Array(1);
  unwrap(symbols.awl_timer_create(timer, device), "create a timer");
  const timerHandle = Deno.UnsafePointer.create(timer[0]!);
  const ms = new Float32Array(1);
  // the stream every call of this thread uses: the events time the same work
  const stream = deviceStream(device, "bench");
  /** GPU time of one launch: back-to-back launches between two events, best batch of 5. */
  const kernelTime = (launch: () => void): number => {
    let best = Infinity;
    for (let batch = 0; batch < 5; batch++) {
      unwrap(symbols.awl_timer_start(timerHandle, stream), "start the timer");
      for (let r = 0; r < reps; r++) launch();
      unwrap(symbols.awl_timer_stop(timerHandle, stream, ms), "stop the timer");
      best = Math.min(best, ms[0]! / reps);
    }
    return best;
  };
  try {
    for (const text of positionals.length ? positionals : DEFAULT_SHAPES) {
      const shape = parseShape(text);
      const [n, k, h, w] = shape;
      const size = n * k * h * w;
      const { pred, target } = peerData(size);
      using p = DeviceTensor.from(pred, shape);
      using t = DeviceTensor.from(target, shape);
      using grad = new DeviceTensor(shape);
      // warm-up and the result to compare with the peers
      const first = awingLossCuda(p, t, { out: { grad } });
      const grad0 = grad.download()[0];
      let callMs = Infinity;
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        awingLossCuda(p, t, { out: { grad } });
        callMs = Math.min(callMs, performance.now() - t0);
      }
      // kernel time: back-to-back launches between two events
      const wsBytes = new BigUint64Array(1);
      unwrap(symbols.awl_awing_workspace_bytes(n, k, h, w, wsBytes), "size the workspace");
      const ws = scratchBuffer(device, "awing-workspace", Number(wsBytes[0]), "bench");
      const args = [
        ownedBuffer(p, "pred", "bench").handle,
        ownedBuffer(t, "target", "bench").handle,
        null,
        ownedBuffer(grad, "grad", "bench").handle,
        null,
        ws.handle,
      ] as const;
      const kernelMs = kernelTime(() =>
        unwrap(
          symbols.awl_awing(
            ...args,
            n,
            k,
            h,
            w,
            AWING_DEFAULTS.alpha,
            AWING_DEFAULTS.omega,
            AWING_DEFAULTS.epsilon,
            AWING_DEFAULTS.theta,
            AWING_DEFAULTS.mapWeight,
            AWING_DEFAULTS.mapThreshold,
            1 / size,
            device,
            stream,
          ),
          "launch",
        )
      );
      // argmax decoding of the predictions (both kernels when a map is split)
      using landmarks = new DeviceTensor([n, k, 2]);
      using confidence = new DeviceTensor([n, k]);
      const argmaxWs = workspaceBuffer(
        device,
        "argmax-workspace",
        (bytes) => symbols.awl_argmax_workspace_bytes(n, k, h, w, bytes),
        "bench",
      );
      const argmaxMs = kernelTime(() =>
        unwrap(
          symbols.awl_argmax(
            args[0],
            ownedBuffer(landmarks, "landmarks", "bench").handle,
            ownedBuffer(confidence, "confidence", "bench").handle,
            argmaxWs?.handle ?? null,
            n,
            k,
            h,
            w,
            device,
            stream,
          ),
          "launch",
        )
      );
      let wasmMs: number | undefined;
      if (!values["no-wasm"]) {
        awingLoss(pred, target, { shape });
        const t0 = performance.now();
        awingLoss(pred, target, { shape });
        wasmMs = performance.now() - t0;
      }
      const seconds = kernelMs / 1000;
      console.log(JSON.stringify({
        impl: "awing-cuda",
        device: info.name,
        shape,
        pixels: size,
        kernel_ms: Number(kernelMs.toFixed(4)),
        mpix_per_s: Number((size / seconds / 1e6).toFixed(1)),
        gb_per_s: Number((12 * size / seconds / 1e9).toFixed(1)),
        frac_peak: Number((12 * size / seconds / peak).toFixed(3)),
        call_ms: Number(callMs.toFixed(4)),
        argmax_ms: Number(argmaxMs.toFixed(4)),
        wasm_ms: wasmMs === undefined ? undefined : Number(wasmMs.toFixed(2)),
        loss: Number(first.loss.toFixed(6)),
        grad0,
      }));
    }
  } finally {
    symbols.awl_timer_destroy(timerHandle);
    closeCuda();
  }
  return 0;
}

if (import.meta.main) await runCli("bench:gpu", () => main(Deno.args));
