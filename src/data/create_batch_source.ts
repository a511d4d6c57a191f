import { checkInt, checkRange, checkSeed, MAX_SIDE } from "./_check.ts";
import { type Batch, type BatchPlan, makeBatch } from "./_make_batch.ts";
import type { FaceSet } from "./face_set.ts";
import { loadRendered300w } from "./load_rendered_300w.ts";
import type { AugmentationRanges } from "./random_augmentation.ts";

export type { Batch } from "./_make_batch.ts";

/** Options of {@linkcode createBatchSource}. */
export interface BatchSourceOptions {
  /**
   * Split of the "rendered 300W" protocol ({@linkcode loadRendered300w}): `"train"`
   * (default), `"val"` or `"test"`. Ignored when `faces` is given.
   */
  readonly split?: "train" | "val" | "test";
  /** Any set of 68-point faces to render instead of a protocol split. */
  readonly faces?: FaceSet;
  /** Folder of the annotation files for `split` (see {@linkcode loadRendered300w}). */
  readonly dir?: string | URL;
  /** Samples per batch B. Default 16. */
  readonly batch?: number;
  /** Side S of the square input images. Default 128. */
  readonly inputSize?: number;
  /** Side h of the square heatmaps. Default inputSize / 4. */
  readonly heatmapSize?: number;
  /** Standard deviation of the Gaussian targets, in heatmap pixels. Default 1.5. */
  readonly sigma?: number;
  /** Seed: the same options give the same batches, in thread or in the worker. Default 0. */
  readonly seed?: number;
  /**
   * Augmentation: `true` for the default ranges of {@linkcode randomAugmentation}, ranges to
   * change them, `false` for none. Default: true for the train split (or `faces`), false for
   * val and test.
   */
  readonly augment?: boolean | AugmentationRanges;
  /**
   * Shuffle: a new seeded face order each epoch. Otherwise the faces come in order, batch
   * after batch, wrapping around (so `faces` tells which face each sample is). Default: true
   * for the train split (or `faces`), false for val and test.
   */
  readonly shuffle?: boolean;
  /** Append the boundary heatmap (all 13 curves in one channel) as channel K. Default false. */
  readonly boundary?: boolean;
  /** Append the CoordConv channels x, y, r to the images (C = 6). Default false. */
  readonly coord?: boolean;
  /** Crop: the landmarks' box enlarged by this factor. Default 1.25. */
  readonly enlarge?: number;
  /** Renderer: probability of occluding patches. Default 0.3. */
  readonly occlusion?: number;
  /** Renderer: largest blur (px at 128). Default 1. */
  readonly blur?: number;
  /** Renderer: largest pixel-noise standard deviation. Default 0.03. */
  readonly noise?: number;
  /** Prepare batches in a Worker, off the calling thread. Default true. */
  readonly worker?: boolean;
  /** Batches prepared ahead by the worker. Default 2. */
  readonly prefetch?: number;
}

/** A stream of batches; see {@linkcode createBatchSource}. */
export interface BatchSource {
  /** The faces drawn from. */
  readonly faces: FaceSet;
  /** Batches per pass over the faces: ceil(N / B). */
  readonly batchesPerEpoch: number;
  /** Shapes of the batch arrays (channel-last). */
  readonly shapes: {
    readonly images: readonly [b: number, s: number, s: number, c: number];
    readonly heatmaps: readonly [b: number, h: number, h: number, c: number];
    readonly landmarks: readonly [b: number, k: number, two: number];
  };
  /** The next batch (batch 0, 1, 2, ...). */
  next(): Promise<Batch>;
  /** Batch `index` computed on the calling thread (the same as the worker's). */
  batchAt(index: number): Batch;
  /** Stops the worker; later `next()` calls reject. */
  close(): void;
}

