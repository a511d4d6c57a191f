import { checkOptions } from "../_validate.ts";
import { getLayout, type LandmarkLayout, type LayoutName } from "../layouts/mod.ts";
import { checkAffine, checkLandmarks } from "./_check.ts";
import { applyAffine } from "./apply_affine.ts";
import { composeAffine } from "./compose_affine.ts";
import { type AugmentationRanges, randomAugmentation } from "./random_augmentation.ts";
import type { Affine, Landmarks, RasterImage } from "./types.ts";
import { warpAffine } from "./warp_affine.ts";

/** Options of {@linkcode augmentSample}. */
export interface AugmentSampleOptions extends AugmentationRanges {
  /** Image -> crop transform, e.g. {@linkcode faceBoxAffine} of the face box. */
  readonly crop: Affine;
  /** Side of the square output crop in pixels. */
  readonly size: number;
  /** Layout whose flip pairs re-order the landmarks of a mirrored sample. */
  readonly layout: LayoutName | number | LandmarkLayout;
  /** Seed: the same seed gives the same sample. */
  readonly seed: number;
  /** Output channels (see {@linkcode warpAffine}). Default 3. */
  readonly channels?: 1 | 3 | 4;
  /** Factor on the output values, e.g. 1 / 255 for 8-bit input. Default 1. */
  readonly valueScale?: number;
  /** Value of pixels outside the source image (before `valueScale`). Default 0. */
  readonly fill?: number;
}

/** What {@linkcode augmentSample} returns. */
export interface AugmentedSample<T extends Landmarks> {
  /** The augmented crop, `size x size x channels`, Float32Array data. */
  readonly image: RasterImage & { readonly data: Float32Array };
  /** The landmarks in crop pixels (same type as the input), re-ordered when flipped. */
  readonly landmarks: T;
  /** The full image -> crop transform (invert it to map predictions back). */
  readonly matrix: Affine;
  /** Whether the sample was mirrored. */
  readonly flipped: boolean;
}

/**
 * Crops and augments one face: draws a {@linkcode randomAugmentation} from the seed,
 * composes it after the crop, warps the image with the result ({@linkcode warpAffine}) and
 * maps the landmarks with the same matrix, re-ordering them by the layout's flip pairs when
 * the sample is mirrored, so that image and landmarks stay aligned and index k keeps its
 * meaning (the image-left eye corner stays the image-left eye corner).
 *
 * @param image The source image.
 * @param landmarks The face's landmarks `[K, 2]` in image pixels.
 * @param options Crop, output size, layout, seed, ranges, channels, value scale, fill.
 * @returns The crop, its landmarks, the transform and the flip flag.
 * @throws {TypeError} If the image, landmarks or crop are malformed, or K does not match
 * the layout.
 * @throws {RangeError} For out-of-range sizes, seeds or ranges (see
 * {@linkcode randomAugmentation}).
 *
 * @example A mark follows its landmark through the augmentation
 * ```ts
 * import { augmentSample, faceBoxAffine } from "@facealign/awing/data";
 * import { ok } from "node:assert/strict";
 *
 * const data = new Uint8Array(100 * 100); // grey, one bright pixel at (60, 30)
 * data[30 * 100 + 60] = 255;
 * const image = { data, width: 100, height: 100, channels: 1 as const };
 * const lm = new Float64Array(58).fill(50); // 29 COFW points, point 0 on the mark
 * lm[0] = 60;
 * lm[1] = 30;
 * const s = augmentSample(image, lm, {
 *   crop: faceBoxAffine({ box: [0, 0, 100, 100], size: 64, enlarge: 1 }),
 *   size: 64, layout: "cofw", seed: 3, flip: 0, channels: 1, valueScale: 1 / 255,
 * });
 * const x = Math.round(s.landmarks[0]!), y = Math.round(s.landmarks[1]!);
 * let best = 0;
 * for (let i = 0; i < s.image.data.length; i++) if (s.image.data[i]! > s.image.data[best]!) best = i;
 * ok(Math.abs((best % 64) - x) <= 1 && Math.abs(Math.floor(best / 64) - y) <= 1);
 * ```
 */
export function augmentSample<T extends Landmarks>(
  image: RasterImage,
  landmarks: T,
  options: AugmentSampleOptions,
): AugmentedSample<T> {
  const action = "augment sample";
  checkOptions(options, action);
  const layout = getLayout(options?.layout);
  checkLandmarks(landmarks, "landmarks", action);
  if (landmarks.length !== 2 * layout.numPoints) {
    throw new TypeError(
      `Cannot ${action}: "landmarks" has ${landmarks.length} elements but layout "${layout.name}" has ${
        2 * layout.numPoints
      }`,
    );
  }
  const crop = checkAffine(options.crop, "crop", action);
  const aug = randomAugmentation(options); // the size, seed and ranges
  const matrix = composeAffine(crop, aug.matrix);
  const warped = warpAffine(image, matrix, {
    width: options.size,
    height: options.size,
    channels: options.channels ?? 3,
    fill: options.fill ?? 0,
    scale: options.valueScale ?? 1,
  });
  const mapped = applyAffine(landmarks, matrix);
  const out = aug.flip ? permute(mapped, layout.flipPermutation) : mapped;
  return { image: warped, landmarks: out, matrix, flipped: aug.flip };
}

/** Re-orders the points of one face: point k of the result is point perm[k] of the input. */
function permute<T extends Landmarks>(lm: T, perm: readonly number[]): T {
  const out = new (lm.constructor as new (n: number) => T)(lm.length);
  perm.forEach((src, k) => {
    out[2 * k] = lm[2 * src]!;
    out[2 * k + 1] = lm[2 * src + 1]!;
  });
  return out;
}
