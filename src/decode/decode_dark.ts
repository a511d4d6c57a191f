import { checkSigma } from "../_validate.ts";
import { f32At, wasm } from "../_wasm.ts";
import { ACTION, runDecode } from "./_run_decode.ts";
import { cvGaussianKernel, matchedKernelSize } from "./_cv_kernel.ts";
import type { FloatArray } from "../types.ts";
import type { DecodeOptions, DecodeResult } from "./types.ts";
import { darkStep } from "./_dark_step.ts";

// the block indices (row-major 5 x 5, centre 12) read by the Taylor step
const STENCIL: readonly number[] = [12, 11, 13, 10, 14, 7, 17, 2, 22, 6, 8, 16, 18];

/** Options of {@link decodeDark}. */
export interface DarkOptions extends DecodeOptions {
  /**
   * The sigma of the training targets, which picks the blur: kernel size
   * 2 round((sigma - 0.8) / 0.3 + 1) + 1, OpenCV's rule sigma = 0.3 ((k - 1) / 2 - 1) + 0.8
   * inverted (5 for sigma 1, 9 for 1.75, 11 for 2, 17 for 3). Defaults to 1.
   *
   * mmpose's `MSRAHeatmap` does not derive the size: it defaults to 11 whatever sigma is, and
   * its comment pairs sigma about 1 with kernel 3. awing takes 5 for sigma 1 (OpenCV's fixed
   * binomial 1 4 6 4 1 / 16, std 1) because it measured more accurate on noisy sigma-1 maps:
   * with Gaussian noise of sd 0.07 the mean error is 0.073-0.075 px for kernel 5 against
   * 0.080 for 3, 0.082-0.084 for 7 and 0.113-0.114 for 11 (`tests/decode_test.ts` prints
   * it). On noise-free maps the larger kernels win (0.0028 px for 7, 0.0040 for 11, 0.0061
   * for 5, 0.0093 for 3); pass `kernelSize` to choose.
   */
  sigma?: number | undefined;
  /** The blur kernel size (odd, >= 3), overriding the one matched to `sigma`. */
  kernelSize?: number | undefined;
}

/**
 * Decodes heatmaps with DARK (Zhang et al., CVPR 2020), as DarkPose
 * (`lib/core/inference.py`) does it:
 * 1. m = the first maximum of each channel (the confidence is that maximum);
 * 2. h' = the channel blurred with `cv2.getGaussianKernel(k, 0)` in both directions (zero
 *    padding outside the map), rescaled to the original maximum, D = ln(max(h', 1e-10));
 * 3. when 1 < x < W - 2 and 1 < y < H - 2, one Newton step mu = m - H^-1 grad D with central
 *    differences: Dx = (D[x+1] - D[x-1]) / 2, Dxx = (D[x+2] - 2 D[x] + D[x-2]) / 4,
 *    Dxy = (D[x+1,y+1] - D[x-1,y+1] - D[x+1,y-1] + D[x-1,y-1]) / 4 (same for y); skipped
 *    when det H = 0 or when the blurred maximum is <= 0 (possible only with negative values).
 *
 * A blurred maximum <= 0 is where awing departs from the originals, on purpose: the result
 * stays at the argmax. DarkPose and mmpose rescale anyway: a negative blurred maximum makes
 * the factor negative, flipping the signs of the blurred map, and the step is finite but
 * meaningless; exactly 0 makes it infinite, and the step is NaN when a stencil value is 0
 * as well (otherwise the 1e-10 clamp makes every log equal and no step is taken). Tested on
 * both cases against a port of mmpose's `refine_keypoints_dark`.
 *
 * The blur runs in the WASM core (separable, f32), only for channels that get the Newton
 * step, and only on the 5 x 5 block the step reads unless the 1e-10 clamp can bite: the
 * rescaling adds a constant to D, invisible to its derivatives, so the whole-map blur (SIMD)
 * that finds max(h') is run only when a stencil value is below 2e-10. Argmax runs in SIMD.
 * OpenCV's kernel is used as is, including its fixed tables for sizes up to 7 (size 5 is the
 * binomial 1 4 6 4 1 / 16, std 1), so with `kernelSize` this reproduces DarkPose and
 * mmpose's `refine_keypoints_dark` for any size. For a channel whose maximum is <= 0
 * DarkPose returns (0, 0) and mmpose (-1, -1); here the coordinates stay at the argmax.
 *
 * Round trips (tested): on unbiased targets 8 px or more from the border (64 x 64) the
 * measured mean error is 0.006 px for sigma 1 (max 0.0095 per axis) and 0.0004 px for
 * sigma 2, unbiased: the blur of a sampled, truncated Gaussian is not exactly Gaussian,
 * which is DARK's own bias. Official targets (`mode: "official"`) carry no sub-pixel
 * information and are symmetric about floor(x): they decode to floor(x), 0.5 px low on
 * average; `decodeQuarterOffset` with `frame: "native"` is their unbiased decoder.
 *
 * @example A sub-pixel Gaussian decodes to its centre
 * ```ts
 * import { decodeDark } from "@facealign/awing/decode";
 * import { gaussianHeatmaps } from "@facealign/awing/heatmap";
 * import { ok } from "node:assert/strict";
 * const { heatmaps } = gaussianHeatmaps(new Float32Array([20.3, 31.8]), {
 *   shape: [1, 1, 64, 64],
 * });
 * const { landmarks } = decodeDark(heatmaps, { shape: [1, 1, 64, 64] });
 * ok(Math.abs(landmarks[0]! - 20.3) < 0.02 && Math.abs(landmarks[1]! - 31.8) < 0.02);
 * ```
 *
 * @param heatmaps Heatmaps `[N, K, H, W]`, float32 or float64 (decoded in float32).
 * @param options Shape (required), sigma or kernel size, output buffers.
 * @returns Landmarks `[N, K, 2]` (pixel-centre frame) and confidence `[N, K]`.
 * @throws {TypeError} When the length does not match the shape, or an output shares memory with
 * `heatmaps` or with the other output.
 * @throws {RangeError} For sigma <= 0, a kernel size that is not odd and >= 3, a NaN or
 * infinite value (naming its index), or an empty batch.
 */
