/**
 * A set of faces given by landmarks only (the rendered protocols): the batch sources draw an
 * image for each face from its landmarks.
 *
 * @example A set of two 1-point faces
 * ```ts
 * import type { FaceSet } from "@facealign/awing/data";
 * import { equal } from "node:assert/strict";
 *
 * const set: FaceSet = {
 *   landmarks: new Float64Array([1, 2, 3, 4]),
 *   count: 2,
 *   numPoints: 1,
 *   sources: ["a.csv:2", "a.csv:3"],
 * };
 * equal(set.landmarks.length, set.count * set.numPoints * 2);
 * ```
 */
export interface FaceSet {
  /** Landmarks `[N, K, 2]` in the original images' 0-based pixels. */
  readonly landmarks: Float64Array;
  /** Number of faces N. */
  readonly count: number;
  /** Points per face K. */
  readonly numPoints: number;
  /** Where each face comes from: `file:line (image)`, one per face. */
  readonly sources: readonly string[];
}
