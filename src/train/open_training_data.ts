import { checkOptions, MAX_ELEMENTS } from "../_validate.ts";
import type { BatchSource } from "../data/batch_options.ts";
import { createBatchSource } from "../data/create_batch_source.ts";
import { createImageBatchSource } from "../data/create_image_batch_source.ts";
import type { FaceSet } from "../data/face_set.ts";
import type { ImageFaceSet } from "../data/image_face_set.ts";
import { loadPtsFolder } from "../data/load_pts_folder.ts";
import { invertAffine } from "../data/invert_affine.ts";
import { loadRendered300w } from "../data/load_rendered_300w.ts";
import type { AugmentationRanges } from "../data/random_augmentation.ts";
import type { Affine } from "../data/types.ts";
import type { TrainingData } from "./run_training.ts";
import type { EvalSet } from "./types.ts";

/** Options of {@link openTrainingData}. */
export interface OpenTrainingDataOptions {
  /** Training batch size. Defaults to 16. */
  batch?: number;
  /** Seed of the training order, augmentation and rendering of the training faces. Defaults to 0. */
  seed?: number;
  /**
   * Seed of the validation and test faces' rendering, the same for every run whatever `seed`,
   * so that runs are scored on the same images. Defaults to the rendered 300W protocol's fixed
   * `evalSeed` (also for a folder of images, where it seeds nothing that changes the faces).
   */
  evalSeed?: number;
  /** Input crop side. Defaults to 64. */
  inputSize?: number;
  /** Heatmap side. Defaults to inputSize / 2. */
  heatmapSize?: number;
  /** Sigma of the Gaussian targets in heatmap pixels. Defaults to 1. */
  sigma?: number;
  /** Append the boundary heatmap to the targets (channel K). Defaults to false. */
  boundary?: boolean;
  /** Use only the first `faces` validation and test faces (quick checks). */
  faces?: number | undefined;
  /**
   * A folder of face images with `.pts` files beside them (300W layout) instead of the
   * rendered protocol: every tenth face (by name) is held out for validation and test.
   */
  folder?: string | undefined;
  /** Folder of the 300W / COFW annotation files (defaults to the shared data folder). */
  dir?: string | undefined;
  /**
   * Augmentation ranges of the training batches. Defaults to +-15 degrees, zoom 0.9-1.1, 5% shift and mirroring, milder
   * than the data module's defaults (30 degrees, zoom 0.8-1.2), which suits runs of a few
   * hundred steps.
   */
  augment?: AugmentationRanges | undefined;
  /** Prepare training batches in a Worker. Defaults to true. */
  worker?: boolean;
}

/** The evaluation faces' seed for a folder of images (their rendering has no randomness). */
const EVAL_SEED = 0;

/** The training augmentation of {@link openTrainingData}: +-15 degrees, zoom 0.9-1.1, shift 5%, mirror. */
const LIGHT_AUGMENTATION: AugmentationRanges = {
  rotation: 15,
  scale: [0.9, 1.1],
  translation: 0.05,
  flip: 0.5,
};

/** The faces of a set whose index passes `keep` (image sets keep their files and boxes). */
function subset<T extends FaceSet>(set: T, keep: (i: number) => boolean): T {
  const idx = Array.from({ length: set.count }, (_, i) => i).filter(keep);
  const k2 = set.numPoints * 2;
  const landmarks = new Float64Array(idx.length * k2);
  idx.forEach((i, j) => landmarks.set(set.landmarks.subarray(i * k2, (i + 1) * k2), j * k2));
  const out: FaceSet = {
    landmarks,
    count: idx.length,
    numPoints: set.numPoints,
    sources: idx.map((i) => set.sources[i]!),
  };
  if (!("images" in set)) return out as T;
  const image = set as unknown as ImageFaceSet;
  const boxes = image.boxes === null
    ? null
    : Float64Array.from(idx.flatMap((i) => Array.from(image.boxes!.subarray(4 * i, 4 * i + 4))));
  return { ...out, images: idx.map((i) => image.images[i]!), boxes } as unknown as T;
}

/** A source of batches of a face set: rendered faces, or image files for an image set. */
function sourceOf(
  faces: FaceSet,
  o: OpenTrainingDataOptions,
  extra: { batch: number; augment: false | AugmentationRanges; shuffle: boolean; worker: boolean },
): Promise<BatchSource> {
  const inputSize = o.inputSize ?? 64;
  const common = {
    inputSize,
    heatmapSize: o.heatmapSize ?? inputSize / 2,
    sigma: o.sigma ?? 1,
    seed: o.seed ?? 0,
    boundary: o.boundary ?? false,
    ...extra,
  };
  return "images" in faces
    ? createImageBatchSource({ faces: faces as ImageFaceSet, ...common })
    : createBatchSource({ faces, ...common });
}

