import { checkOptions } from "../_validate.ts";
import { squareCrop } from "./_square_crop.ts";
import type { Affine } from "./types.ts";

/** Options of {@linkcode faceBoxAffine}. */
export interface FaceBoxAffineOptions {
  /**
   * Face box `[x, y, w, h]` in image pixels (left, top, width, height), e.g. a detector's
   * box, COFW's box, or {@linkcode landmarksBox} of the ground truth.
   */
  readonly box: readonly [x: number, y: number, w: number, h: number];
  /** Side of the (square) crop in pixels, e.g. 256. */
  readonly size: number;
  /**
   * Enlargement factor: the crop square's side is `enlarge * max(w, h)`, centred on the
   * box. Default 1.25 (HRNet's 300W factor).
   */
  readonly enlarge?: number;
  /** Rotation in degrees; positive turns the content counter-clockwise on screen. Default 0. */
  readonly rotation?: number;
}

/**
 * The face-box crop as an image -> crop affine: the square of side `enlarge * max(w, h)`
 * centred on the box becomes a `size x size` crop (a similarity transform, so the aspect
 * ratio is kept). Invert it with {@linkcode invertAffine} to map crop coordinates back.
 *
 * Pixel-centre convention: the square's edges land on the crop's pixel edges (-0.5 and
 * size - 0.5), its centre `(x + w / 2, y + h / 2)` on (size / 2 - 0.5, size / 2 - 0.5).
 *
 * @param options Box, crop size, enlargement, rotation.
 * @returns The image -> crop transform.
 * @throws {TypeError} If `box` is not an array of 4 numbers.
 * @throws {RangeError} If a value is not finite, the box is empty (w and h both 0), the
 * enlargement is not > 0, the size is not a whole number in [1, 16384], the rotation is
 * outside [-360, 360], or the transform has an entry float64 cannot hold (a box far too
 * small or too far away).
 *
 * @example The box's corners in a 64 px crop without enlargement
 * ```ts
 * import { applyAffine, faceBoxAffine } from "@facealign/awing/data";
 * import { deepEqual } from "node:assert/strict";
 *
 * const m = faceBoxAffine({ box: [0, 32, 128, 128], size: 64, enlarge: 1 });
 * deepEqual(applyAffine(new Float64Array([0, 32, 128, 160]), m), new Float64Array([-0.5, -0.5, 63.5, 63.5]));
 * ```
 */
export function faceBoxAffine(options: FaceBoxAffineOptions): Affine {
  const action = "compute face-box crop";
  checkOptions(options, action);
  const box = options?.box;
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === "number")) {
    throw new TypeError(`Cannot ${action}: "box" must be [x, y, w, h]`);
  }
  const [x, y, w, h] = box;
  const enlarge = options.enlarge ?? 1.25;
  if (!(Number.isFinite(enlarge) && enlarge > 0)) {
    throw new RangeError(`Cannot ${action} as enlarge must be > 0: current value is ${enlarge}`);
  }
  if (!(w >= 0 && h >= 0 && Math.max(w, h) > 0 && Number.isFinite(w) && Number.isFinite(h))) {
    throw new RangeError(
      `Cannot ${action} as the box must have a finite, non-negative width and height, not both 0: current value is [${
        box.join(", ")
      }]`,
    );
  }
  return squareCrop(
    x + w / 2,
    y + h / 2,
    enlarge * Math.max(w, h),
    options.size,
    options.rotation ?? 0,
    action,
  );
}
