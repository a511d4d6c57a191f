/**
 * Benchmark: pixels per second for the Adaptive Wing loss + gradient + weighted loss map
 * (paper defaults, mean reduction) on 8x68x64x64 and 8x98x64x64, for the WASM SIMD core (also
 * on the same batch channel-last, `layout: "nhwc"`), a plain scalar TypeScript loop and the
 * float64 reference, side by side with the peers in
 * `../shared/peers/` measured in the same run, one CPU thread each: a native C loop, the
 * hand-vectorised native port of the WASM kernel's math as a 128-bit build without FMA (what
 * WASM SIMD can express) and an AVX2+FMA build (the ceiling), and PyTorch. The strongest peer
 * is named under each table, with the WASM core's ratio to it.
 * Every implementation runs on the peers' data (see their README) and prints its loss and
 * first gradient element, so the numbers check each other.
 *
 * Usage: `deno task bench [--reps 15] [--peer-runs 3] [--sizes 8x68x64,8x98x64] [--no-peers]
 * [--json]`
 *
 * A peer's speed varies much more between processes than between the repetitions inside one
 * (PyTorch's from 4.7 to 17.5 Mpix/s on the development machine), so each peer runs
 * `--peer-runs` times: its best run is the row, the range a note. The WASM rows are measured
 * twice, before and after the peers, best kept.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { awingLoss } from "../src/loss/awing_loss.ts";
import { lossReference } from "../src/reference/loss_reference.ts";
import { peerData } from "./_random.ts";
import { scalarAwing } from "./_scalar_awing.ts";
import { benchData } from "./bench_data.ts";
import { benchHeatmaps } from "./bench_heatmaps.ts";
import { best } from "./_best.ts";
import { numberFlag, parseUsage, runCli, stringFlag, UsageError } from "./_cli.ts";
import { benchTfjs, tfjsTables } from "./bench_tfjs.ts";
import { runPeer } from "./_peer.ts";
import { benchTraining, trainingTables } from "./bench_train.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** One measured implementation. */
export interface BenchRow {
  impl: string;
  shape: number[];
  ms: number;
  mpixPerS: number;
  loss: number;
  grad0: number;
}

/** [N, K, H, W] heatmaps transposed to [N, H, W, K]. */
function toNhwc(
  a: Float32Array,
  [n, k, h, w]: readonly [number, number, number, number],
): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0, j = 0; i < n * k; i++) {
    const image = Math.floor(i / k) * h * w * k, c = i % k;
    for (let p = 0; p < h * w; p++) out[image + p * k + c] = a[j++]!;
  }
  return out;
}

/**
 * Runs a peer `runs` times, each a fresh process: the fastest result, and the range of its
 * speed in a note; or why it failed.
 */
async function bestPeer(
  name: string,
  cmd: string,
  args: string[],
  runs: number,
  notes: string[],
): Promise<Record<string, unknown> | string> {
  let fastest: Record<string, unknown> | undefined;
  const speeds: number[] = [];
  for (let r = 0; r < runs; r++) {
    const result = await runPeer(cmd, args);
    if (typeof result === "string") return result;
    speeds.push(result.mpix_per_s as number);
    if (fastest === undefined || (result.ms as number) < (fastest.ms as number)) fastest = result;
  }
  if (runs > 1) {
    notes.push(
      `${name}: best of ${runs} processes; they ran at ${Math.min(...speeds)}-${
        Math.max(...speeds)
      } Mpix/s`,
    );
  }
  return fastest!;
}

/** A native peer: its source in the peers' folder, its gcc flags, and whether it needs x86. */
interface NativePeer {
  name: string;
  source: string;
  flags: string[];
  x86: boolean;
}

/**
 * The native peers: the plain C loop, and the hand-vectorised port of the WASM kernel's math
 * (`native_simd_awing.c`) as a 128-bit build without FMA (what WASM SIMD can express) and an
 * AVX2+FMA build (the ceiling).
 */
const nativePeers: readonly NativePeer[] = [
  { name: "native-c peer", source: "native_awing.c", flags: ["-ffast-math"], x86: false },
  {
    name: "native-simd128 peer (SSE, no FMA)",
    source: "native_simd_awing.c",
    flags: ["-DVW=4", "-mno-fma", "-mno-avx512f"],
    x86: true,
  },
  {
    name: "native-simd256 peer (AVX2+FMA)",
    source: "native_simd_awing.c",
    flags: ["-DVW=8", "-mno-avx512f"],
    x86: true,
  },
];

/**
 * Builds a native peer with gcc into `dir` and runs it `runs` times (best kept); undefined, with
 * one note saying why, when it cannot be built or run here.
 */
