/**
 * Benchmark of a whole training step of the default U-Net (`createHeatmapModel()`: 64x64x3 in,
 * 32x32x68 out, batch 8, Adam) through `trainModel` on the `wasm` backend, with MSE and with
 * AWing + the weighted loss map, against the same network's step in PyTorch on one thread
 * (`../shared/peers/torch_unet_step.py --threads 1`), measured in turns in the same run: each
 * round runs awing's steps, then the peer's, for each loss. Best and median step of each, and
 * their ratio. With `--profile`, the time of every kernel in one awing step (`tf.profile`) and
 * of every op in one PyTorch step (`torch.profiler`).
 *
 * `benchTraining()` is called by `scripts/bench.ts`; run this file alone for the table:
 * `deno run --allow-read --allow-run scripts/bench_train.ts [--rounds N] [--steps N]
 * [--profile] [--json]`.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import { useWasmBackend } from "../src/tfjs/mod.ts";
import { createHeatmapModel } from "../src/train/create_heatmap_model.ts";
import { trainModel } from "../src/train/train_model.ts";
import type { LossName } from "../src/train/types.ts";
import { uniform } from "./_random.ts";
import { runPeer } from "./_peer.ts";
import { numberFlag, parseUsage, runCli, stringFlag } from "./_cli.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BATCH = 8, SIZE = 64, OUT = 32, K = 68;
const LOSSES: readonly { name: LossName; peer: string; label: string }[] = [
  { name: "mse", peer: "mse", label: "MSE" },
  { name: "awing", peer: "awing", label: "AWing + weighted map" },
];

/** One loss' step, awing against the PyTorch peer. */
export interface TrainStepRow {
  loss: string;
  /** Best and median ms of awing's step over every round. */
  awingBestMs: number;
  awingMedianMs: number;
  /** The peer's best step, and the median of its per-process medians; NaN without the peer. */
  torchBestMs: number;
  torchMedianMs: number;
}

/** A kernel's share of one step. */
export interface KernelRow {
  kernel: string;
  ms: number;
  calls: number;
}

/**
 * PyTorch's side of --profile: the peer's U-Net (imported from torch_unet_step.py), 10 steps
 * under torch.profiler after 10 warm-up steps, each op's self CPU time per step, as JSON.
 */
