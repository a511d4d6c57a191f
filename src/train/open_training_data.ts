import { createBatchSource } from "../data/create_batch_source.ts";
import type { FaceSet } from "../data/face_set.ts";
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
  /** Seed of the training order, augmentation and rendering. Defaults to 0. */
  seed?: number;
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

/** The training augmentation of {@link openTrainingData}: +-15 degrees, zoom 0.9-1.1, shift 5%, mirror. */
const LIGHT_AUGMENTATION: AugmentationRanges = {
  rotation: 15,
  scale: [0.9, 1.1],
  translation: 0.05,
  flip: 0.5,
};

/** The first `n` faces of a set. */
function firstFaces(set: FaceSet, n: number | undefined): FaceSet {
  if (n === undefined || n >= set.count) return set;
  return {
    landmarks: set.landmarks.slice(0, n * set.numPoints * 2),
    count: n,
    numPoints: set.numPoints,
    sources: set.sources.slice(0, n),
  };
}

/** Renders every face of a set once, unaugmented, as an evaluation set. */
async function evalSet(faces: FaceSet, o: OpenTrainingDataOptions): Promise<EvalSet> {
  const source = await createBatchSource({
    faces,
    batch: faces.count,
    inputSize: o.inputSize ?? 64,
    heatmapSize: o.heatmapSize ?? (o.inputSize ?? 64) / 2,
    sigma: o.sigma ?? 1,
    seed: o.seed ?? 0,
    augment: false,
    shuffle: false,
    worker: false,
  });
  try {
    const b = source.batchAt(0);
    const toImage = new Float64Array(faces.count * 6);
    for (let i = 0; i < faces.count; i++) {
      toImage.set(
        invertAffine(Array.from(b.matrices.subarray(6 * i, 6 * i + 6)) as unknown as Affine),
        6 * i,
      );
    }
    return { images: b.images, landmarks: b.landmarks, toImage };
  } finally {
    source.close();
  }
}

/**
 * Opens the "rendered 300W" protocol for training: a Worker-backed source of augmented
 * training batches (channel-last images and Gaussian targets, plus the boundary channel with
 * `boundary`), and the validation and test faces rendered once without augmentation, with
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
 * @returns The training source, validation and test faces, and `close`.
 * @throws {Error} When the annotation files cannot be read (a one-line message naming them).
 */
export async function openTrainingData(
  options: OpenTrainingDataOptions = {},
): Promise<TrainingData & { close(): void }> {
  const sets = await loadRendered300w(options.dir === undefined ? {} : { dir: options.dir });
  const inputSize = options.inputSize ?? 64;
  const validation = await evalSet(firstFaces(sets.val, options.faces), options);
  const test = await evalSet(firstFaces(sets.test, options.faces), options);
  const source = await createBatchSource({
    faces: sets.train,
    batch: options.batch ?? 16,
    inputSize,
    heatmapSize: options.heatmapSize ?? inputSize / 2,
    sigma: options.sigma ?? 1,
    seed: options.seed ?? 0,
    boundary: options.boundary ?? false,
    augment: options.augment ?? LIGHT_AUGMENTATION,
    worker: options.worker ?? true,
  });
  return { source, validation, test, close: () => source.close() };
}
