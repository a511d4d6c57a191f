import { checkOptions } from "../_validate.ts";
import { checkRange } from "./_check.ts";
import { type BatchPlan, makeBatch } from "./_make_batch.ts";
import { batchSource, checkFaceSet, planBase } from "./_source.ts";
import type { BatchOptions, BatchSource } from "./batch_options.ts";
import type { FaceSet } from "./face_set.ts";
import { loadRendered300w } from "./load_rendered_300w.ts";

/** Options of {@linkcode createBatchSource}. */
export interface BatchSourceOptions extends BatchOptions {
  /**
   * Split of the "rendered 300W" protocol ({@linkcode loadRendered300w}): `"train"`
   * (default), `"val"` or `"test"`. Ignored when `faces` is given.
   */
  readonly split?: "train" | "val" | "test";
  /** Any set of 68-point faces to render instead of a protocol split (training data). */
  readonly faces?: FaceSet;
  /** Folder of the annotation files for `split` (see {@linkcode loadRendered300w}). */
  readonly dir?: string | URL;
  /** Renderer: probability of occluding patches. Default 0.3. */
  readonly occlusion?: number;
  /** Renderer: largest blur (px at 128). Default 1. */
  readonly blur?: number;
  /** Renderer: largest pixel-noise standard deviation. Default 0.03. */
  readonly noise?: number;
}

/**
 * Creates a source of training or evaluation batches of rendered faces (`renderFace`) from
 * a split of the "rendered 300W" protocol or any 68-point face set: for each sample, the
 * face's landmark box enlarged by `enlarge` is cropped to `inputSize`, a seeded random
 * augmentation (rotation, zoom, shift, mirror with the 300W flip pairs) is applied to the
 * landmarks, a face is drawn from them, and the targets are made: K Gaussian heatmaps
 * (awing's `gaussianHeatmaps`, unbiased, at `(x + 0.5) / stride - 0.5`), optionally the
 * boundary heatmap (`boundaryHeatmaps`) and CoordConv channels (`coordChannels`).
 *
 * Everything is channel-last (NHWC) Float32Array, as `tf.tensor4d(images, shapes.images)`
 * takes it. A Worker prepares the next `prefetch` batches while the caller trains, so
 * `next()` returns at once in steady state. Batch `i` depends only on the options and `i`:
 * the worker and the calling thread give identical batches. For val and test (not shuffled)
 * a face's image depends only on the seed and the face, not on the batch size.
 *
 * @param options Data, sizes, targets, seed, augmentation, renderer, worker.
 * @returns The batch source (close it when done).
 * @throws {Error} If the protocol's annotation files cannot be read (see
 * {@linkcode loadRendered300w}), or the worker may not load its module (it needs
 * `--allow-read`; `worker: false` needs none).
 * @throws {TypeError} If `faces` is not a 68-point face set, or `split` is unknown.
 * @throws {RangeError} If a size, count, sigma, seed or rate is out of range, or one batch
 * (images and heatmaps, float32) would take more than 2 GiB, or the prefetched ones more than
 * 4 GiB: checked before any allocation.
 *
 * @example Two in-thread batches of a tiny face set
 * ```ts
 * import { createBatchSource, type FaceSet } from "@facealign/awing/data";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const lm = new Float64Array(136);
 * for (let k = 0; k < 68; k++) {
 *   const t = (k / 68) * 2 * Math.PI;
 *   lm[2 * k] = 100 + 40 * Math.cos(t);
 *   lm[2 * k + 1] = 100 + 50 * Math.sin(t);
 * }
 * const faces: FaceSet = { landmarks: lm, count: 1, numPoints: 68, sources: ["ring"] };
 * const source = await createBatchSource({ faces, batch: 2, inputSize: 32, worker: false });
 * const batch = await source.next();
 * deepEqual(source.shapes.heatmaps, [2, 8, 8, 68]);
 * equal(batch.images.length, 2 * 32 * 32 * 3);
 * equal(batch.heatmaps.length, 2 * 8 * 8 * 68);
 * source.close();
 * ```
 */
export async function createBatchSource(options: BatchSourceOptions = {}): Promise<BatchSource> {
  const action = "create batch source";
  checkOptions(options, action);
  const split = options.split ?? "train";
  if (split !== "train" && split !== "val" && split !== "test") {
    throw new TypeError(
      `Cannot ${action}: "split" must be "train", "val" or "test" but it is ${
        JSON.stringify(split)
      }`,
    );
  }
  const faces = options.faces ??
    (await loadRendered300w(options.dir === undefined ? {} : { dir: options.dir }))[split];
  checkFaceSet(faces, action);
  if (faces.numPoints !== 68) {
    throw new TypeError(
      `Cannot ${action}: the renderer draws 68-point faces but "faces" has ${faces.numPoints} points`,
    );
  }
  const training = options.faces !== undefined || split === "train";
  const plan: BatchPlan = {
    ...planBase(options, faces, training, action),
    occlusion: checkRange(options.occlusion ?? 0.3, "occlusion", 0, 1, action),
    blur: checkRange(options.blur ?? 1, "blur", 0, 16, action),
    noise: checkRange(options.noise ?? 0.03, "noise", 0, 1, action),
  };
  makeBatch({ ...plan, batch: 1 }, 0); // fails here, on the calling thread, for bad ranges
  const worker = new URL("./_batch_worker.ts", import.meta.url);
  return batchSource(plan, faces, makeBatch, worker, options, action);
}
