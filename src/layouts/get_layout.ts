import { LAYOUT_300W } from "./layout_300w.ts";
import { LAYOUT_COFW } from "./layout_cofw.ts";
import { LAYOUT_WFLW } from "./layout_wflw.ts";
import type { LandmarkLayout } from "./types.ts";

const LAYOUTS: readonly LandmarkLayout[] = [LAYOUT_300W, LAYOUT_WFLW, LAYOUT_COFW];

/**
 * Looks up a built-in landmark layout by name (`"300w"`, `"wflw"`, `"cofw"`, case-insensitive)
 * or by number of points (68, 98, 29). 68 points resolve to the 300W layout, which COFW-68
 * also uses. A layout object is returned as is, once checked: numPoints K a positive integer,
 * `flipPermutation` a permutation of 0..K-1, and every index of `flipPairs`,
 * `outerEyeCorners`, `eyeCentres` (two non-empty groups) and `boundaries` within 0..K-1.
 *
 * @param layout A layout name, a number of points, or a layout object.
 * @returns The frozen layout.
 * @throws {TypeError} If `layout` is not a string, a number or a layout object.
 * @throws {RangeError} If no built-in layout has that name or that number of points, or a
 * layout object has an index out of range or a flip permutation that is not a permutation.
 *
 * @example
 * ```ts
 * import { getLayout, LAYOUT_WFLW } from "@facealign/awing/layouts";
 * import { equal, throws } from "node:assert/strict";
 *
 * equal(getLayout("WFLW"), LAYOUT_WFLW);
 * equal(getLayout(98), LAYOUT_WFLW);
 * equal(getLayout(68).name, "300w");
 * throws(() => getLayout(19), RangeError);
 * ```
 */
export function getLayout(layout: string | number | LandmarkLayout): LandmarkLayout {
  const known = LAYOUTS.map((l) => `"${l.name}" (${l.numPoints} points)`).join(", ");
  if (typeof layout === "string") {
    const name = layout.toLowerCase();
    const found = LAYOUTS.find((l) => l.name === name);
    if (found === undefined) {
      throw new RangeError(
        `Cannot get layout: unknown layout name "${layout}", known layouts are ${known}`,
      );
    }
    return found;
  }
  if (typeof layout === "number") {
    const found = LAYOUTS.find((l) => l.numPoints === layout);
    if (found === undefined) {
      throw new RangeError(
        `Cannot get layout: no layout has ${layout} points, known layouts are ${known}`,
      );
    }
    return found;
  }
  if (
    typeof layout === "object" && layout !== null && typeof layout.numPoints === "number" &&
    Array.isArray(layout.flipPermutation)
  ) {
    if (!LAYOUTS.includes(layout)) checkLayoutObject(layout);
    return layout;
  }
  throw new TypeError(
    `Cannot get layout: expected a layout name, a number of points or a layout object, got ${
      layout === null ? "null" : typeof layout
    }`,
  );
}

const ACTION = "Cannot get layout";

/** Throws when `where` is not an array of indices in 0..k-1 (of `length` entries, if given). */
function checkIndices(value: unknown, where: string, k: number, length?: number): void {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    throw new TypeError(
      `${ACTION}: "${where}" must be an array of ${length ?? "the"} landmark indices`,
    );
  }
  value.forEach((i: unknown, at: number) => {
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= k) {
      throw new RangeError(
        `${ACTION}: "${where}[${at}]" is ${String(i)}, not an index in 0..${k - 1}`,
      );
    }
  });
}

/** Checks a caller's layout object (see {@link getLayout}). */
function checkLayoutObject(layout: LandmarkLayout): void {
  const k = layout.numPoints;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`${ACTION}: "numPoints" must be a positive integer but it is ${k}`);
  }
  const perm = layout.flipPermutation;
  checkIndices(perm, "flipPermutation", k, k);
  const seen = new Int32Array(k).fill(-1);
  perm.forEach((p, at) => {
    if (seen[p]! >= 0) {
      throw new RangeError(
        `${ACTION}: "flipPermutation" is not a permutation: ${p} is at indices ${
          seen[p]
        } and ${at}`,
      );
    }
    seen[p] = at;
  });
  if (!Array.isArray(layout.flipPairs)) {
    throw new TypeError(`${ACTION}: "flipPairs" must be an array of [a, b] pairs`);
  }
  layout.flipPairs.forEach((pair, i) => checkIndices(pair, `flipPairs[${i}]`, k, 2));
  checkIndices(layout.outerEyeCorners, "outerEyeCorners", k, 2);
  if (!Array.isArray(layout.eyeCentres) || layout.eyeCentres.length !== 2) {
    throw new TypeError(`${ACTION}: "eyeCentres" must be two arrays of landmark indices`);
  }
  layout.eyeCentres.forEach((group, i) => {
    checkIndices(group, `eyeCentres[${i}]`, k);
    if (group.length === 0) throw new RangeError(`${ACTION}: "eyeCentres[${i}]" is empty`);
  });
  if (!Array.isArray(layout.boundaries)) {
    throw new TypeError(`${ACTION}: "boundaries" must be an array of { name, indices }`);
  }
  layout.boundaries.forEach((b, i) =>
    checkIndices((b as { indices?: unknown } | null)?.indices, `boundaries[${i}].indices`, k)
  );
}