/** Faces per batch of an evaluation set: the set is made in batches of at most this many. */
const EVAL_BATCH = 64;

/**
 * Renders every face of a set once, unaugmented, with `seed`, as an evaluation set: in batches
 * of at most {@link EVAL_BATCH} faces (their heatmaps are not kept), so that a large set needs
 * no more than its crops.
 */
async function evalSet(faces: FaceSet, o: OpenTrainingDataOptions, seed: number): Promise<EvalSet> {
  const n = faces.count, batch = Math.min(n, EVAL_BATCH);
  const source = await sourceOf(faces, { ...o, seed }, {
    batch,
    augment: false,
    shuffle: false,
    worker: false,
  });
  try {
    const [, s, , c] = source.shapes.images, k2 = 2 * faces.numPoints, px = s * s * c;
    if (n * px > MAX_ELEMENTS) {
      throw new RangeError(
        `Cannot open training data as the ${n} evaluation faces' crops must have at most ${MAX_ELEMENTS} values: current value is ${
          n * px
        } (use fewer faces)`,
      );
    }
    const images = new Float32Array(n * px), landmarks = new Float32Array(n * k2);
    const toImage = new Float64Array(n * 6);
    for (let first = 0; first < n; first += batch) {
      // unshuffled: batch i holds faces i * batch, ..., wrapping around after the last
      const b = source.batchAt(first / batch), m = Math.min(batch, n - first);
      images.set(b.images.subarray(0, m * px), first * px);
      landmarks.set(b.landmarks.subarray(0, m * k2), first * k2);
      for (let i = 0; i < m; i++) {
        toImage.set(
          invertAffine(Array.from(b.matrices.subarray(6 * i, 6 * i + 6)) as unknown as Affine),
          6 * (first + i),
        );
      }
    }
    return { images, landmarks, toImage };
  } finally {
    source.close();
  }
}

/**
 * Opens the "rendered 300W" protocol (or a folder of images with `.pts` files, every tenth
 * face held out) for training: a Worker-backed source of augmented
 * training batches (channel-last images and Gaussian targets, plus the boundary channel with
 * `boundary`), and the validation and test faces rendered once without augmentation (with
 * `evalSeed`, the same images for every run), with
 * their crop-to-image affines so that evaluation scores landmarks in the original image
 * frame. Close it when done (it stops the Worker).
 *
 * @example Two quick batches (needs the shared data folder)
 * ```ts ignore
 * import { openTrainingData } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const data = await openTrainingData({ batch: 2, faces: 4 });
 * equal((await data.source.next()).images.length, 2 * 64 * 64 * 3);
 * equal(data.test.landmarks.length, 4 * 68 * 2);
 * data.close();
 * ```
 *
 * @param options Batch, seed, sizes, sigma, boundary channel, face limit, folder.
 * @returns The training source, validation and test faces, their `evalSeed`, the number of
 * training faces, and `close`.
 * @throws {Error} When the annotation files cannot be read (a one-line message naming them).
 */
export async function openTrainingData(
  options: OpenTrainingDataOptions = {},
): Promise<TrainingData & { evalSeed: number; trainFaces: number; close(): void }> {
  checkOptions(options, "open training data");
  let train: FaceSet, val: FaceSet, test: FaceSet, protocolSeed: number;
  if (options.folder !== undefined) {
    // the model's 68 points: a .pts of another count is refused as predict refuses it
    const all = await loadPtsFolder(options.folder, { numPoints: 68 });
    if (all.count < 2) {
      throw new Error(`Cannot open data "${options.folder}": it needs at least 2 faces`);
    }
    train = subset(all, (i) => i % 10 !== 9 && !(all.count < 10 && i === all.count - 1));
    val = test = subset(all, (i) => i % 10 === 9 || (all.count < 10 && i === all.count - 1));
    protocolSeed = EVAL_SEED;
  } else {
    ({ train, val, test, evalSeed: protocolSeed } = await loadRendered300w(
      options.dir === undefined ? {} : { dir: options.dir },
    ));
  }
  const evalSeed = options.evalSeed ?? protocolSeed;
  const n = options.faces;
  const validation = await evalSet(
    n === undefined ? val : subset(val, (i) => i < n),
    options,
    evalSeed,
  );
  const testSet = await evalSet(
    n === undefined ? test : subset(test, (i) => i < n),
    options,
    evalSeed,
  );
  const source = await sourceOf(train, options, {
    batch: options.batch ?? 16,
    augment: options.augment ?? LIGHT_AUGMENTATION,
    shuffle: true,
    worker: options.worker ?? true,
  });
  return {
    source,
    validation,
    test: testSet,
    evalSeed,
    trainFaces: train.count,
    close: () => source.close(),
  };
}
