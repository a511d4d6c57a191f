import { _makeLayout, _range } from "./_make_layout.ts";
import type { LandmarkLayout } from "./types.ts";

/**
 * The 68-point iBUG / 300W layout (also used by COFW-68 and 300VW), 0-based: jaw 0-16,
 * eyebrows 17-26, nose 27-35, eyes 36-47, mouth 48-67.
 *
 * - `boundaries`: the 13 curves of the official AWing code (`core/dataloader.py`), which
 *   together use all 68 points. Names follow that code with its typos fixed
 *   (`uper_left_eyelid` -> `upper_left_eyelid`, `noise` -> `nose`, `noise_bot` -> `nose_bot`).
 * - `outerEyeCorners`: 36 and 45 (inter-ocular distance, HRNet / mmpose / 300W convention).
 * - `eyeCentres`: the centroids of 36-41 and 42-47 (inter-pupil proxy of the official AWing
 *   evaluation for 68 points).
 * - `flipPairs`: the standard iBUG left-right pairs (as in mmpose `300w.py`).
 *
 * @example Inter-ocular points and the boundary curves
 * ```ts
 * import { LAYOUT_300W } from "@facealign/awing/layouts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * equal(LAYOUT_300W.numPoints, 68);
 * deepEqual(LAYOUT_300W.outerEyeCorners, [36, 45]);
 * equal(LAYOUT_300W.boundaries.length, 13);
 * equal(LAYOUT_300W.flipPermutation[36], 45);
 * equal(Object.isFrozen(LAYOUT_300W.boundaries[0]!.indices), true);
 * ```
 */
export const LAYOUT_300W: LandmarkLayout = _makeLayout({
  name: "300w",
  numPoints: 68,
  description: "300W / iBUG 68-point scheme (also COFW-68, 300VW)",
  boundaries: [
    { name: "cheek", indices: _range(0, 16) },
    { name: "left_eyebrow", indices: _range(17, 21) },
    { name: "right_eyebrow", indices: _range(22, 26) },
    { name: "nose", indices: _range(27, 30) },
    { name: "nose_bot", indices: _range(31, 35) },
    { name: "upper_left_eyelid", indices: _range(36, 39) },
    { name: "lower_left_eyelid", indices: [36, 41, 40, 39] },
    { name: "upper_right_eyelid", indices: _range(42, 45) },
    { name: "lower_right_eyelid", indices: [42, 47, 46, 45] },
    { name: "upper_outer_lip", indices: _range(48, 54) },
    { name: "lower_outer_lip", indices: [48, 59, 58, 57, 56, 55, 54] },
    { name: "upper_inner_lip", indices: [60, 61, 62, 63, 64] },
    { name: "lower_inner_lip", indices: [60, 67, 66, 65, 64] },
  ],
  outerEyeCorners: [36, 45],
  eyeCentres: [_range(36, 41), _range(42, 47)],
  flipPairs: [
    // jaw
    [0, 16],
    [1, 15],
    [2, 14],
    [3, 13],
    [4, 12],
    [5, 11],
    [6, 10],
    [7, 9],
    // eyebrows
    [17, 26],
    [18, 25],
    [19, 24],
    [20, 23],
    [21, 22],
    // nostrils
    [31, 35],
    [32, 34],
    // eyes
    [36, 45],
    [37, 44],
    [38, 43],
    [39, 42],
    [40, 47],
    [41, 46],
    // outer lip
    [48, 54],
    [49, 53],
    [50, 52],
    [55, 59],
    [56, 58],
    // inner lip
    [60, 64],
    [61, 63],
    [65, 67],
  ],
});
