// Batches as a pure function of (plan, batch index): the in-thread path and the workers call
// the same functions, so they give the same batches. `makeBatchWith` does the common part
// (face order, crop + augmentation, landmarks, targets, channel-last layout); the sources
// only say how a sample's image is drawn (rendered, or warped from a real image).
import { boundaryHeatmaps } from "../heatmap/boundary_heatmaps.ts";
import { coordChannels } from "../heatmap/coord_channels.ts";
import { gaussianHeatmaps } from "../heatmap/gaussian_heatmaps.ts";
import { getLayout } from "../layouts/get_layout.ts";
import { mixSeed, Rng } from "./_rng.ts";
import { applyAffine } from "./apply_affine.ts";
import { composeAffine } from "./compose_affine.ts";
import { faceBoxAffine } from "./face_box_affine.ts";
import { heatmapAffine } from "./heatmap_affine.ts";
import { landmarksBox } from "./landmarks_box.ts";
import { type AugmentationRanges, randomAugmentation } from "./random_augmentation.ts";
import { renderFace } from "./render_face.ts";
import type { Affine } from "./types.ts";

/** What every batch depends on (structured-cloneable: sent to the worker once). */
export interface PlanBase {
  readonly faces: Float64Array;
  readonly count: number;
  readonly numPoints: number;
  readonly batch: number;
  readonly inputSize: number;
  readonly heatmapSize: number;
  readonly sigma: number;
  readonly seed: number;
  readonly augment: AugmentationRanges | null;
  readonly shuffle: boolean;
  readonly boundary: boolean;
  readonly coord: boolean;
  readonly enlarge: number;
}

/** The plan of rendered batches. */
export interface BatchPlan extends PlanBase {
  readonly occlusion: number;
  readonly blur: number;
  readonly noise: number;
}

/** A batch, channel-last, ready for TensorFlow.js. */
export interface Batch {
  /** Batch number (0, 1, 2, ...). */
  readonly index: number;
  /** Images `[B, S, S, C]`: RGB in [0, 1], C = 3, or 6 with the CoordConv channels x, y, r. */
  readonly images: Float32Array;
  /** Targets `[B, h, h, C]`: K Gaussian heatmaps, plus the boundary heatmap with `boundary`. */
  readonly heatmaps: Float32Array;
  /** Landmarks `[B, K, 2]` in input (crop) pixels. */
  readonly landmarks: Float32Array;
  /** Image -> crop transforms `[B, 6]` (the rows of {@linkcode Affine}s). */
  readonly matrices: Float64Array;
  /** Face index of each sample in its set. */
  readonly faces: Int32Array;
  /** 1 where the sample was mirrored. */
  readonly flipped: Uint8Array;
}

/** One sample to draw: its face, seed, image -> crop transform and crop landmarks. */
export interface Sample {
  readonly face: number;
  readonly seed: number;
  readonly matrix: Affine;
  readonly landmarks: Float32Array;
}

