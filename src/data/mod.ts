/**
 * The data side of training: crops as affine transforms with their inverses (image <-> crop
 * <-> heatmap), landmark stacking, bilinear image warping, seeded augmentation (rotation,
 * zoom, shift, mirror with the layout's flip pairs), a face renderer that draws a face from
 * a real 68-point landmark set, the "rendered 300W" split, and a Worker-backed batch source
 * whose channel-last batches feed TensorFlow.js directly. No TensorFlow.js import, and
 * importing needs no permission (reading files or starting the worker happens on call).
 *
 * @example Crop a face box to 256, map a point to the 64 heatmap and back
 * ```ts
 * import { applyAffine, composeAffine, faceBoxAffine, heatmapAffine, invertAffine } from "@facealign/awing/data";
 * import { ok } from "node:assert/strict";
 *
 * const crop = faceBoxAffine({ box: [120, 80, 200, 240], size: 256 });
 * const toMap = composeAffine(crop, heatmapAffine({ inputSize: 256, heatmapSize: 64 }));
 * const p = new Float64Array([200, 190]);
 * const back = applyAffine(applyAffine(p, toMap), invertAffine(toMap));
 * ok(Math.abs(back[0]! - 200) < 1e-9 && Math.abs(back[1]! - 190) < 1e-9);
 * ```
 *
 * @module
 */
export type { Affine, Landmarks, RasterImage } from "./types.ts";
export type { Boundary, FlipPair, LandmarkLayout, LayoutName } from "../layouts/types.ts";
export { invertAffine } from "./invert_affine.ts";
export { composeAffine } from "./compose_affine.ts";
export { applyAffine, type ApplyAffineOptions } from "./apply_affine.ts";
export { centerScaleAffine, type CenterScaleAffineOptions } from "./center_scale_affine.ts";
export { faceBoxAffine, type FaceBoxAffineOptions } from "./face_box_affine.ts";
export { heatmapAffine, type HeatmapAffineOptions } from "./heatmap_affine.ts";
export { landmarksBox } from "./landmarks_box.ts";
export { type LandmarkSource, stackLandmarks } from "./stack_landmarks.ts";
export { warpAffine, type WarpAffineOptions } from "./warp_affine.ts";
export {
  type Augmentation,
  type AugmentationRanges,
  randomAugmentation,
  type RandomAugmentationOptions,
} from "./random_augmentation.ts";
export {
  type AugmentedSample,
  augmentSample,
  type AugmentSampleOptions,
} from "./augment_sample.ts";
export { renderFace, type RenderFaceOptions } from "./render_face.ts";
export type { FaceSet } from "./face_set.ts";
export {
  loadRendered300w,
  type LoadRendered300wOptions,
  type Rendered300w,
} from "./load_rendered_300w.ts";
export type { Batch, BatchOptions, BatchSource } from "./batch_options.ts";
export { type BatchSourceOptions, createBatchSource } from "./create_batch_source.ts";
export type { ImageFaceSet } from "./image_face_set.ts";
export { loadPtsFolder, type LoadPtsFolderOptions } from "./load_pts_folder.ts";
export { loadWflwFolder, type LoadWflwFolderOptions } from "./load_wflw_folder.ts";
