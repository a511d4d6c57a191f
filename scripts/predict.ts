/**
 * Runs a trained heatmap network on a folder of face images and writes the landmarks.
 *
 * Usage: `deno task predict --checkpoint DIR --images DIR [--out out/predict]`; `--help`.
 *
 * @module
 */
import { basename, extname, join } from "node:path";
import { landmarksBox } from "../src/data/landmarks_box.ts";
import { decodeImage } from "../src/data/decode_image.ts";
import type { RasterImage } from "../src/data/types.ts";
import { parsePts } from "../src/layouts/parse_pts.ts";
import { useWasmBackend } from "../src/tfjs/use_wasm_backend.ts";
import { loadCheckpoint } from "../src/train/load_checkpoint.ts";
import { predictLandmarks } from "../src/train/predict_landmarks.ts";
import { parseUsage, runCli, stringFlag, UsageError } from "./_cli.ts";
import { base64 } from "./_train_plots.ts";

const HELP = `Usage: deno task predict --checkpoint DIR --images DIR [options]

Locates the landmarks of one face per image with a network saved by deno task train. For each
image (.png, .jpg, .jpeg) of --images it writes NAME.pts (300W format, 1-based) and NAME.svg
(the image with the predicted landmarks) into --out. When NAME.pts lies beside the image, its
landmarks' box (enlarged 1.25, as in training) is the face crop; otherwise the image's centred
square is.

Options:
  --checkpoint DIR   checkpoint folder (model.json + weights.bin), e.g. out/train/checkpoint
  --images DIR       folder of face images
  --out DIR          output folder (default: out/predict)
  -h, --help         print this help
`;

const EXTENSIONS = [".png", ".jpg", ".jpeg"];

/** The 300W .pts text of landmarks [K, 2] (0-based in, 1-based out). */
function ptsText(points: Float32Array): string {
  const lines = [];
  for (let i = 0; i < points.length; i += 2) {
    lines.push(`${(points[i]! + 1).toFixed(3)} ${(points[i + 1]! + 1).toFixed(3)}`);
  }
  return `version: 1\nn_points: ${points.length / 2}\n{\n${lines.join("\n")}\n}\n`;
}

/** The image (embedded as it is) with the landmarks drawn over it. */
function overlaySvg(
  bytes: Uint8Array,
  ext: string,
  image: RasterImage,
  points: Float32Array,
): string {
  const mime = ext === ".png" ? "image/png" : "image/jpeg";
  const r = Math.max(1, Math.min(image.width, image.height) / 150);
  const dots = [];
  for (let i = 0; i < points.length; i += 2) {
    dots.push(
      `<circle cx="${points[i]!.toFixed(2)}" cy="${points[i + 1]!.toFixed(2)}" r="${
        r.toFixed(2)
      }"/>`,
    );
  }
  const { width: w, height: h } = image;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="-0.5 -0.5 ${w} ${h}"><image x="-0.5" y="-0.5" width="${w}" height="${h}" href="data:${mime};base64,${
    base64(bytes)
  }"/><g fill="#ff2020" stroke="white" stroke-width="${(r / 3).toFixed(2)}">${
    dots.join("")
  }</g></svg>\n`;
}

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const checkpoint = stringFlag(cli.values, "checkpoint");
  const images = stringFlag(cli.values, "images");
  if (checkpoint === undefined || images === undefined) {
    throw new UsageError("--checkpoint and --images are required");
  }
  const values = { checkpoint, images, out: stringFlag(cli.values, "out") };
  const out = values.out ?? join("out", "predict");
  await useWasmBackend();
  const { model, options } = await loadCheckpoint(values.checkpoint);
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(values.images)) {
      if (e.isFile && EXTENSIONS.includes(extname(e.name).toLowerCase())) names.push(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read images: no folder "${values.images}"`);
    }
    throw e;
  }
  if (names.length === 0) {
    throw new Error(`Cannot read images: "${values.images}" holds no .png, .jpg or .jpeg file`);
  }
  names.sort();
  await Deno.mkdir(out, { recursive: true });
  for (const name of names) {
    const path = join(values.images, name);
    const bytes = await Deno.readFile(path);
    const image = decodeImage(bytes, path);
    const stem = basename(name, extname(name));
    let box: [number, number, number, number] | undefined;
    try {
      const pts = parsePts(await Deno.readTextFile(join(values.images, `${stem}.pts`)), {
        origin: 1,
      });
      box = landmarksBox(pts);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const points = predictLandmarks(model, [image], {
      boxes: [box],
      sigma: options.sigma,
    });
    await Deno.writeTextFile(join(out, `${stem}.pts`), ptsText(points));
    await Deno.writeTextFile(
      join(out, `${stem}.svg`),
      overlaySvg(bytes, extname(name).toLowerCase(), image, points),
    );
    console.log(`${name}: ${points.length / 2} landmarks`);
  }
  model.dispose();
  console.log(`wrote ${names.length} .pts and .svg files to ${out}`);
  return 0;
}

if (import.meta.main) await runCli("predict", () => main(Deno.args));