async function nativePeer(
  peer: NativePeer,
  peers: string,
  dir: string,
  args: string[],
  runs: number,
  notes: string[],
): Promise<Record<string, unknown> | undefined> {
  if (peer.x86 && Deno.build.arch !== "x86_64") {
    notes.push(`${peer.name} skipped: it needs an x86-64 CPU, this one is ${Deno.build.arch}`);
    return undefined;
  }
  const exe = join(dir, peer.name.replace(/[^a-z0-9]+/g, "_"));
  const src = join(peers, peer.source);
  const cc = await runPeer(
    "gcc",
    ["-O3", "-march=native", ...peer.flags, "-o", exe, src, "-lm"],
    false,
  );
  if (typeof cc === "string") {
    notes.push(`${peer.name} skipped: gcc could not build it (${cc})`);
    return undefined;
  }
  const r = await bestPeer(peer.name, exe, args, runs, notes);
  if (typeof r === "string") notes.push(`${peer.name} failed: ${r}`);
  return typeof r === "string" ? undefined : r;
}

/** Runs every implementation on one shape; each peer `peerRuns` times (best kept). */
export async function benchShape(
  [n, k, h]: [number, number, number],
  reps: number,
  peers: string | undefined,
  peerRuns = 1,
): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const shape = [n, k, h, h] as const;
  const size = n * k * h * h;
  const { pred, target } = peerData(size);
  const grad = new Float32Array(size);
  // the same batch channel-last [N, H, W, K] (transposed here, once), for the "nhwc" row
  const nhwc = { pred: toNhwc(pred, shape), target: toNhwc(target, shape) };
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const add = (impl: string, ms: number, loss: number, grad0: number): void => {
    rows.push({ impl, shape: [...shape], ms, mpixPerS: size / ms / 1e3, loss, grad0 });
  };
  // a peer's row from its speed, which it prints with more digits than its time
  const addPeer = (impl: string, r: Record<string, unknown>): void => {
    add(impl, size / (r.mpix_per_s as number) / 1e3, r.loss as number, r.grad0 as number);
  };
  let loss = 0;
  // the WASM rows are measured in two windows, before and after the peers, best kept: the
  // peers get several processes, and a burst of load on a shared machine should not decide
  const wasmRows = (): void => {
    for (const variant of ["wasm-simd", "wasm-simd (validate: false)", "wasm-simd, nhwc"]) {
      const validate = variant !== "wasm-simd (validate: false)";
      const ms = variant === "wasm-simd, nhwc"
        ? best(reps, () => {
          loss = awingLoss(nhwc.pred, nhwc.target, {
            shape: [n, h, h, k],
            layout: "nhwc",
            out: { grad },
          }).loss;
        })
        : best(reps, () => {
          loss = awingLoss(pred, target, { shape, out: { grad }, validate }).loss;
        });
      const impl = variant;
      const row = rows.find((r) => r.impl === impl);
      if (row === undefined) add(impl, ms, loss, grad[0]!);
      else if (ms < row.ms) Object.assign(row, { ms, mpixPerS: size / ms / 1e3 });
    }
  };
  wasmRows();
  let ms = best(Math.min(reps, 5), () => {
    loss = scalarAwing(pred, target, shape, grad);
  });
  add("typescript-scalar", ms, loss, grad[0]!);
  let ref: { loss: number; grad: Float64Array } | undefined;
  ms = best(1, () => {
    ref = lossReference(pred, target, { shape });
  });
  add("f64-reference", ms, ref!.loss, ref!.grad[0]!);

  if (peers !== undefined) {
    const dir = await Deno.makeTempDir();
    try {
      for (const peer of nativePeers) {
        const r = await nativePeer(peer, peers, dir, [`${n}`, `${k}`, `${h}`], peerRuns, notes);
        if (r !== undefined) addPeer(peer.name, r);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    // the first Python that has torch: python3 on PATH, else Debian's (python3-torch)
    let py: Record<string, unknown> | string = "no python3";
    for (const python of ["python3", "/usr/bin/python3"]) {
      const args = [join(peers, "torch_awing.py"), `${n}`, `${k}`, `${h}`, "1"];
      py = await bestPeer("torch-cpu peer", python, args, peerRuns, notes);
      if (typeof py !== "string") break;
    }
    if (typeof py === "string") notes.push(`torch peer unavailable: ${py}`);
    else addPeer("torch-cpu peer (1 thread)", py);
  }
  wasmRows();
  return { rows, notes };
}

const HELP = `Usage: deno task bench [--reps N] [--peer-runs N] [--sizes NxKxH,...] [--peers DIR]
                       [--no-peers] [--no-heatmaps] [--no-tfjs] [--no-train] [--no-data]
                       [--profile] [--json]

Pixels per second for AWing loss + gradient + weight map (paper defaults, mean), WASM
SIMD vs a scalar TypeScript loop vs the f64 reference vs the peers in --peers
(default ../shared/peers: native C with gcc -O3 -march=native -ffast-math; the native
SIMD port of the kernel's math, 128-bit without FMA and AVX2+FMA, x86-64 only; PyTorch
CPU via python3). One thread everywhere; ratios are from this same run, and the
strongest peer is named under each table.
Each peer runs --peer-runs times (default 3) as fresh processes, best kept: their
speed varies much more between processes than inside one. The WASM rows are
measured before and after the peers, best kept.
Then target generation and decoding (scripts/bench_heatmaps.ts), and the TensorFlow.js
losses and a U-Net training step (scripts/bench_tfjs.ts), the default U-Net's training
step against PyTorch's on one thread (scripts/bench_train.ts), and the data pipeline:
rendering, batches, the worker's wait, image decoding (scripts/bench_data.ts).

Options:
  --reps N             timed repetitions per row (default 15)
  --peer-runs N        runs of each peer process (default 3)
  --sizes LIST         shapes NxKxH (H = W), comma-separated (default 8x68x64,8x98x64)
  --peers DIR          folder of the peers (default ../shared/peers)
  --no-peers           measure awing alone
  --no-heatmaps        skip targets and decoding
  --no-tfjs            skip the TensorFlow.js rows
  --no-train           skip the training step against PyTorch's
  --profile            add the time of every kernel in one training step
  --no-data            skip the data pipeline rows
  --json               print the rows as JSON
  -h, --help           print this help
`;

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const { values } = cli;
  const reps = numberFlag(values, "reps", { integer: true, min: 1 }) ?? 15;
  const peerRuns = numberFlag(values, "peer-runs", { integer: true, min: 1 }) ?? 3;
  const shapes = (stringFlag(values, "sizes") ?? "8x68x64,8x98x64").split(",").map((spec) => {
    const dims = spec.split("x").map(Number);
    if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw new UsageError(
        `--sizes must list shapes NxKxH such as 8x68x64, not ${JSON.stringify(spec)}`,
      );
    }
    return dims as [number, number, number];
  });
  let peers: string | undefined = values["no-peers"]
    ? undefined
    : stringFlag(values, "peers") ?? join(ROOT, "..", "shared", "peers");
  if (peers !== undefined) {
    try {
      await Deno.stat(join(peers, "native_awing.c"));
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) throw e;
      console.error(`Peers not found in ${peers}; measuring awing alone`);
      peers = undefined;
    }
  }
  const all: BenchRow[] = [];
  for (const [n, k, h] of shapes) {
    const { rows, notes } = await benchShape([n, k, h], reps, peers, peerRuns);
    all.push(...rows);
    if (values.json) continue;
    const wasm = rows[0]!.mpixPerS;
    console.log(`\nAWing loss + gradient + weight map, ${n}x${k}x${h}x${h} (${n * k * h * h} px)`);
    console.log(
      "| implementation | ms | Mpix/s | WASM speed-up | loss | grad[0] |\n|---|---:|---:|---:|---:|---:|",
    );
    for (const r of rows) {
      console.log(
        `| ${r.impl} | ${r.ms.toFixed(2)} | ${r.mpixPerS.toFixed(1)} | ${
          (wasm / r.mpixPerS).toFixed(2)
        }x | ${r.loss.toFixed(6)} | ${r.grad0.toExponential(6)} |`,
      );
    }
    const peerRows = rows.filter((r) => r.impl.includes("peer"));
    if (peerRows.length > 0) {
      const top = peerRows.reduce((a, b) => (b.mpixPerS > a.mpixPerS ? b : a));
      console.log(
        `strongest peer: ${top.impl}, ${top.mpixPerS.toFixed(1)} Mpix/s; ${rows[0]!.impl} at ${
          (wasm / top.mpixPerS).toFixed(2)
        }x it`,
      );
    }
    for (const note of notes) console.log(`note: ${note}`);
  }
  const heatmapRows = values["no-heatmaps"] ? [] : await benchHeatmaps({ reps });
  if (!values.json && heatmapRows.length > 0) {
    console.log("\nTargets and decoding, 8x98x64x64\n| what | ms | Mpix/s |\n|---|---:|---:|");
    for (const r of heatmapRows) {
      console.log(`| ${r.name} | ${r.ms.toFixed(2)} | ${r.mpixPerS.toFixed(0)} |`);
    }
  }
  const tfjs = values["no-tfjs"] ? undefined : await benchTfjs({ reps: Math.min(reps, 5) });
  const train = values["no-train"] ? undefined : await benchTraining({
    peers,
    profile: Boolean(values.profile),
  });
  const data = values["no-data"] ? [] : await benchData({ reps: Math.min(reps, 9) });
  if (values.json) {
    console.log(JSON.stringify({ loss: all, heatmaps: heatmapRows, tfjs, train, data }));
  } else {
    if (tfjs) console.log(["", ...tfjsTables(tfjs)].join("\n"));
    if (train) console.log(["", ...trainingTables(train)].join("\n"));
    if (data.length > 0) console.log("\n| data pipeline | ms |\n|---|---:|");
    for (const r of data) console.log(`| ${r.name} | ${r.ms.toFixed(2)} |`);
  }
  return 0;
}

if (import.meta.main) await runCli("bench", () => main(Deno.args));
