import { checkOptions } from "../_validate.ts";
import { checkInt, checkRange, checkSeed, MAX_SIDE } from "./_check.ts";
import { Rng } from "./_rng.ts";
import type { Affine } from "./types.ts";

/** Ranges of {@linkcode randomAugmentation} (and of `augmentSample`). */
export interface AugmentationRanges {
  /** Largest rotation in degrees; the angle is uniform in [-rotation, rotation]. Default 30. */
  readonly rotation?: number;
  /** Range `[min, max]` of the zoom factor, uniform. Default [0.8, 1.2]. */
  readonly scale?: readonly [min: number, max: number];
  /** Largest shift along each axis as a fraction of the crop size, uniform. Default 0.05. */
  readonly translation?: number;
  /** Probability of a horizontal flip. Default 0.5. */
  readonly flip?: number;
}

/** Options of {@linkcode randomAugmentation}. */
export interface RandomAugmentationOptions extends AugmentationRanges {
  /** Side of the square crop the transform acts on (it turns and zooms about its centre). */
  readonly size: number;
  /** Seed: the same seed gives the same transform. */
  readonly seed: number;
}

/** A random augmentation: one affine for image and landmarks, and whether it mirrors. */
export interface Augmentation {
  /**
   * Crop -> augmented crop: zoom and rotation about the crop centre, a shift, then the
   * mirror `x -> size - 1 - x` when `flip` is true.
   */
  readonly matrix: Affine;
  /**
   * Whether the matrix mirrors: landmarks mapped by it must then be re-ordered by the
   * layout's flip pairs (`augmentSample` does it) so that index k keeps its meaning.
   */
  readonly flip: boolean;
}

/**
 * Draws a random rotation, zoom, shift and horizontal flip as one affine acting on a square
 * crop, from a seed (same seed, same result). Compose it after a crop
 * (`composeAffine(crop, aug.matrix)`) and use the result for both the image
 * ({@linkcode warpAffine}) and the landmarks ({@linkcode applyAffine}, then the flip
 * permutation when `flip`), or let {@linkcode augmentSample} do all of it.
 *
 * @param options Crop size, seed and ranges.
 * @returns The transform and the flip flag.
 * @throws {RangeError} If the size is not a whole number in [1, 16384], the seed is not a
 * safe integer, rotation is outside [0, 180], a scale bound is not > 0 or min > max,
 * translation is outside [0, 1], or flip is outside [0, 1].
 *
 * @example Deterministic, and the crop centre stays put without shift
 * ```ts
 * import { applyAffine, randomAugmentation } from "@facealign/awing/data";
 * import { deepEqual, ok } from "node:assert/strict";
 *
 * const a = randomAugmentation({ size: 64, seed: 7, translation: 0 });
 * deepEqual(randomAugmentation({ size: 64, seed: 7, translation: 0 }), a);
 * const [x, y] = applyAffine(new Float64Array([31.5, 31.5]), a.matrix);
 * ok(Math.abs(x! - 31.5) < 1e-9 && Math.abs(y! - 31.5) < 1e-9);
 * ```
 */
export function randomAugmentation(options: RandomAugmentationOptions): Augmentation {
  const action = "draw augmentation";
  checkOptions(options, action);
  const size = checkInt(options?.size, "size", 1, MAX_SIDE, action);
  const seed = checkSeed(options.seed, action);
  const r = checkRange(options.rotation ?? 30, "rotation", 0, 180, action);
  const [s0, s1] = options.scale ?? [0.8, 1.2];
  if (!(Number.isFinite(s0) && Number.isFinite(s1) && s0 > 0 && s0 <= s1)) {
    throw new RangeError(
      `Cannot ${action} as scale must be [min, max] with 0 < min <= max: current value is [${s0}, ${s1}]`,
    );
  }
  const t = checkRange(options.translation ?? 0.05, "translation", 0, 1, action);
  const p = checkRange(options.flip ?? 0.5, "flip", 0, 1, action);
  const rng = new Rng(seed);
  const angle = (rng.uniform(-r, r) * Math.PI) / 180;
  const zoom = s0 * Math.pow(s1 / s0, rng.next()); // log-uniform
  const tx = rng.uniform(-t, t) * size, ty = rng.uniform(-t, t) * size;
  const flip = rng.next() < p;
  const c = size / 2 - 0.5;
  const cos = Math.cos(angle) * zoom, sin = Math.sin(angle) * zoom;
  // x' = R (x - c) + c + shift, R turning the content counter-clockwise on screen.
  let m: [number, number, number, number, number, number] = [
    cos,
    sin,
    c + tx - cos * c - sin * c,
    -sin,
    cos,
    c + ty + sin * c - cos * c,
  ];
  if (flip) m = [-m[0], -m[1], size - 1 - m[2], m[3], m[4], m[5]];
  return { matrix: m, flip };
}