/**
 * Creates a source of training or evaluation batches of rendered faces ({@linkcode renderFace})
 * from a split of the "rendered 300W" protocol or any 68-point face set: for each sample,
 * the face's landmark box enlarged by `enlarge` is cropped to `inputSize`, a seeded random
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
 * {@linkcode loadRendered300w}).
 * @throws {TypeError} If `faces` is not a 68-point face set, or `split` is unknown.
 * @throws {RangeError} If a size, count, sigma, seed or rate is out of range.
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
  checkFaces(faces, action);
  const training = options.faces !== undefined || split === "train";
  const batch = checkInt(options.batch ?? 16, "batch", 1, 65536, action);
  const inputSize = checkInt(options.inputSize ?? 128, "inputSize", 8, 4096, action);
  const heatmapSize = checkInt(
    options.heatmapSize ?? Math.max(1, Math.round(inputSize / 4)),
    "heatmapSize",
    1,
    MAX_SIDE,
    action,
  );
  const sigma = checkRange(options.sigma ?? 1.5, "sigma", 1e-3, 1e3, action);
  const seed = checkSeed(options.seed ?? 0, action);
  const augment = options.augment ?? training;
  const prefetch = checkInt(options.prefetch ?? 2, "prefetch", 1, 64, action);
  const plan: BatchPlan = {
    faces: faces.landmarks,
    count: faces.count,
    batch,
    inputSize,
    heatmapSize,
    sigma,
    seed,
    augment: augment === false ? null : augment === true ? {} : augment,
    shuffle: options.shuffle ?? training,
    boundary: options.boundary ?? false,
    coord: options.coord ?? false,
    enlarge: checkRange(options.enlarge ?? 1.25, "enlarge", 0.1, 10, action),
    occlusion: checkRange(options.occlusion ?? 0.3, "occlusion", 0, 1, action),
    blur: checkRange(options.blur ?? 1, "blur", 0, 16, action),
    noise: checkRange(options.noise ?? 0.03, "noise", 0, 1, action),
  };
  makeBatch({ ...plan, batch: 1 }, 0); // fails here, on the calling thread, for bad ranges
  const shapes = {
    images: [batch, inputSize, inputSize, plan.coord ? 6 : 3],
    heatmaps: [batch, heatmapSize, heatmapSize, 68 + (plan.boundary ? 1 : 0)],
    landmarks: [batch, 68, 2],
  } as const;
  const base = {
    faces,
    batchesPerEpoch: Math.ceil(faces.count / batch),
    shapes,
    batchAt: (index: number): Batch =>
      makeBatch(plan, checkInt(index, "index", 0, 2 ** 40, "make batch")),
  };
  let next = 0;
  let closed = false;
  const closedError = (): Error => new Error("Cannot get batch: the batch source is closed");
  if (options.worker === false) {
    return {
      ...base,
      next: () => closed ? Promise.reject(closedError()) : Promise.resolve(makeBatch(plan, next++)),
      close: () => {
        closed = true;
      },
    };
  }
  const worker = new Worker(new URL("./_batch_worker.ts", import.meta.url), { type: "module" });
  const pending = new Map<
    number,
    { resolve: (b: Batch) => void; reject: (e: Error) => void; promise: Promise<Batch> }
  >();
  const request = (index: number): void => {
    let resolve!: (b: Batch) => void, reject!: (e: Error) => void;
    const promise = new Promise<Batch>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // a prefetched batch nobody asks for must not be an unhandled rejection
    pending.set(index, { resolve, reject, promise });
    worker.postMessage({ index });
  };
  const failAll = (message: string): void => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  worker.onmessage = (event: MessageEvent): void => {
    const msg = event.data as { batch?: Batch; index?: number; error?: string };
    const index = msg.batch?.index ?? msg.index!;
    const p = pending.get(index);
    if (p === undefined) return;
    if (msg.batch !== undefined) p.resolve(msg.batch);
    else p.reject(new Error(`Cannot make batch ${index}: ${msg.error}`));
  };
  worker.onerror = (event: ErrorEvent): void => {
    event.preventDefault();
    failAll(`Cannot make batches: the worker failed: ${event.message}`);
  };
  worker.postMessage({ plan });
  for (let i = 0; i < prefetch; i++) request(i);
  return {
    ...base,
    next: (): Promise<Batch> => {
      if (closed) return Promise.reject(closedError());
      const index = next++;
      if (!pending.has(index)) request(index);
      request(index + prefetch);
      const p = pending.get(index)!;
      p.promise.finally(() => pending.delete(index)).catch(() => {});
      return p.promise;
    },
    close: (): void => {
      if (closed) return;
      closed = true;
      worker.terminate();
      failAll("Cannot get batch: the batch source is closed");
    },
  };
}

/** Checks a face set of 68-point faces. */
function checkFaces(faces: FaceSet, action: string): void {
  const ok = typeof faces === "object" && faces !== null &&
    faces.landmarks instanceof Float64Array &&
    Number.isInteger(faces.count) && faces.count > 0 && faces.numPoints === 68 &&
    faces.landmarks.length === faces.count * 136;
  if (!ok) {
    throw new TypeError(
      `Cannot ${action}: "faces" must be a set of 68-point faces with ${"count * 136"} Float64Array landmarks`,
    );
  }
  for (let i = 0; i < faces.landmarks.length; i++) {
    if (!Number.isFinite(faces.landmarks[i])) {
      throw new RangeError(
        `Cannot ${action} as faces must have finite landmarks: face ${Math.floor(i / 136)} has ${
          faces.landmarks[i]
        }`,
      );
    }
  }
}
