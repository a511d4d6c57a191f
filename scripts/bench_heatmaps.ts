/**
 * Benchmark of target generation and decoding on 8 x 98 x 64 x 64 heatmaps, in megapixels
 * per second (output pixels for generation, input pixels for decoding): the WASM SIMD core
 * against plain TypeScript loops, and generation against the plain memory-write speed of
 * `Float32Array.fill` over the same size. `benchHeatmaps()` is called by `scripts/bench.ts`;
 * run this file alone for a table: `deno run scripts/bench_heatmaps.ts [--json]`.
 *
 * @module
 */
import { runCli } from "./_cli.ts";
import { benchMain } from "./_bench_cli.ts";
import { gaussianHeatmaps } from "../src/heatmap/gaussian_heatmaps.ts";
import { boundaryHeatmaps } from "../src/heatmap/boundary_heatmaps.ts";
import { decodeArgmax } from "../src/decode/decode_argmax.ts";
import { decodeDark } from "../src/decode/decode_dark.ts";
import { decodeSoftArgmax } from "../src/decode/decode_soft_argmax.ts";
import { Rng } from "../src/data/_rng.ts";
import { darkStep } from "../src/decode/_dark_step.ts";

/** One measured implementation. */
export interface HeatmapBenchRow {
  /** What ran, e.g. `"generate 3sigma: WASM SIMD"`. */
  name: string;
  /** Megapixels per second (N*K*H*W pixels per call / median time). */
  mpixPerS: number;
  /** Median milliseconds per call. */
  ms: number;
}

const N = 8, K = 98, H = 64, W = 64;
const SIZE = N * K * H * W;

/** Median time of `fn` in ms over at least `reps` runs and 300 ms, after two warm-up runs. */
function time(fn: () => unknown, reps: number): number {
  fn();
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps || performance.now() - start < 300) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    if (times.length >= 200) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

// Plain TypeScript: zero the output, then exp per pixel in each landmark's 3 sigma square.
function tsGaussian(lm: Float32Array, out: Float32Array, sigma: number): void {
  out.fill(0);
  const r = 3 * sigma;
  for (let c = 0; c < N * K; c++) {
    const x = lm[2 * c]!, y = lm[2 * c + 1]!;
    const j0 = Math.max(0, Math.ceil(x - r)), j1 = Math.min(W - 1, Math.floor(x + r));
    const i0 = Math.max(0, Math.ceil(y - r)), i1 = Math.min(H - 1, Math.floor(y + r));
    const o = c * H * W;
    for (let i = i0; i <= i1; i++) {
      for (let j = j0; j <= j1; j++) {
        out[o + i * W + j] = Math.exp(-((j - x) ** 2 + (i - y) ** 2) / (2 * sigma * sigma));
      }
    }
  }
}

/** Index (within the channel at offset o) and value of the channel's first maximum. */
function peakOf(hm: Float32Array, o: number): [index: number, value: number] {
  let best = hm[o]!, k = 0;
  for (let p = 1; p < H * W; p++) {
    const v = hm[o + p]!;
    if (v > best) {
      best = v;
      k = p;
    }
  }
  return [k, best];
}

function tsArgmax(hm: Float32Array, out: Float32Array): void {
  for (let c = 0; c < N * K; c++) {
    const o = c * H * W;
    const [k] = peakOf(hm, o);
    out[2 * c] = k % W;
    out[2 * c + 1] = (k - (k % W)) / W;
  }
}

