/**
 * Benchmark of the data pipeline (src/data/): drawing a face, building a batch of 16 on the
 * calling thread, how long a training step waits for the Worker's next batch when the step
 * itself takes 1.5 times a batch's preparation, decoding a 640 x 480 JPEG and PNG, and a
 * batch of real images with a warm crop cache. Times are the best of `reps` runs
 * (scripts/_best.ts), waits the median. `benchData()` is called by `scripts/bench.ts`; run
 * this file alone for a table: `deno run --allow-read --allow-write scripts/bench_data.ts`.
 *
 * @module
 */
import { encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import { join } from "node:path";
import { runCli } from "./_cli.ts";
import { benchMain } from "./_bench_cli.ts";
import { applyAffine } from "../src/data/apply_affine.ts";
import { createBatchSource } from "../src/data/create_batch_source.ts";
import { createImageBatchSource } from "../src/data/create_image_batch_source.ts";
import { decodeImage } from "../src/data/decode_image.ts";
import type { FaceSet } from "../src/data/face_set.ts";
import { faceBoxAffine } from "../src/data/face_box_affine.ts";
import { landmarksBox } from "../src/data/landmarks_box.ts";
import { loadRendered300w } from "../src/data/load_rendered_300w.ts";
import { loadPtsFolder } from "../src/data/load_pts_folder.ts";
import { renderFace } from "../src/data/render_face.ts";
import { best } from "./_best.ts";

/** One measurement. */
export interface DataBenchRow {
  /** What ran. */
  name: string;
  /** Best milliseconds per call (the median for waits). */
  ms: number;
}

/** 32 faces of the rendered 300W training split, or synthetic ovals without the data. */
async function faces(): Promise<FaceSet> {
  try {
    const { train } = await loadRendered300w();
    return {
      landmarks: train.landmarks.slice(0, 32 * 136),
      count: 32,
      numPoints: 68,
      sources: train.sources.slice(0, 32),
    };
  } catch {
    const landmarks = new Float64Array(32 * 136);
    for (let i = 0; i < landmarks.length; i += 2) {
      const t = (i / 2 / 68) * 2 * Math.PI;
      landmarks[i] = 200 + 90 * Math.cos(t);
      landmarks[i + 1] = 200 + 110 * Math.sin(t);
    }
    return { landmarks, count: 32, numPoints: 68, sources: [] };
  }
}

/** Runs every measurement; `reps` runs each (median kept). */
export async function benchData(options: { reps?: number } = {}): Promise<DataBenchRow[]> {
  const reps = options.reps ?? 9;
  const set = await faces();
  const rows: DataBenchRow[] = [];
  for (const size of [64, 128]) {
    const crops = Array.from({ length: 8 }, (_, i) => {
      const lm = set.landmarks.subarray(i * 136, (i + 1) * 136);
      return applyAffine(lm, faceBoxAffine({ box: landmarksBox(lm), size }));
    });
    let seed = 0;
    const ms = best(reps, () => {
      for (const lm of crops) renderFace(lm, { size, seed: seed++ });
    });
    rows.push({ name: `renderFace ${size}x${size}`, ms: ms / crops.length });
  }
  for (const [inputSize, heatmapSize] of [[64, 32], [128, 32]] as const) {
    const options = { faces: set, batch: 16, inputSize, heatmapSize, sigma: 1.5 };
    const source = await createBatchSource({ ...options, worker: false });
    let index = 0;
    const batchMs = best(reps, () => source.batchAt(index++));
    source.close();
    rows.push({
      name: `batch of 16 at ${inputSize} (${heatmapSize} map), calling thread`,
      ms: batchMs,
    });
    // A step that computes for 1.5 batch times: how long does next() still wait?
    const worker = await createBatchSource({ ...options, worker: true, prefetch: 2 });
    await worker.next();
    const waits: number[] = [];
    for (let s = 0; s < reps; s++) {
      const end = performance.now() + 1.5 * batchMs;
      while (performance.now() < end) { /* the training step */ }
      const t0 = performance.now();
      await worker.next();
      waits.push(performance.now() - t0);
    }
    worker.close();
    waits.sort((a, b) => a - b);
    rows.push({
      name: `wait for the worker's next batch at ${inputSize}, step = 1.5 batch times`,
      ms: waits[Math.floor(waits.length / 2)]!,
    });
  }
  // Real images: a 640 x 480 photo-like picture, as JPEG (quality 90) and PNG.
  const w = 640, h = 480;
  const rgba = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    const x = p % w, y = Math.floor(p / w);
    rgba.set([(x * 7 + y) & 255, (y * 3) & 255, ((x ^ y) * 5) & 255, 255], 4 * p);
  }
  const jpg = new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba }, 90).data);
  const rgb = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) rgb.set(rgba.subarray(4 * p, 4 * p + 3), 3 * p);
  const png = encodePng({ width: w, height: h, data: rgb, channels: 3 });
  rows.push({ name: "decode JPEG 640x480", ms: best(reps, () => decodeImage(jpg)) });
  rows.push({ name: "decode PNG 640x480", ms: best(reps, () => decodeImage(png)) });
  const dir = await Deno.makeTempDir({ prefix: "awing_bench_" });
  try {
    for (let i = 0; i < 16; i++) {
      await Deno.writeFile(join(dir, `${i}.jpg`), jpg);
      const lm = set.landmarks.subarray(i * 136, (i + 1) * 136);
      const [bx, by, bw, bh] = landmarksBox(lm);
      const k = 300 / Math.max(bw, bh);
      const rows68 = Array.from(
        { length: 68 },
        (_, j) => `${170 + k * (lm[2 * j]! - bx) + 1} ${90 + k * (lm[2 * j + 1]! - by) + 1}`,
      );
      await Deno.writeTextFile(join(dir, `${i}.pts`), `n_points: 68\n{\n${rows68.join("\n")}\n}\n`);
    }
    const images = await loadPtsFolder(dir);
    const source = await createImageBatchSource({
      faces: images,
      batch: 16,
      inputSize: 128,
      heatmapSize: 32,
      worker: false,
    });
    let index = 0;
    source.batchAt(0); // fills the crop cache
    const ms = best(reps, () => source.batchAt(index++));
    source.close();
    rows.push({ name: "image batch of 16 at 128 (640x480 JPEGs, warm cache)", ms });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}

const HELP = `Usage: deno run --allow-read --allow-write scripts/bench_data.ts [--reps N] [--json]

The data pipeline: rendering, batches, the worker's wait, JPEG/PNG decoding, image batches
(also run by deno task bench).

Options:
  --reps N             timed repetitions per row, best kept
  --json               print the rows as JSON
  -h, --help           print this help
`;

if (import.meta.main) {
  await runCli("bench_data", () =>
    benchMain(
      Deno.args,
      HELP,
      (reps) => benchData(reps === undefined ? {} : { reps }),
      (rows) => [
        "| data pipeline | ms |",
        "|---|---:|",
        ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(2)} |`),
      ],
    ));
}