export function decodeDark(heatmaps: FloatArray, options: DarkOptions): DecodeResult {
  const sigma = options?.sigma ?? 1;
  checkSigma(sigma, ACTION);
  const size = options?.kernelSize ?? matchedKernelSize(sigma);
  if (!(Number.isInteger(size) && size >= 3 && size % 2 === 1)) {
    throw new RangeError(
      `Cannot ${ACTION} as kernelSize must be an odd whole number >= 3: current value is ${size}`,
    );
  }
  const r = (size - 1) / 2;
  const kernel = cvGaussianKernel(size);
  const h = options?.shape?.[2], w = options?.shape?.[3];
  return runDecode(heatmaps, options, {
    argmax: true,
    extra: (h, w) => [
      size * 4,
      h * w * 4,
      (w + 2 * r + 4 + h * 4 * Math.ceil(w / 4)) * 4,
      25 * 4,
      5 * (2 * r + 5) * 4,
    ],
    run({ c0, cc, ptr, argIndex, argValue, extra }, { landmarks, confidence }): void {
      const [pKern, pBlur, pScratch, pBlock, pBlockScratch] = extra as [
        number,
        number,
        number,
        number,
        number,
      ];
      const core = wasm();
      f32At(pKern, size).set(kernel);
      const block = f32At(pBlock, 25);
      for (let c = 0; c < cc; c++) {
        const idx = argIndex[c]!;
        const x = idx % w, y = (idx - x) / w;
        let mx = x, my = y;
        if (x > 1 && x < w - 2 && y > 1 && y < h - 2) {
          const src = ptr + c * h * w * 4;
          // the blurred 5 x 5 block around the maximum: all the Taylor step reads
          core.blur_block5(src, h, w, pKern, r, x, y, pBlockScratch, pBlock);
          let low = Infinity;
          for (const q of STENCIL) low = Math.min(low, block[q]!);
          // D = ln(max(h' * scale, 1e-10)), scale = max / max(h'): the scale only shifts D by a
          // constant, which no derivative sees, unless the clamp bites. Blurring cannot raise
          // the maximum (scale >= 1 up to rounding), so above 2e-10 the full blur is not needed.
          let scale = 1;
          let refine = true;
          if (!(low >= 2e-10)) {
            const peak = core.blur_channel(pBlur, src, h, w, pKern, r, pScratch);
            scale = argValue[c]! / peak;
            refine = peak > 0;
          }
          if (refine) {
            const D = (i: number, j: number): number =>
              Math.log(Math.max(block[(i + 2) * 5 + j + 2]! * scale, 1e-10));
            [mx, my] = darkStep(D, x, y);
          }
        }
        landmarks[2 * (c0 + c)] = mx;
        landmarks[2 * (c0 + c) + 1] = my;
        confidence[c0 + c] = argValue[c]!;
      }
    },
  });
}
