import { checkOptions, MAX_ELEMENTS } from "../_validate.ts";
import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { applyAffine } from "../data/apply_affine.ts";
import { faceBoxAffine } from "../data/face_box_affine.ts";
import { invertAffine } from "../data/invert_affine.ts";
import type { RasterImage } from "../data/types.ts";
import { warpAffine } from "../data/warp_affine.ts";
import { _decodeLandmarks } from "./_decode_landmarks.ts";
import { _modelShapes } from "./_model_shapes.ts";
import { predictHeatmaps } from "./predict_heatmaps.ts";

/** Options of {@link predictLandmarks}. */
export interface PredictLandmarksOptions {
  /**
   * Face boxes `[x, y, w, h]` in image pixels, one per image; the crop is the box's square
   * enlarged by `enlarge`. Without a box the crop is the image's centred square.
   */
  boxes?: readonly (readonly [number, number, number, number] | undefined)[];
  /** Enlargement of a given box (the training crops use the landmark box x 1.25). */
  enlarge?: number;
  /** Sigma of the training targets (DARK's blur). Defaults to 1. */
  sigma?: number;
}

/**
 * Locates the landmarks of one face per image with a heatmap model: each image is cropped
 * (its face box enlarged, or its centred square) and resampled to the model's input size,
 * the heatmaps are decoded with DARK (each point clamped to the heatmap) and the landmarks
 * mapped back to the image's pixels.
 *
 * @example An untrained network still returns K points per image, inside the crop (the
 * centred 40 x 40 square of a 40 x 30 image)
 * ```ts
 * import { createHeatmapModel, predictLandmarks } from "@facealign/awing/train";
 * import { equal, ok } from "node:assert/strict";
 * const model = createHeatmapModel({ width: 4, levels: 1, numLandmarks: 5, inputSize: 16 });
 * const image = { data: new Uint8Array(40 * 30 * 3).fill(128), width: 40, height: 30, channels: 3 as const };
 * const points = predictLandmarks(model, [image]);
 * equal(points.length, 5 * 2);
 * ok(points.every((v) => v >= -5.5 && v <= 39.5));
 * model.dispose();
 * ```
 *
 * @param model A model from {@link createHeatmapModel} or {@link loadCheckpoint}.
 * @param images 8-bit images (RGB, RGBA or grey).
 * @param options Face boxes, enlargement, sigma.
 * @returns Landmarks `[N, K, 2]` in image pixels.
 * @throws {TypeError} When `images` is not an array, or `boxes` does not have one entry per
 * image.
 * @throws {RangeError} When the crops of all the images would have more than 2^31 - 1
 * values (checked before they are allocated).
 */
export function predictLandmarks(
  model: tfl.LayersModel,
  images: readonly RasterImage[],
  options: PredictLandmarksOptions = {},
): Float32Array {
  checkOptions(options, "predict landmarks");
  const action = "predict landmarks";
  const { s, h } = _modelShapes(model, action);
  if (!Array.isArray(images)) {
    throw new TypeError(`Cannot ${action}: "images" must be an array of images`);
  }
  const n = images.length;
  if (n * s * s * 3 > MAX_ELEMENTS) {
    throw new RangeError(
      `Cannot ${action} as the ${n} crops of ${s} x ${s} x 3 must have at most ${MAX_ELEMENTS} values: current value is ${
        n * s * s * 3
      } (predict fewer images at a time)`,
    );
  }
  if (options.boxes !== undefined && options.boxes.length !== n) {
    throw new TypeError(
      `Cannot ${action}: "boxes" has ${options.boxes.length} entries but there are ${n} images`,
    );
  }
  const crops = new Float32Array(n * s * s * 3);
  const matrices = images.map((image, i) => {
    const box = options.boxes?.[i];
    const matrix = box === undefined
      ? faceBoxAffine({ box: [0, 0, image.width, image.height], size: s, enlarge: 1 })
      : faceBoxAffine({ box, size: s, enlarge: options.enlarge ?? 1.25 });
    const scale = image.data instanceof Uint8Array ? 1 / 255 : 1;
    warpAffine(image, matrix, {
      width: s,
      height: s,
      channels: 3,
      scale,
      out: crops.subarray(i * s * s * 3, (i + 1) * s * s * 3),
    });
    return invertAffine(matrix);
  });
  const { heatmaps, shape } = predictHeatmaps(model, crops);
  const c = shape[1];
  const k = c - ((model.getUserDefinedMetadata() as { awing?: { boundary?: boolean } })?.awing
      ?.boundary
    ? 1
    : 0);
  const crop = _decodeLandmarks(heatmaps, shape, k, options.sigma ?? 1, s / h);
  matrices.forEach((m, i) => {
    const face = crop.subarray(2 * i * k, 2 * (i + 1) * k);
    applyAffine(face, m, { out: face });
  });
  return crop;
}
