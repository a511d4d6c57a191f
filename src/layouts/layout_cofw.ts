import { _makeLayout } from "./_make_layout.ts";
import type { LandmarkLayout } from "./types.ts";

/**
 * The original 29-point COFW layout (LFPW-style ordering), 0-based: eyebrow ends and arcs
 * 0-7, eye corners 8-11, eyelids 12-15, pupils 16 and 17, nose 18-21, mouth corners 22 and
 * 23, lips 24-27, chin 28.
 *
 * - `boundaries`: the 13 three-point arcs of the official AWing code (`core/dataloader.py`,
 *   29-point branch), e.g. upper left eyebrow [0, 4, 2] and lower left eyebrow [0, 5, 2].
 *   Names are harmonised with the 68/98-point layouts (official names in brackets):
 *   `upper_left_eyebrow`, `lower_left_eyebrow`, `upper_right_eyebrow`, `lower_right_eyebrow`,
 *   `upper_left_eyelid` (upper_left_eye), `lower_left_eyelid` (lower_left_eye),
 *   `upper_right_eyelid`, `lower_right_eyelid`, `nose` (noise: [18, 21, 19]),
 *   `upper_outer_lip` (outer_upper_lip), `upper_inner_lip` (inner_upper_lip),
 *   `lower_outer_lip` (outer_lower_lip), `lower_inner_lip` (inner_lower_lip). The pupils 16
 *   and 17, point 20 and the chin 28 are on no curve.
 * - `outerEyeCorners`: 8 and 9 (HRNet / mmpose inter-ocular normalisation for COFW).
 * - `eyeCentres`: the pupils 16 and 17 (official AWing inter-pupil normalisation for COFW).
 * - `flipPairs`: as in mmpose `cofw.py`; 20, 21, 24-28 lie on the midline.
 *
 * @example
 * ```ts
 * import { LAYOUT_COFW } from "@facealign/awing/layouts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * equal(LAYOUT_COFW.numPoints, 29);
 * deepEqual(LAYOUT_COFW.eyeCentres, [[16], [17]]);
 * deepEqual(LAYOUT_COFW.boundaries[0], { name: "upper_left_eyebrow", indices: [0, 4, 2] });
 * ```
 */
export const LAYOUT_COFW: LandmarkLayout = _makeLayout({
  name: "cofw",
  numPoints: 29,
  description: "COFW 29-point scheme (LFPW-style ordering)",
  boundaries: [
    { name: "upper_left_eyebrow", indices: [0, 4, 2] },
    { name: "lower_left_eyebrow", indices: [0, 5, 2] },
    { name: "upper_right_eyebrow", indices: [1, 6, 3] },
    { name: "lower_right_eyebrow", indices: [1, 7, 3] },
    { name: "upper_left_eyelid", indices: [8, 12, 10] },
    { name: "lower_left_eyelid", indices: [8, 13, 10] },
    { name: "upper_right_eyelid", indices: [9, 14, 11] },
    { name: "lower_right_eyelid", indices: [9, 15, 11] },
    { name: "nose", indices: [18, 21, 19] },
    { name: "upper_outer_lip", indices: [22, 24, 23] },
    { name: "upper_inner_lip", indices: [22, 25, 23] },
    { name: "lower_outer_lip", indices: [22, 26, 23] },
    { name: "lower_inner_lip", indices: [22, 27, 23] },
  ],
  outerEyeCorners: [8, 9],
  eyeCentres: [[16], [17]],
  flipPairs: [
    [0, 1],
    [2, 3],
    [4, 6],
    [5, 7],
    [8, 9],
    [10, 11],
    [12, 14],
    [13, 15],
    [16, 17],
    [18, 19],
    [22, 23],
  ],
});
