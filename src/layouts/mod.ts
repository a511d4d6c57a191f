/**
 * Landmark layouts as data (300W 68 points, WFLW 98, COFW 29: boundary curves, normalisation
 * points, flip pairs) and readers for the usual annotation files (300W `.pts`, HRNet 300W
 * CSV, WFLW lists, COFW-68 text, NumPy `.npy`). Pure functions over text and bytes: no file I/O.
 *
 * @example
 * ```ts
 * import { getLayout, parsePts } from "@facealign/awing/layouts";
 * import { equal } from "node:assert/strict";
 *
 * const layout = getLayout("300w");
 * equal(layout.boundaries.flatMap((b) => b.indices).length >= 68, true);
 * const pts = parsePts("version: 1\nn_points: 1\n{\n10 20\n}\n", { origin: 1 });
 * equal(pts[0], 9);
 * ```
 *
 * @module
 */
export type { Boundary, FlipPair, LandmarkLayout, LayoutName, TextReaderOptions } from "./types.ts";
export { LAYOUT_300W } from "./layout_300w.ts";
export { LAYOUT_WFLW } from "./layout_wflw.ts";
export { LAYOUT_COFW } from "./layout_cofw.ts";
export { getLayout } from "./get_layout.ts";
export { flipLandmarks, type FlipLandmarksOptions } from "./flip_landmarks.ts";
export { parsePts, type ParsePtsOptions } from "./parse_pts.ts";
export { parseWflwList, type ParseWflwListOptions, type WflwRecord } from "./parse_wflw_list.ts";
export { type Hrnet300wRecord, parse300wCsv, type Parse300wCsvOptions } from "./parse_300w_csv.ts";
export { type Cofw68Record, parseCofw68, type ParseCofw68Options } from "./parse_cofw68.ts";
export { WFLW_ATTRIBUTES, type WflwAttributeName, type WflwAttributes } from "./wflw_attributes.ts";
export {
  wflwAttributesFromSubsets,
  type WflwFace,
  type WflwSubsetLists,
} from "./wflw_attributes_from_subsets.ts";
export { type NpyArray, parseNpy, type ParseNpyOptions } from "./parse_npy.ts";
export {
  type LandmarkFile,
  type LandmarkFileFormat,
  parseLandmarkFile,
  type ParseLandmarkFileOptions,
} from "./parse_landmark_file.ts";