/** Face order of one epoch of a shuffled plan. */
function epochOrder(seed: number, epoch: number, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(mixSeed(seed, epoch, 0x5eed));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * Builds batch `index`: `box` gives each face's box in image pixels, `draw` writes a
 * sample's RGB crop (S x S x 3, [0, 1]) into `rgb`.
 */
export function makeBatchWith(
  plan: PlanBase,
  index: number,
  box: (face: number, landmarks: Float64Array) => readonly [number, number, number, number],
  draw: (sample: Sample, rgb: Float32Array) => void,
): Batch {
  const { batch: b, inputSize: s, heatmapSize: h, count: n, numPoints: k } = plan;
  const layout = getLayout(k);
  const imageChannels = plan.coord ? 6 : 3;
  const images = new Float32Array(b * s * s * imageChannels);
  const landmarks = new Float32Array(b * k * 2);
  const matrices = new Float64Array(b * 6);
  const faces = new Int32Array(b);
  const flipped = new Uint8Array(b);
  const rgb = plan.coord ? new Float32Array(s * s * 3) : null;
  const coords = plan.coord ? coordChannels(s, s) : null;
  let orderEpoch = -1;
  let order: Int32Array | null = null;
  const toHeatmap = heatmapAffine({ inputSize: s, heatmapSize: h });
  const hm = new Float32Array(b * k * 2);
  for (let i = 0; i < b; i++) {
    const g = index * b + i;
    let face: number, seed: number;
    if (plan.shuffle) {
      const epoch = Math.floor(g / n);
      if (epoch !== orderEpoch) {
        order = epochOrder(plan.seed, epoch, n);
        orderEpoch = epoch;
      }
      face = order![g % n]!;
      seed = mixSeed(plan.seed, g);
    } else {
      face = g % n;
      seed = mixSeed(plan.seed, face);
    }
    const src = plan.faces.subarray(face * k * 2, (face + 1) * k * 2);
    let matrix: Affine = faceBoxAffine({ box: box(face, src), size: s, enlarge: plan.enlarge });
    let flip = false;
    if (plan.augment !== null) {
      const aug = randomAugmentation({ ...plan.augment, size: s, seed });
      matrix = composeAffine(matrix, aug.matrix);
      flip = aug.flip;
    }
    const mapped = applyAffine(src, matrix);
    const out = landmarks.subarray(i * k * 2, (i + 1) * k * 2);
    if (flip) {
      layout.flipPermutation.forEach((from, j) => {
        out[2 * j] = mapped[2 * from]!;
        out[2 * j + 1] = mapped[2 * from + 1]!;
      });
    } else out.set(mapped);
    const sample = { face, seed, matrix, landmarks: out };
    if (rgb === null) draw(sample, images.subarray(i * s * s * 3, (i + 1) * s * s * 3));
    else {
      draw(sample, rgb);
      interleave(images, i * s * s * 6, rgb, coords!, s * s);
    }
    applyAffine(out, toHeatmap, { out: hm.subarray(i * k * 2, (i + 1) * k * 2) });
    matrices.set(matrix, i * 6);
    faces[i] = face;
    flipped[i] = flip ? 1 : 0;
  }
  const { heatmaps: nchw } = gaussianHeatmaps(hm, { shape: [b, k, h, h], sigma: plan.sigma });
  const boundary = plan.boundary
    ? boundaryHeatmaps(hm, { shape: [b, 1, h, h], groups: layout.boundaries, sigma: plan.sigma })
    : null;
  const heatmaps = toChannelLast(nchw, boundary, b, k, h * h);
  return { index, images, heatmaps, landmarks, matrices, faces, flipped };
}

/** Builds batch `index` of rendered faces: the box is the landmarks' box. */
export function makeBatch(plan: BatchPlan, index: number): Batch {
  const { inputSize: size, occlusion, blur, noise } = plan;
  return makeBatchWith(plan, index, (_, lm) => landmarksBox(lm), (sample, out) => {
    renderFace(sample.landmarks, {
      size,
      seed: mixSeed(sample.seed, 1),
      occlusion,
      blur,
      noise,
      out,
    });
  });
}

/** Writes RGB pixels followed by the 3 coordinate channels ([3, H, W]) into NHWC, C = 6. */
function interleave(
  dst: Float32Array,
  at: number,
  rgb: Float32Array,
  coords: Float32Array,
  hw: number,
): void {
  for (let p = 0; p < hw; p++) {
    const o = at + 6 * p;
    dst[o] = rgb[3 * p]!;
    dst[o + 1] = rgb[3 * p + 1]!;
    dst[o + 2] = rgb[3 * p + 2]!;
    dst[o + 3] = coords[p]!;
    dst[o + 4] = coords[hw + p]!;
    dst[o + 5] = coords[2 * hw + p]!;
  }
}

/** [B, K, H, W] landmark maps (+ [B, 1, H, W] boundary) -> [B, H, W, K (+1)]. */
function toChannelLast(
  nchw: Float32Array,
  boundary: Float32Array | null,
  b: number,
  k: number,
  hw: number,
): Float32Array {
  const c = k + (boundary === null ? 0 : 1);
  const out = new Float32Array(b * hw * c);
  for (let n = 0; n < b; n++) {
    for (let ch = 0; ch < k; ch++) {
      const src = (n * k + ch) * hw;
      let o = n * hw * c + ch;
      for (let p = 0; p < hw; p++, o += c) out[o] = nchw[src + p]!;
    }
    if (boundary !== null) {
      let o = n * hw * c + k;
      for (let p = 0; p < hw; p++, o += c) out[o] = boundary[n * hw + p]!;
    }
  }
  return out;
}
