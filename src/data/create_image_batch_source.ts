// Exported from `@facealign/awing/train`, not from `./data`: its worker decodes images with
// the npm codecs, and the `./data` export has no dependency.
import { checkOptions } from "../_validate.ts";
import { checkRange } from "./_check.ts";
import { type ImagePlan, makeImageBatch } from "./_make_image_batch.ts";
import { batchSource, checkFaceSet, planBase } from "./_source.ts";
import type { BatchOptions, BatchSource } from "./batch_options.ts";
import type { ImageFaceSet } from "./image_face_set.ts";

/** Options of {@linkcode createImageBatchSource}. */
export interface ImageBatchSourceOptions extends BatchOptions {
  /** The faces and their image files (`loadPtsFolder`, `loadWflwFolder`). */
  readonly faces: ImageFaceSet;
  /**
   * Crop from `"given"` boxes (the default where the set has boxes) or from the
   * `"landmarks"`' box, enlarged by `enlarge` either way.
   */
  readonly box?: "given" | "landmarks";
  /** Memory for the decoded, pre-cropped faces, in MB. Default 256. */
  readonly cacheMegabytes?: number;
}

/**
 * Creates a source of batches from real images, the same as `createBatchSource`'s but with
 * the faces' own pixels: each face's region is read, decoded (`decodeImage`: JPEG or PNG),
 * box-filtered when the photo is much larger than the crop, and cached as an 8-bit crop with
 * room around it; each sample then warps the cache bilinearly through its crop and seeded
 * augmentation affine (rotation, zoom, shift, mirror with the layout's flip pairs, chosen
 * by the number of points), and the targets are made as for rendered faces. Batches are
 * channel-last Float32Array (images in [0, 1]), prepared by a Worker ahead of the caller;
 * in thread and worker give the same batches for the same options. Each source has its own
 * crop cache (`cacheMegabytes`): two sources with other options never share a crop.
 *
 * Needs `--allow-read` for the images (the worker inherits the caller's permissions).
 *
 * @param options The faces, crop box, cache size, and the shared batch options.
 * @returns The batch source (close it when done).
 * @throws {TypeError} If `faces` is not a face set with one image per face, or `box` is
 * unknown.
 * @throws {RangeError} If a size, count, sigma, seed or rate is out of range, or one batch
 * (images and heatmaps, float32) would take more than 2 GiB, or the prefetched ones more than
 * 4 GiB: checked before any allocation.
 * @throws {Error} One line, at creation (first face) or from `next()`: an image cannot be
 * read or decoded, or the worker may not load its module.
 *
 * @example A batch from a folder of one PNG and its `.pts`
 * ```ts
 * import { createImageBatchSource } from "@facealign/awing/train";
 * import { loadPtsFolder } from "@facealign/awing/data";
 * import { encode } from "fast-png";
 * import { deepEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const data = new Uint8Array(100 * 100 * 3).fill(90);
 * await Deno.writeFile(`${dir}/a.png`, encode({ width: 100, height: 100, data, channels: 3 }));
 * const pts = Array.from({ length: 68 }, (_, k) => `${30 + (k % 9) * 5} ${30 + Math.floor(k / 9) * 5}`);
 * await Deno.writeTextFile(`${dir}/a.pts`, `version: 1\nn_points: 68\n{\n${pts.join("\n")}\n}\n`);
 * const faces = await loadPtsFolder(dir);
 * const source = await createImageBatchSource({ faces, batch: 2, inputSize: 32, worker: false });
 * const batch = await source.next();
 * deepEqual(source.shapes.images, [2, 32, 32, 3]);
 * deepEqual(batch.images.length, 2 * 32 * 32 * 3);
 * source.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function createImageBatchSource(
  options: ImageBatchSourceOptions,
): Promise<BatchSource> {
  const action = "create image batch source";
  checkOptions(options, action);
  const faces = options?.faces;
  checkFaceSet(faces, action);
  if (!Array.isArray(faces.images) || faces.images.length !== faces.count) {
    throw new TypeError(`Cannot ${action}: "faces.images" must name one image per face`);
  }
  const box = options.box ?? (faces.boxes === null ? "landmarks" : "given");
  if (box !== "given" && box !== "landmarks") {
    throw new TypeError(
      `Cannot ${action}: "box" must be "given" or "landmarks" but it is ${JSON.stringify(box)}`,
    );
  }
  if (
    box === "given" &&
    !(faces.boxes instanceof Float64Array && faces.boxes.length === 4 * faces.count)
  ) {
    throw new TypeError(
      `Cannot ${action}: "box" is "given" but "faces.boxes" holds no box per face`,
    );
  }
  const megabytes = checkRange(options.cacheMegabytes ?? 256, "cacheMegabytes", 0, 1 << 20, action);
  const plan: ImagePlan = {
    ...planBase(options, faces, true, action),
    images: faces.images,
    boxes: box === "given" ? faces.boxes : null,
    cacheBytes: megabytes * 1048576,
  };
  await Promise.resolve(); // errors below reject the promise rather than throw
  makeImageBatch({ ...plan, batch: 1, shuffle: false }, 0); // reads the first face: fails early
  const worker = new URL("./_image_batch_worker.ts", import.meta.url);
  return batchSource(plan, faces, makeImageBatch, worker, options, action);
}
