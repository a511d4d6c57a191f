import type { FaceSet } from "./face_set.ts";

/**
 * A set of faces in real image files, as the folder loaders return it
 * (`loadPtsFolder`, `loadWflwFolder`) and `createImageBatchSource` (exported from
 * `@facealign/awing/train`, as it needs the npm image codecs) takes it.
 *
 * @example A set of one face
 * ```ts
 * import type { ImageFaceSet } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * const set: ImageFaceSet = {
 *   images: ["/data/a.png"],
 *   landmarks: new Float64Array(136),
 *   boxes: null,
 *   count: 1,
 *   numPoints: 68,
 *   sources: ["/data/a.pts"],
 * };
 * equal(set.images.length, set.count);
 * ```
 */
export interface ImageFaceSet extends FaceSet {
  /** The image file of each face (one image may hold several faces). */
  readonly images: readonly string[];
  /**
   * Face boxes `[N, 4]` as `x, y, w, h` in image pixels where the annotation has them (WFLW's
   * full lists), else null (crops then use the landmarks' box).
   */
  readonly boxes: Float64Array | null;
}