const TORCH_PROFILE = `
import json, sys
sys.path.insert(0, sys.argv[1])
import torch, torch.nn.functional as F
from torch.profiler import profile, ProfilerActivity
from torch_unet_step import UNet, awing
torch.set_num_threads(1); torch.manual_seed(0)
m = UNet(16, 3, 68).train(); opt = torch.optim.Adam(m.parameters(), 1e-3)
x = torch.rand(8, 3, 64, 64); y = torch.rand(8, 68, 32, 32) ** 8
lossf = awing if sys.argv[2] == "awing" else F.mse_loss
def step():
    opt.zero_grad(set_to_none=True); lossf(m(x), y).backward(); opt.step()
for _ in range(10): step()
with profile(activities=[ProfilerActivity.CPU]) as p:
    for _ in range(10): step()
rows = [[e.key, e.self_cpu_time_total / 1e4, e.count / 10] for e in p.key_averages()]
print(json.dumps(sorted(rows, key=lambda r: -r[1])))
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}

/** The per-step times (ms) of `steps` steps of trainModel after 2 warm-up steps. */
async function awingSteps(
  model: ReturnType<typeof createHeatmapModel>,
  loss: LossName,
  steps: number,
  batch: { images: Float32Array; heatmaps: Float32Array },
): Promise<number[]> {
  const ends: number[] = [];
  await trainModel(model, {
    loss,
    steps: steps + 2,
    learningRate: 1e-3,
    source: { next: () => Promise.resolve(batch) },
    onStep: (info) => ends.push(info.seconds * 1000),
  });
  return ends.slice(2).map((t, i) => t - ends[i + 1]!);
}

/**
 * Measures the step of each loss over `rounds` rounds of `steps` steps, awing and the peer in
 * turns; the peer is skipped (NaN, with a note) when `peers` is undefined or it cannot run.
 */
export async function benchTraining(
  options: { rounds?: number; steps?: number; peers?: string | undefined; profile?: boolean } = {},
): Promise<
  {
    rows: TrainStepRow[];
    profile: KernelRow[];
    torchProfile: KernelRow[];
    notes: string[];
    params: number;
  }
> {
  const rounds = options.rounds ?? 3, steps = options.steps ?? 10;
  await useWasmBackend();
  const batch = {
    images: Float32Array.from(uniform(BATCH * SIZE * SIZE * 3, 5)),
    heatmaps: Float32Array.from(uniform(BATCH * OUT * OUT * K, 6), (u) => u ** 8),
  };
  const model = createHeatmapModel();
  const params = model.countParams();
  const notes: string[] = [];
  const rows: TrainStepRow[] = [];
  let python: string | undefined;
  if (options.peers !== undefined) {
    for (const candidate of ["python3", "/usr/bin/python3"]) {
      const r = await runPeer(candidate, ["-c", "import torch"], false);
      if (typeof r !== "string") {
        python = candidate;
        break;
      }
    }
    if (python === undefined) {
      notes.push("torch peer skipped: no python3 with torch (apt-get install -y python3-torch)");
    }
  }
  for (const loss of LOSSES) {
    const ours: number[] = [], torchBest: number[] = [], torchMedian: number[] = [];
    for (let r = 0; r < rounds; r++) {
      ours.push(...await awingSteps(model, loss.name, steps, batch));
      if (python === undefined) continue;
      const script = join(options.peers!, "torch_unet_step.py");
      const args = [script, "--threads", "1", "--loss", loss.peer, "--steps", `${steps}`];
      const peer = await runPeer(python, args);
      if (typeof peer === "string") {
        notes.push(`torch peer failed: ${peer}`);
        python = undefined;
        continue;
      }
      torchBest.push(peer.best_ms as number);
      torchMedian.push(peer.median_ms as number);
    }
    rows.push({
      loss: loss.label,
      awingBestMs: Math.min(...ours),
      awingMedianMs: median(ours),
      torchBestMs: torchBest.length > 0 ? Math.min(...torchBest) : NaN,
      torchMedianMs: median(torchMedian),
    });
  }
  const profile: KernelRow[] = [];
  if (options.profile) {
    const byName = new Map<string, KernelRow>();
    const info = await tf.profile(() => awingSteps(model, "mse", 1, batch).then(() => undefined));
    // the profile covers the 2 warm-up steps too: a third of it is one step
    for (const k of info.kernels) {
      const row = byName.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
      row.ms += (k.kernelTimeMs as number) / 3;
      row.calls += 1 / 3;
      byName.set(k.name, row);
    }
    profile.push(...[...byName.values()].sort((a, b) => b.ms - a.ms));
  }
  const torchProfile: KernelRow[] = [];
  if (options.profile && python !== undefined) {
    const r = await runPeer(python, ["-c", TORCH_PROFILE, options.peers!, "mse"]);
    if (typeof r === "string") notes.push(`torch profile failed: ${r}`);
    else {
      for (const [kernel, ms, calls] of r as unknown as [string, number, number][]) {
        torchProfile.push({ kernel, ms, calls });
      }
    }
  }
  model.dispose();
  return { rows, profile, torchProfile, notes, params };
}

/** The tables as Markdown lines. */
export function trainingTables(
  result: {
    rows: TrainStepRow[];
    profile: KernelRow[];
    torchProfile: KernelRow[];
    notes: string[];
    params: number;
  },
): string[] {
  const lines = [
    `Training step of createHeatmapModel() (${result.params} parameters, batch ${BATCH}, ` +
    `${SIZE}x${SIZE}x3 -> ${OUT}x${OUT}x${K}, Adam): awing (wasm backend, trainModel) against ` +
    "PyTorch on one thread, ms",
    "| loss | awing best | awing median | PyTorch best | PyTorch median | ratio (medians) | ratio (bests) |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.loss} | ${r.awingBestMs.toFixed(1)} | ${r.awingMedianMs.toFixed(1)} | ${
        r.torchBestMs.toFixed(1)
      } | ${r.torchMedianMs.toFixed(1)} | ${(r.awingMedianMs / r.torchMedianMs).toFixed(2)}x | ${
        (r.awingBestMs / r.torchBestMs).toFixed(2)
      }x |`,
    );
  }
  const profileTable = (title: string, rows: KernelRow[]): void => {
    if (rows.length === 0) return;
    const total = rows.reduce((s, r) => s + r.ms, 0);
    lines.push("", title, "| kernel | ms | calls | share |", "|---|---:|---:|---:|");
    for (const r of rows.filter((r) => r.ms >= 0.1)) {
      lines.push(
        `| ${r.kernel} | ${r.ms.toFixed(2)} | ${r.calls.toFixed(0)} | ${
          (100 * r.ms / total).toFixed(1)
        }% |`,
      );
    }
  };
  profileTable(
    "awing's kernels in one MSE step (tf.profile over 3 steps; nested kernels counted in both)",
    result.profile,
  );
  profileTable(
    "PyTorch's ops in one MSE step (torch.profiler, self CPU time)",
    result.torchProfile,
  );
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines;
}

const HELP =
  `Usage: deno run --allow-read --allow-run scripts/bench_train.ts [--rounds N] [--steps N]
                       [--peers DIR] [--no-peers] [--profile] [--json]

A training step of the default U-Net (batch ${BATCH}, ${SIZE}x${SIZE}x3 in, ${OUT}x${OUT}x${K} out, Adam)
through trainModel on the wasm backend, with MSE and with AWing + the weighted map,
against ../shared/peers/torch_unet_step.py on one thread, in turns in the same run.

Options:
  --rounds N           rounds of awing's steps and the peer's, in turns (default 3)
  --steps N            timed steps per round (default 10)
  --peers DIR          folder of the peers (default ../shared/peers)
  --no-peers           measure awing alone
  --profile            add the time of every kernel in one step, awing's and PyTorch's
  --json               print the rows as JSON
  -h, --help           print this help
`;

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const { values } = cli;
  const rounds = numberFlag(values, "rounds", { integer: true, min: 1 }) ?? 3;
  const steps = numberFlag(values, "steps", { integer: true, min: 1 }) ?? 10;
  const peers = values["no-peers"]
    ? undefined
    : stringFlag(values, "peers") ?? join(ROOT, "..", "shared", "peers");
  const result = await benchTraining({ rounds, steps, peers, profile: Boolean(values.profile) });
  console.log(values.json ? JSON.stringify(result) : trainingTables(result).join("\n"));
  return 0;
}

if (import.meta.main) await runCli("bench_train", () => main(Deno.args));
