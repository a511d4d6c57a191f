import { LAYOUT_300W } from "./layout_300w.ts";
import { LAYOUT_COFW } from "./layout_cofw.ts";
import { LAYOUT_WFLW } from "./layout_wflw.ts";
import type { LandmarkLayout } from "./types.ts";

const LAYOUTS: readonly LandmarkLayout[] = [LAYOUT_300W, LAYOUT_WFLW, LAYOUT_COFW];

/**
 * Looks up a built-in landmark layout by name (`"300w"`, `"wflw"`, `"cofw"`, case-insensitive)
 * or by number of points (68, 98, 29). 68 points resolve to the 300W layout, which COFW-68
 * also uses. A layout object is returned as is.
 *
 * @param layout A layout name, a number of points, or a layout object.
 * @returns The frozen layout.
 * @throws {TypeError} If `layout` is not a string, a number or a layout object.
 * @throws {RangeError} If no built-in layout has that name or that number of points.
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
    return layout;
  }
  throw new TypeError(
    `Cannot get layout: expected a layout name, a number of points or a layout object, got ${
      layout === null ? "null" : typeof layout
    }`,
  );
}
