/**
 * A picture of what the renderer draws: the first faces of a batch of the "rendered 300W"
 * protocol (augmented training samples, or the unaugmented val/test faces), and below them
 * the same images with their landmarks as green dots (the training images never show them).
 *
 * Usage: `deno task faces [--split train|val|test] [--count 8] [--size 128] [--seed 0]
 * [--out out/faces]` writes `rendered_faces.png` into `--out`.
 *
 * @module
 */
import { encode } from "fast-png";
import { join } from "node:path";
import { createBatchSource } from "../src/data/create_batch_source.ts";
import {
  checkOutDir,
  numberFlag,
  parseUsage,
  refuseOverwrite,
  runCli,
  stringFlag,
  UsageError,
  writeOutput,
} from "./_cli.ts";

const HELP = `Usage: deno task faces [--split NAME] [--count N] [--size S] [--seed N] [--out DIR]

Draws the first faces of a batch of the rendered 300W protocol, and below them the same images
with their landmarks as green dots, into DIR/rendered_faces.png. Needs the annotations in
../shared/data/landmarks/.

Options:
  --split NAME         train (augmented, default), val or test
  --count N            faces to draw, 1 to 64 (default 8)
  --size S             image side in pixels, 16 to 1024 (default 128)
  --seed N             seed of the batch (default 0)
  --out DIR            output folder (default: out/faces)
  -h, --help           print this help
`;

async function main(args: string[]): Promise<void> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return;
  const split = stringFlag(cli.values, "split") ?? "train";
  if (split !== "train" && split !== "val" && split !== "test") {
    throw new UsageError(`--split must be train, val or test but it is ${JSON.stringify(split)}`);
  }
  const count = numberFlag(cli.values, "count", { integer: true, min: 1 }) ?? 8;
  const size = numberFlag(cli.values, "size", { integer: true, min: 16 }) ?? 128;
  const seed = numberFlag(cli.values, "seed", { integer: true, min: 0 }) ?? 0;
  if (count > 64 || size > 1024) throw new UsageError("--count is at most 64 and --size 1024");
  const out = stringFlag(cli.values, "out") ?? "out/faces";
  await checkOutDir(out);
  const path = join(out, "rendered_faces.png");
  const source = await createBatchSource({
    split,
    batch: count,
    inputSize: size,
    seed,
    worker: false,
  });
  // the annotation files read ("file.csv:line" per face) are never replaced
  const files = new Set(source.faces.sources.map((s) => s.replace(/:\d+$/, "")));
  await refuseOverwrite([path], [...files]).catch((e) => {
    source.close();
    throw e;
  });
  const batch = source.batchAt(0);
  source.close();
  const gap = 4, w = count * (size + gap) - gap, h = 2 * size + gap;
  const rgb = new Uint8Array(w * h * 3).fill(255);
  for (let n = 0; n < count; n++) {
    for (const row of [0, 1]) {
      const ox = n * (size + gap), oy = row * (size + gap);
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          for (let c = 0; c < 3; c++) {
            const v = batch.images[((n * size + i) * size + j) * 3 + c]!;
            rgb[((oy + i) * w + ox + j) * 3 + c] = Math.round(255 * v);
          }
        }
      }
      if (row === 0) continue;
      for (let k = 0; k < 68; k++) {
        const x = Math.round(batch.landmarks[(n * 68 + k) * 2]!);
        const y = Math.round(batch.landmarks[(n * 68 + k) * 2 + 1]!);
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        rgb.set([0, 255, 0], ((oy + y) * w + ox + x) * 3);
      }
    }
  }
  await writeOutput(path, encode({ width: w, height: h, data: rgb, channels: 3 }));
  console.log(`wrote ${path} (${count} ${split} faces at ${size} px, seed ${seed})`);
}

if (import.meta.main) await runCli("faces", () => main(Deno.args));
