/**
 * Types shared by the data module: affine transforms and raster images.
 *
 * @module
 */

/**
 * A 2-D affine transform as a 2 x 3 matrix, row-major (the OpenCV / HRNet layout):
 * `x' = a x + b y + c` and `y' = d x + e y + f`. Coordinates follow the project's pixel
 * convention: pixel (row i, column j) has its centre at (x = j, y = i).
 *
 * @example The identity and a shift by (3, 4)
 * ```ts
 * import { applyAffine, type Affine } from "@facealign/awing/data";
 * import { deepEqual } from "node:assert/strict";
 *
 * const shift: Affine = [1, 0, 3, 0, 1, 4];
 * deepEqual(applyAffine(new Float64Array([1, 1]), shift), new Float64Array([4, 5]));
 * ```
 */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/**
 * An image as a row-major, channel-last (H x W x C) buffer: the value of channel c at row i,
 * column j is `data[(i * width + j) * channels + c]`. 8-bit images hold 0..255; float images
 * usually hold [0, 1].
 *
 * @example A 2 x 1 RGB image
 * ```ts
 * import type { RasterImage } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * const image: RasterImage = {
 *   data: new Uint8Array([255, 0, 0, 0, 0, 255]),
 *   width: 1,
 *   height: 2,
 *   channels: 3,
 * };
 * equal(image.data[(1 * image.width + 0) * image.channels + 2], 255); // row 1 is blue
 * ```
 */
export interface RasterImage {
  /** The samples, `height * width * channels` of them. */
  readonly data: Uint8Array | Float32Array;
  /** Columns W. */
  readonly width: number;
  /** Rows H. */
  readonly height: number;
  /** Channels C: 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: 1 | 3 | 4;
}

/**
 * Landmarks `[N, K, 2]` (x, y), row-major, in either float type.
 *
 * @example Two points of one face, in float32 or float64
 * ```ts
 * import { applyAffine, type Landmarks } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * const faces: Landmarks[] = [new Float32Array([1, 2, 3, 4]), new Float64Array([1, 2, 3, 4])];
 * for (const lm of faces) equal(applyAffine(lm, [2, 0, 0, 0, 2, 0])[3], 8);
 * ```
 */
export type Landmarks = Float32Array | Float64Array;
