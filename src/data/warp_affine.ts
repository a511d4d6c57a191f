import { checkOptions, F32_MAX } from "../_validate.ts";
import { checkAffine, checkImage, checkInt, MAX_SIDE } from "./_check.ts";
import { checkNoOverlap } from "../_overlap.ts";
import { invertAffine } from "./invert_affine.ts";
import type { Affine, RasterImage } from "./types.ts";

/** Options of {@linkcode warpAffine}. */
export interface WarpAffineOptions {
  /** Output columns. */
  readonly width: number;
  /** Output rows. */
  readonly height: number;
  /**
   * Output channels. Default: the input's. Fewer than the input keeps the first ones (RGBA ->
   * RGB drops alpha); a grey input may be spread to 3 or 4 equal channels.
   */
  readonly channels?: 1 | 3 | 4;
  /** Value of samples outside the source image, before `scale`. Default 0. */
  readonly fill?: number;
  /** Factor applied to every output value, e.g. 1 / 255 for [0, 1] floats. Default 1. */
  readonly scale?: number;
  /** Output buffer of `height * width * channels` floats, fully overwritten. */
  readonly out?: Float32Array;
}

/** Float32 sources: every output value must be finite (a source value or scale may overflow). */
function checkFiniteOutput(out: Float32Array, width: number, oc: number, action: string): void {
  for (let o = 0; o < out.length; o++) {
    if (!Number.isFinite(out[o])) {
      const p = Math.floor(o / oc);
      throw new RangeError(
        `Cannot ${action} as the output must be finite: pixel (${p % width}, ${
          Math.floor(p / width)
        }) is ${
          out[o]
        } (the image holds a non-finite value, or scale times a value overflows float32)`,
      );
    }
  }
}

/**
 * Resamples an image through an affine transform, bilinearly: output pixel (j, i) takes the
 * source value at `invertAffine(matrix)` applied to (j, i), interpolated between the four
 * nearest source pixel centres (taps outside the source count as `fill`). `matrix` maps
 * source to output coordinates, the same matrix that maps the landmarks
 * ({@linkcode applyAffine}), so warped image and mapped landmarks stay aligned.
 *
 * Minification is not low-pass filtered: for crops much smaller than the face, blur or
 * shrink the source first.
 *
 * @param image The source, H x W x C (8-bit or float).
 * @param matrix Source -> output transform, e.g. a {@linkcode faceBoxAffine} crop.
 * @param options Output size and channels, fill value, scale, output buffer.
 * @returns The output image, Float32Array data.
 * @throws {TypeError} If the image or matrix is malformed, or `out` does not fit or shares
 * memory with the image.
 * @throws {RangeError} If the matrix is not finite or not invertible, a size is not a whole
 * number in [1, 16384], the channels cannot be produced from the input's, `fill` or `scale`
 * is not finite or `scale` times `fill` (or 255, for 8-bit images) overflows float32, or an
 * output value of a float image is not finite (`out` is then partly written). Output pixels
 * whose source position is too far away to be finite get `fill`, as any outside pixel does.
 *
 * @example Sample half-way between pixel centres
 * ```ts
 * import { warpAffine } from "@facealign/awing/data";
 * import { deepEqual } from "node:assert/strict";
 *
 * const image = { data: new Uint8Array([0, 100, 200]), width: 3, height: 1, channels: 1 as const };
 * // Shift left by half a pixel: output x' = x - 0.5, so output pixel j samples x = j + 0.5.
 * const out = warpAffine(image, [1, 0, -0.5, 0, 1, 0], { width: 2, height: 1, scale: 0.01 });
 * deepEqual(Array.from(out.data), [0.5, 1.5]);
 * ```
 */
export function warpAffine(
  image: RasterImage,
  matrix: Affine,
  options: WarpAffineOptions,
): RasterImage & { readonly data: Float32Array } {
  const action = "warp image";
  checkOptions(options, action);
  const { data: src, width: sw, height: sh, channels: sc } = checkImage(image, "image", action);
  checkAffine(matrix, "matrix", action);
  const width = checkInt(options?.width, "width", 1, MAX_SIDE, action);
  const height = checkInt(options.height, "height", 1, MAX_SIDE, action);
  const oc = options.channels ?? sc;
  if (!((oc === 1 || oc === 3 || oc === 4) && (oc <= sc || sc === 1))) {
    throw new RangeError(
      `Cannot ${action} as channels must be 1, 3 or 4 and at most the input's ${sc} (or any from grey): current value is ${oc}`,
    );
  }
  const fill = options.fill ?? 0;
  const scale = options.scale ?? 1;
  if (!Number.isFinite(fill) || !Number.isFinite(scale)) {
    throw new RangeError(
      `Cannot ${action} as fill and scale must be finite: current values are ${fill} and ${scale}`,
    );
  }
  // every output value is scale times a blend of samples (or fill): keep it a float32
  const largest = Math.abs(scale) * Math.max(Math.abs(fill), src instanceof Uint8Array ? 255 : 0);
  if (!(largest <= F32_MAX)) {
    throw new RangeError(
      `Cannot ${action} as scale times fill (or 255) must fit a float32: current values are scale ${scale} and fill ${fill}`,
    );
  }
  const size = width * height * oc;
  const out = options.out ?? new Float32Array(size);
  if (!(out instanceof Float32Array) || out.length !== size) {
    throw new TypeError(`Cannot ${action}: "out" must be a Float32Array of ${size} elements`);
  }
  checkNoOverlap([["out", out]], [["image.data", src]], action);
  const [a, b, c, d, e, f] = invertAffine(matrix);
  const grey = sc === 1;
  const fillScaled = fill * scale;
  for (let i = 0; i < height; i++) {
    let sx = b * i + c, sy = e * i + f;
    let o = i * width * oc;
    for (let j = 0; j < width; j++, sx += a, sy += d, o += oc) {
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh) {
        const p00 = (y0 * sw + x0) * sc;
        const p10 = p00 + sc, p01 = p00 + sw * sc, p11 = p01 + sc;
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        for (let ch = 0; ch < oc; ch++) {
          const k = grey ? 0 : ch;
          out[o + ch] = scale *
            (w00 * src[p00 + k]! + w10 * src[p10 + k]! + w01 * src[p01 + k]! +
              w11 * src[p11 + k]!);
        }
      } else if (!(x0 >= -1 && y0 >= -1 && x0 < sw && y0 < sh)) {
        // outside, also where a far-away coordinate is no longer finite
        for (let ch = 0; ch < oc; ch++) out[o + ch] = fillScaled;
      } else {
        for (let ch = 0; ch < oc; ch++) {
          const k = grey ? 0 : ch;
          let v = 0;
          for (let t = 0; t < 4; t++) {
            const x = x0 + (t & 1), y = y0 + (t >> 1);
            const w = ((t & 1) ? fx : 1 - fx) * ((t >> 1) ? fy : 1 - fy);
            v += w * (x >= 0 && y >= 0 && x < sw && y < sh ? src[(y * sw + x) * sc + k]! : fill);
          }
          out[o + ch] = scale * v;
        }
      }
    }
  }
  if (src instanceof Float32Array) checkFiniteOutput(out, width, oc, action);
  return { data: out, width, height, channels: oc };
}
