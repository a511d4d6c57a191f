/**
 * Types shared by the landmark layouts and the annotation readers.
 *
 * @module
 */

/** Options shared by the text annotation readers with an index origin (`.pts`, 300W CSV, COFW-68). */
export interface TextReaderOptions {
  /** File name, used in error messages only. */
  readonly name?: string | undefined;
  /**
   * Index origin of the coordinates in the file. These formats come from Matlab and are
   * 1-based: the centre of the top-left pixel is (1, 1). Pass `origin: 1` to subtract 1 from
   * every coordinate (not from sizes) and get 0-based pixel coordinates (the project's
   * convention). Default `0`: values are returned exactly as written, with no shift.
   */
  readonly origin?: 0 | 1 | undefined;
}

/** Names of the built-in landmark layouts (lower case). */
export type LayoutName = "300w" | "wflw" | "cofw";

/**
 * One facial boundary curve: an ordered list of 0-based landmark indices. The curve is an
 * interpolating spline through these points, in this order (reference a.6).
 */
export interface Boundary {
  /** Curve name, e.g. `"cheek"`, `"upper_left_eyelid"`. */
  readonly name: string;
  /** Ordered 0-based landmark indices along the curve. */
  readonly indices: readonly number[];
}

/** A left-right pair of 0-based landmark indices that swap when an image is mirrored. */
export type FlipPair = readonly [a: number, b: number];

/**
 * A landmark annotation scheme, as data: the number of points, the boundary curves used by
 * the Adaptive Wing boundary heatmap, the points that define the usual normalising
 * distances, and the left-right pairs that swap under a horizontal flip.
 *
 * "Left" and "right" in names follow the official AWing code: they refer to the image side
 * (the subject's right eye is the image's left eye).
 *
 * @example Outer eye corners of a layout, by name
 * ```ts
 * import { getLayout, type LandmarkLayout } from "@facealign/awing/layouts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const layout: LandmarkLayout = getLayout("wflw");
 * deepEqual(layout.outerEyeCorners, [60, 72]);
 * ```
 */
export interface LandmarkLayout {
  /** Layout name, e.g. `"300w"`. */
  readonly name: LayoutName;
  /** Number of landmarks K. */
  readonly numPoints: number;
  /** One-line human description of the scheme. */
  readonly description: string;
  /** The 13 boundary curves of the AWing boundary heatmap, with official indices. */
  readonly boundaries: readonly Boundary[];
  /** Outer eye corners (image left, image right): the inter-ocular normalisation points. */
  readonly outerEyeCorners: FlipPair;
  /**
   * Eye centres (image left, image right), each the centroid of the listed points: the
   * inter-pupil normalisation. A single index is a pupil landmark.
   */
  readonly eyeCentres: readonly [left: readonly number[], right: readonly number[]];
  /** Left-right pairs that swap under a horizontal flip; points not listed map to themselves. */
  readonly flipPairs: readonly FlipPair[];
  /**
   * The flip pairs as a permutation of length K: `flipPermutation[k]` is the index that
   * point k becomes after a horizontal flip (an involution).
   */
  readonly flipPermutation: readonly number[];
}