// Plain TypeScript DARK: argmax, separable 5-tap binomial blur (zero padding), Taylor step.
function tsDark(hm: Float32Array, out: Float32Array): void {
  const kern = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
  const tmp = new Float64Array(H * W), blur = new Float64Array(H * W);
  for (let c = 0; c < N * K; c++) {
    const o = c * H * W;
    const [k, best] = peakOf(hm, o);
    const x = k % W, y = (k - x) / W;
    let mx = x, my = y;
    if (x > 1 && x < W - 2 && y > 1 && y < H - 2) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          let s = 0;
          for (let t = -2; t <= 2; t++) {
            const jj = j + t;
            if (jj >= 0 && jj < W) s += kern[t + 2]! * hm[o + i * W + jj]!;
          }
          tmp[i * W + j] = s;
        }
      }
      let peak = -Infinity;
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          let s = 0;
          for (let t = -2; t <= 2; t++) {
            const ii = i + t;
            if (ii >= 0 && ii < H) s += kern[t + 2]! * tmp[ii * W + j]!;
          }
          blur[i * W + j] = s;
          if (s > peak) peak = s;
        }
      }
      const scale = best / peak;
      const D = (di: number, dj: number): number =>
        Math.log(Math.max(blur[(y + di) * W + x + dj]! * scale, 1e-10));
      [mx, my] = darkStep(D, x, y);
    }
    out[2 * c] = mx;
    out[2 * c + 1] = my;
  }
}

// Plain TypeScript DARK with the same shortcut as decodeDark: blur only the 5 x 5 block around
// the maximum (the rescaling only shifts ln h', so it is skipped when no value nears 1e-10).
function tsDarkBlock(hm: Float32Array, out: Float32Array): void {
  const kern = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
  const rows = new Float64Array(9 * 5), blk = new Float64Array(25);
  for (let c = 0; c < N * K; c++) {
    const o = c * H * W;
    const [k] = peakOf(hm, o);
    const x = k % W, y = (k - x) / W;
    let mx = x, my = y;
    if (x > 1 && x < W - 2 && y > 1 && y < H - 2) {
      for (let a = 0; a < 9; a++) {
        const i = y - 4 + a;
        for (let b = 0; b < 5; b++) {
          let s = 0;
          if (i >= 0 && i < H) {
            for (let t = 0; t < 5; t++) {
              const j = x - 4 + b + t;
              if (j >= 0 && j < W) s += kern[t]! * hm[o + i * W + j]!;
            }
          }
          rows[a * 5 + b] = s;
        }
      }
      for (let a = 0; a < 5; a++) {
        for (let b = 0; b < 5; b++) {
          let s = 0;
          for (let t = 0; t < 5; t++) s += kern[t]! * rows[(a + t) * 5 + b]!;
          blk[a * 5 + b] = s;
        }
      }
      const D = (i: number, j: number): number =>
        Math.log(Math.max(blk[(i + 2) * 5 + j + 2]!, 1e-10));
      [mx, my] = darkStep(D, x, y);
    }
    out[2 * c] = mx;
    out[2 * c + 1] = my;
  }
}

function tsSoftArgmax(hm: Float32Array, out: Float32Array): void {
  for (let c = 0; c < N * K; c++) {
    const o = c * H * W;
    let m = -Infinity;
    for (let p = 0; p < H * W; p++) if (hm[o + p]! > m) m = hm[o + p]!;
    let s = 0, sx = 0, sy = 0;
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const e = Math.exp(hm[o + i * W + j]! - m);
        s += e;
        sx += e * j;
        sy += e * i;
      }
    }
    out[2 * c] = sx / s;
    out[2 * c + 1] = sy / s;
  }
}

/**
 * Runs the heatmap benchmarks: generation (fill baseline, WASM 3 sigma / full / official,
 * plain TS) and decoding (argmax, DARK, soft-argmax: WASM against plain TS), plus the boundary
 * heatmaps of 8 faces.
 *
 * @example
 * ```ts ignore
 * import { benchHeatmaps } from "./bench_heatmaps.ts";
 * for (const row of await benchHeatmaps()) console.log(row.name, row.mpixPerS.toFixed(0));
 * ```
 *
 * @param options `reps`: minimum timed runs per row (default 10).
 * @returns One row per implementation, in Mpix/s and ms per call.
 */
