import { checkOptions } from "../_validate.ts";
import { squareCrop } from "./_square_crop.ts";
import type { Affine } from "./types.ts";

/** Options of {@linkcode centerScaleAffine}. */
export interface CenterScaleAffineOptions {
  /** Crop centre `[x, y]` in image pixels (e.g. an HRNet CSV's `center`). */
  readonly center: readonly [x: number, y: number];
  /** HRNet scale: the crop square's side is `pixelsPerScale * scale` image pixels. */
  readonly scale: number;
  /** Side of the (square) crop in pixels, e.g. 256. */
  readonly size: number;
  /** Rotation in degrees; positive turns the content counter-clockwise on screen. Default 0. */
  readonly rotation?: number;
  /** Image pixels per unit of scale. Default 200 (HRNet, face-alignment, official AWing). */
  readonly pixelsPerScale?: number;
}

/**
 * The HRNet / FAN center-scale crop as an image -> crop affine: the square of side
 * `200 * scale` centred at `center` becomes a `size x size` crop, optionally rotated about
 * its centre. Its inverse ({@linkcode invertAffine}) maps crop coordinates back to the image.
 *
 * Continuous pixel-centre convention (pixel j has its centre at x = j): the square's edges
 * map to the crop's pixel edges (-0.5 and size - 0.5) and its centre to size / 2 - 0.5.
 * HRNet's `transform_pixel` additionally truncates to integers and works 1-based; that
 * rounding is deliberately not reproduced.
 *
 * @param options Centre, scale, crop size, rotation.
 * @returns The image -> crop transform.
 * @throws {RangeError} If a value is not finite, the scale is not > 0, the size is not a
 * whole number in [1, 16384], the rotation is outside [-360, 360], or the transform has an
 * entry float64 cannot hold (a crop far too small or too far away).
 *
 * @example A 300W CSV face (scale 1.5, so a 300 px square) into a 256 crop
 * ```ts
 * import { applyAffine, centerScaleAffine } from "@facealign/awing/data";
 * import { ok } from "node:assert/strict";
 *
 * const m = centerScaleAffine({ center: [400, 300], scale: 1.5, size: 256 });
 * const [x, y] = applyAffine(new Float64Array([400 + 150, 300]), m);
 * ok(Math.abs(x! - 255.5) < 1e-9 && Math.abs(y! - 127.5) < 1e-9); // right edge, middle
 * ```
 */
export function centerScaleAffine(options: CenterScaleAffineOptions): Affine {
  const action = "compute center-scale crop";
  checkOptions(options, action);
  const o = options;
  if (typeof o !== "object" || o === null || !Array.isArray(o.center)) {
    throw new TypeError(`Cannot ${action}: "options.center" must be [x, y]`);
  }
  const per = o.pixelsPerScale ?? 200;
  if (!(Number.isFinite(per) && per > 0)) {
    throw new RangeError(
      `Cannot ${action} as pixelsPerScale must be > 0: current value is ${per}`,
    );
  }
  if (!(Number.isFinite(o.scale) && o.scale > 0)) {
    throw new RangeError(`Cannot ${action} as scale must be > 0: current value is ${o.scale}`);
  }
  return squareCrop(o.center[0], o.center[1], per * o.scale, o.size, o.rotation ?? 0, action);
}
