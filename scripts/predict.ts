/**
 * Runs a trained heatmap network on a folder of face images and writes the landmarks.
 *
 * Usage: `deno task predict --checkpoint DIR --images DIR [--out out/predict]`; `--help`.
 *
 * @module
 */
import { basename, dirname, extname, join } from "node:path";
import { landmarksBox } from "../src/data/landmarks_box.ts";
import { decodeImage } from "../src/data/decode_image.ts";
import type { RasterImage } from "../src/data/types.ts";
import { oneLine } from "../src/_one_line.ts";
import { folderAction, readFacePts } from "../src/data/_files.ts";
import { useWasmBackend } from "../src/tfjs/use_wasm_backend.ts";
import { loadCheckpoint } from "../src/train/load_checkpoint.ts";
import { predictLandmarks } from "../src/train/predict_landmarks.ts";
import {
  checkOutDir,
  CliError,
  failedOn,
  filesIn,
  parseUsage,
  refuseOverwrite,
  runCli,
  sameFile,
  stringFlag,
  UsageError,
  writeOutput,
} from "./_cli.ts";
import { base64 } from "./_train_plots.ts";

const HELP = `Usage: deno task predict --checkpoint DIR --images DIR [options]

Locates the landmarks of one face per image with a network saved by deno task train. For each
image (.png, .jpg, .jpeg) of --images it writes NAME.pts (300W format, 1-based) and NAME.svg
(the image with the predicted landmarks) into --out. When NAME.pts lies beside the image, its
landmarks' box (enlarged 1.25, as in training) is the face crop; otherwise the image's centred
square is. A NAME.pts must have the model's number of points, as for deno task train --data.
Inputs are never overwritten: --out may not be the --images folder, nor replace any file read.

Options:
  --checkpoint DIR   checkpoint folder (holding model.json and its weights file), e.g.
                     out/train/checkpoint
  --images DIR       folder of face images
  --out DIR          output folder, not --images (default: out/predict)
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

/** Checks --checkpoint: a folder (the one that holds model.json), not a file in it. */
async function checkCheckpointFlag(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return; // loadCheckpoint says what is missing
    throw failedOn("--checkpoint", dir, "cannot read", e);
  }
  if (!info.isDirectory) {
    throw new UsageError(
      `--checkpoint ${
        JSON.stringify(dir)
      } is a file: pass the folder that holds model.json and its weights (${
        JSON.stringify(dirname(dir))
      })`,
    );
  }
}

/** The image files and the names of the .pts files of --images. */
async function listImages(dir: string): Promise<{ images: string[]; pts: Set<string> }> {
  const images: string[] = [], pts = new Set<string>();
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile) continue;
      if (EXTENSIONS.includes(extname(e.name).toLowerCase())) images.push(e.name);
      else if (extname(e.name) === ".pts") pts.add(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read images: no folder "${dir}"`);
    }
    if (e instanceof Deno.errors.NotADirectory) {
      throw new UsageError(`--images ${JSON.stringify(dir)} is not a folder`);
    }
    throw failedOn("--images", dir, "cannot read", e);
  }
  if (images.length === 0) {
    throw new Error(`Cannot read images: "${dir}" holds no .png, .jpg or .jpeg file`);
  }
  images.sort();
  // two images of one name would write the same NAME.pts and NAME.svg
  const stems = new Map<string, string>();
  for (const name of images) {
    const stem = basename(name, extname(name)), other = stems.get(stem);
    if (other !== undefined) {
      throw new CliError(
        `--images ${
          JSON.stringify(dir)
        } holds "${other}" and "${name}", which would both write ${stem}.pts: rename one`,
      );
    }
    stems.set(stem, name);
  }
  return { images, pts };
}

async function main(args: string[]): Promise<number> {
  const cli = parseUsage(args, HELP);
  if (cli === undefined) return 0;
  const checkpoint = stringFlag(cli.values, "checkpoint");
  const images = stringFlag(cli.values, "images");
  if (checkpoint === undefined || images === undefined) {
    throw new UsageError("--checkpoint and --images are required");
  }
  const out = stringFlag(cli.values, "out") ?? join("out", "predict");
  // every mistake is found before the model is loaded or a file is written
  await checkCheckpointFlag(checkpoint);
  const listed = await listImages(images);
  await checkOutDir(out);
  if (await sameFile(out, images)) {
    throw new UsageError(
      `--out ${
        JSON.stringify(out)
      } is the --images folder: the predictions would replace the annotations (NAME.pts) and files beside the images; choose another --out`,
    );
  }
  const stem = (name: string): string => basename(name, extname(name));
  const outputs = listed.images.flatMap((n) => [`${stem(n)}.pts`, `${stem(n)}.svg`]);
  const inputs = [
    ...listed.images,
    ...listed.pts,
  ].map((n) => join(images, n)).concat(await filesIn(checkpoint));
  await refuseOverwrite(outputs.map((n) => join(out, n)), inputs);

  await useWasmBackend();
  const { model, options } = await loadCheckpoint(checkpoint).catch((e: unknown) => {
    if (e instanceof Deno.errors.NotCapable) throw e;
    throw new CliError(`--checkpoint ${JSON.stringify(checkpoint)}: ${oneLine(e)}`);
  });
  try {
    // the annotations' boxes: read under the rule of train --data (the model's K points)
    const boxes = new Map<string, [number, number, number, number]>();
    for (const name of listed.images) {
      const pts = `${stem(name)}.pts`;
      if (!listed.pts.has(pts)) continue;
      const landmarks = await readFacePts(folderAction(images), join(images, pts), pts, {
        numPoints: options.numLandmarks,
      });
      boxes.set(name, landmarksBox(landmarks));
    }
    for (const name of listed.images) {
      const path = join(images, name);
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(path);
      } catch (e) {
        throw failedOn("--images", path, "cannot read", e);
      }
      const image = decodeImage(bytes, path);
      const points = predictLandmarks(model, [image], {
        boxes: [boxes.get(name)],
        sigma: options.sigma,
      });
      await writeOutput(join(out, `${stem(name)}.pts`), ptsText(points));
      await writeOutput(
        join(out, `${stem(name)}.svg`),
        overlaySvg(bytes, extname(name).toLowerCase(), image, points),
      );
      console.log(`${name}: ${points.length / 2} landmarks`);
    }
  } finally {
    model.dispose();
  }
  console.log(`wrote ${listed.images.length} .pts and .svg files to ${out}`);
  return 0;
}

if (import.meta.main) await runCli("predict", () => main(Deno.args));