export function benchHeatmaps(
  options: { reps?: number | undefined } = {},
): Promise<HeatmapBenchRow[]> {
  const reps = options.reps ?? 10;
  const random = new Rng(42);
  const rand = (): number => random.next();
  const lm = new Float32Array(N * K * 2);
  for (let i = 0; i < lm.length; i++) lm[i] = 4 + rand() * (W - 9);
  const shape = [N, K, H, W] as const;
  const out = new Float32Array(SIZE);
  const coords = new Float32Array(N * K * 2), conf = new Float32Array(N * K);
  const rows: HeatmapBenchRow[] = [];
  const add = (name: string, fn: () => unknown, pixels = SIZE): void => {
    const ms = time(fn, reps);
    rows.push({ name, ms, mpixPerS: pixels / ms / 1e3 });
  };
  add("memory: Float32Array.fill(0)", () => out.fill(0));
  const src = new Float32Array(SIZE);
  add("memory: Float32Array.set (copy)", () => out.set(src));
  add("generate 3sigma: WASM SIMD", () => gaussianHeatmaps(lm, { shape, out }));
  add("generate full: WASM SIMD", () => gaussianHeatmaps(lm, { shape, window: "full", out }));
  add("generate official: WASM SIMD", () => gaussianHeatmaps(lm, { shape, mode: "official", out }));
  add("generate 3sigma: plain TS", () => tsGaussian(lm, out, 1));
  const hm = gaussianHeatmaps(lm, { shape, window: "full" }).heatmaps;
  const o = { landmarks: coords, confidence: conf };
  add("decode argmax: WASM SIMD", () => decodeArgmax(hm, { shape, out: o }));
  add("decode argmax: plain TS", () => tsArgmax(hm, coords));
  add("decode DARK (k 5): WASM SIMD", () => decodeDark(hm, { shape, out: o }));
  add("decode DARK (k 5): plain TS, 5x5 block", () => tsDarkBlock(hm, coords));
  add("decode DARK (k 5): plain TS, whole map", () => tsDark(hm, coords));
  add("decode soft-argmax: WASM SIMD", () => decodeSoftArgmax(hm, { shape, out: o }));
  add("decode soft-argmax: plain TS", () => tsSoftArgmax(hm, coords));
  // boundaries: 8 synthetic faces of 13 arcs of 5 points (radius 4-16 px, a quarter turn
  // each), about the size of a face's curves on a 64 x 64 map
  const bl = new Float32Array(N * 65 * 2);
  for (let f = 0; f < N; f++) {
    for (let g = 0; g < 13; g++) {
      const cx = 16 + rand() * 32, cy = 16 + rand() * 32, rad = 4 + rand() * 12;
      const a0 = rand() * 2 * Math.PI;
      for (let t = 0; t < 5; t++) {
        const a = a0 + (t / 4) * (Math.PI / 2);
        bl[2 * (f * 65 + 5 * g + t)] = cx + rad * Math.cos(a);
        bl[2 * (f * 65 + 5 * g + t) + 1] = cy + rad * Math.sin(a);
      }
    }
  }
  const groups = Array.from({ length: 13 }, (_, g) => [0, 1, 2, 3, 4].map((t) => 5 * g + t));
  add(
    "boundaries 13 x 5 pts (1 channel): TS",
    () => boundaryHeatmaps(bl, { shape: [N, 1, H, W], groups }),
    N * H * W,
  );
  return Promise.resolve(rows);
}

const HELP = `Usage: deno run --allow-read scripts/bench_heatmaps.ts [--reps N] [--json]

Target generation and decoding on ${N}x${K}x${H}x${W}: Mpix/s and ms per call for each encoder
and decoder (also run by deno task bench).

Options:
  --reps N             repetitions per measurement (best kept)
  --json               print the rows as JSON
  -h, --help           print this help
`;

/** The rows as a table: one line a row under a title. */
function table(rows: readonly HeatmapBenchRow[]): string[] {
  return [
    `Heatmaps ${N}x${K}x${H}x${W} (${(SIZE / 1e6).toFixed(2)} Mpix per call)`,
    ...rows.map((r) =>
      `${r.name.padEnd(40)} ${r.mpixPerS.toFixed(0).padStart(7)} Mpix/s ${
        r.ms.toFixed(3).padStart(9)
      } ms`
    ),
  ];
}

if (import.meta.main) {
  await runCli(
    "bench_heatmaps",
    () => benchMain(Deno.args, HELP, (reps) => benchHeatmaps({ reps }), table),
  );
}
