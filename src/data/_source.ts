// The parts of createBatchSource and createImageBatchSource that are the same: option
// checks, the plan's common fields, shapes, and the queue.
import { getLayout } from "../layouts/get_layout.ts";
import { checkInt, checkRange, checkSeed, MAX_SIDE } from "./_check.ts";
import type { Batch, PlanBase } from "./_make_batch.ts";
import { batchQueue } from "./_prefetch.ts";
import type { BatchOptions, BatchSource } from "./batch_options.ts";
import type { FaceSet } from "./face_set.ts";

/** Checks a face set: whole counts, a known layout's K, finite landmarks. */
export function checkFaceSet(faces: FaceSet, action: string): void {
  const ok = typeof faces === "object" && faces !== null &&
    faces.landmarks instanceof Float64Array && Number.isInteger(faces.count) && faces.count > 0 &&
    Number.isInteger(faces.numPoints) && faces.numPoints > 0 &&
    faces.landmarks.length === faces.count * faces.numPoints * 2;
  if (!ok) {
    throw new TypeError(
      `Cannot ${action}: "faces" must be a face set with count x numPoints x 2 Float64Array landmarks`,
    );
  }
  getLayout(faces.numPoints); // a layout gives the flip pairs and boundaries
  for (let i = 0; i < faces.landmarks.length; i++) {
    if (!Number.isFinite(faces.landmarks[i])) {
      throw new RangeError(
        `Cannot ${action} as faces must have finite landmarks: face ${
          Math.floor(i / (2 * faces.numPoints))
        } has ${faces.landmarks[i]}`,
      );
    }
  }
}

/** Most bytes one batch's images and heatmaps may take (float32): 2 GiB. */
export const MAX_BATCH_BYTES = 2 ** 31;

/** Most bytes of the batches a worker prepares ahead (`prefetch` of them): 4 GiB. */
const MAX_PREFETCH_BYTES = 2 ** 32;

/** The sizes a batch's memory depends on. */
export type BatchSizes = Pick<
  PlanBase,
  "batch" | "inputSize" | "heatmapSize" | "numPoints" | "boundary" | "coord"
>;

/** Bytes of one batch's images and heatmaps (float32). */
export function batchBytes(sizes: BatchSizes): number {
  const { batch: b, inputSize: s, heatmapSize: h } = sizes;
  const c = sizes.coord ? 6 : 3, k = sizes.numPoints + (sizes.boundary ? 1 : 0);
  return 4 * b * (s * s * c + h * h * k);
}

/**
 * Checks, before anything is allocated, that one batch of `plan` (images and heatmaps, float32)
 * fits in {@link MAX_BATCH_BYTES}; the message names the options to lower.
 */
export function checkBatchBytes(plan: BatchSizes, action: string): void {
  const { batch: b, inputSize: s, heatmapSize: h } = plan;
  const c = plan.coord ? 6 : 3, k = plan.numPoints + (plan.boundary ? 1 : 0);
  const bytes = batchBytes(plan);
  if (bytes > MAX_BATCH_BYTES) {
    throw new RangeError(
      `Cannot ${action} as one batch must fit in ${
        MAX_BATCH_BYTES / 2 ** 30
      } GiB: current value is batch ${b} x (${s} x ${s} x ${c} image + ${h} x ${h} x ${k} heatmap) floats = ${
        (bytes / 2 ** 30).toFixed(1)
      } GiB (lower "batch", "inputSize" or "heatmapSize")`,
    );
  }
}

/** The plan fields every source shares, from the checked options. */
export function planBase(
  o: BatchOptions,
  faces: FaceSet,
  training: boolean,
  action: string,
): PlanBase {
  const inputSize = checkInt(o.inputSize ?? 128, "inputSize", 8, 4096, action);
  const augment = o.augment ?? training;
  const plan: PlanBase = {
    faces: faces.landmarks,
    count: faces.count,
    numPoints: faces.numPoints,
    batch: checkInt(o.batch ?? 16, "batch", 1, 65536, action),
    inputSize,
    heatmapSize: checkInt(
      o.heatmapSize ?? Math.max(1, Math.round(inputSize / 4)),
      "heatmapSize",
      1,
      MAX_SIDE,
      action,
    ),
    sigma: checkRange(o.sigma ?? 1.5, "sigma", 1e-3, 1e3, action),
    seed: checkSeed(o.seed ?? 0, action),
    augment: augment === false ? null : augment === true ? {} : augment,
    shuffle: o.shuffle ?? training,
    boundary: o.boundary ?? false,
    coord: o.coord ?? false,
    enlarge: checkRange(o.enlarge ?? 1.25, "enlarge", 0.1, 10, action),
  };
  checkBatchBytes(plan, action);
  return plan;
}

/** The batch source of a plan. */
export function batchSource<P extends PlanBase>(
  plan: P,
  faces: FaceSet,
  make: (plan: P, index: number) => Batch,
  workerUrl: URL,
  o: BatchOptions,
  action: string,
): BatchSource {
  const prefetch = checkInt(o.prefetch ?? 2, "prefetch", 1, 64, action);
  const bytes = batchBytes(plan);
  if (o.worker !== false && prefetch * bytes > MAX_PREFETCH_BYTES) {
    throw new RangeError(
      `Cannot ${action} as the prefetched batches must fit in ${
        MAX_PREFETCH_BYTES / 2 ** 30
      } GiB: current value is prefetch ${prefetch} x ${
        (bytes / 2 ** 30).toFixed(2)
      } GiB (lower "prefetch" or the batch)`,
    );
  }
  const { batch, inputSize: s, heatmapSize: h, numPoints: k } = plan;
  return {
    faces,
    batchesPerEpoch: Math.ceil(faces.count / batch),
    shapes: {
      images: [batch, s, s, plan.coord ? 6 : 3],
      heatmaps: [batch, h, h, k + (plan.boundary ? 1 : 0)],
      landmarks: [batch, k, 2],
    },
    batchAt: (index: number): Batch =>
      make(plan, checkInt(index, "index", 0, 2 ** 40, "make batch")),
    ...batchQueue(plan, make, o.worker === false ? null : workerUrl, prefetch),
  };
}
