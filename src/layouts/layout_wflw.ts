import { _makeLayout, _range } from "./_make_layout.ts";
import type { LandmarkLayout } from "./types.ts";

/**
 * The 98-point WFLW layout, 0-based: face contour 0-32, eyebrows 33-50 (33-41 image-left,
 * 42-50 image-right, upper edge first), nose 51-59, eyes 60-75, mouth 76-95, pupils 96 and 97.
 *
 * - `boundaries`: the 13 curves of the official AWing code (`core/dataloader.py`). Only the
 *   upper brow edges are used (38-41 and 47-50 are not), nor the pupils 96 and 97.
 * - `outerEyeCorners`: 60 and 72 (the usual WFLW inter-ocular normalisation).
 * - `eyeCentres`: the pupils 96 and 97.
 * - `flipPairs`: as in mmpose `wflw.py` / HRNet-Facial (jaw i <-> 32-i, brows, nostrils, eyes,
 *   lips and pupils; 16, 51-54, 57, 79, 85, 90 and 94 lie on the midline).
 *
 * @example
 * ```ts
 * import { LAYOUT_WFLW } from "@facealign/awing/layouts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * equal(LAYOUT_WFLW.numPoints, 98);
 * deepEqual(LAYOUT_WFLW.outerEyeCorners, [60, 72]);
 * deepEqual(LAYOUT_WFLW.eyeCentres, [[96], [97]]);
 * equal(LAYOUT_WFLW.flipPermutation[0], 32);
 * ```
 */
export const LAYOUT_WFLW: LandmarkLayout = _makeLayout({
  name: "wflw",
  numPoints: 98,
  description: "WFLW 98-point scheme",
  boundaries: [
    { name: "cheek", indices: _range(0, 32) },
    { name: "left_eyebrow", indices: _range(33, 37) },
    { name: "right_eyebrow", indices: _range(42, 46) },
    { name: "nose", indices: _range(51, 54) },
    { name: "nose_bot", indices: _range(55, 59) },
    { name: "upper_left_eyelid", indices: _range(60, 64) },
    { name: "lower_left_eyelid", indices: [60, 67, 66, 65, 64] },
    { name: "upper_right_eyelid", indices: _range(68, 72) },
    { name: "lower_right_eyelid", indices: [68, 75, 74, 73, 72] },
    { name: "upper_outer_lip", indices: _range(76, 82) },
    { name: "lower_outer_lip", indices: [76, 87, 86, 85, 84, 83, 82] },
    { name: "upper_inner_lip", indices: [88, 89, 90, 91, 92] },
    { name: "lower_inner_lip", indices: [88, 95, 94, 93, 92] },
  ],
  outerEyeCorners: [60, 72],
  eyeCentres: [[96], [97]],
  flipPairs: [
    // face contour
    [0, 32],
    [1, 31],
    [2, 30],
    [3, 29],
    [4, 28],
    [5, 27],
    [6, 26],
    [7, 25],
    [8, 24],
    [9, 23],
    [10, 22],
    [11, 21],
    [12, 20],
    [13, 19],
    [14, 18],
    [15, 17],
    // eyebrows: upper edge, then lower edge
    [33, 46],
    [34, 45],
    [35, 44],
    [36, 43],
    [37, 42],
    [38, 50],
    [39, 49],
    [40, 48],
    [41, 47],
    // nostrils
    [55, 59],
    [56, 58],
    // eyes
    [60, 72],
    [61, 71],
    [62, 70],
    [63, 69],
    [64, 68],
    [65, 75],
    [66, 74],
    [67, 73],
    // outer lip
    [76, 82],
    [77, 81],
    [78, 80],
    [83, 87],
    [84, 86],
    // inner lip
    [88, 92],
    [89, 91],
    [93, 95],
    // pupils
    [96, 97],
  ],
});
