import type { Landmarks } from "./types.ts";

/** A face as the readers return it (anything with `landmarks`), or bare landmarks. */
export type LandmarkSource = Landmarks | { readonly landmarks: Landmarks };

/**
 * Stacks faces into one `[N, K, 2]` Float64Array: the records of `parse300wCsv`,
 * `parseCofw68`, `parseWflwList` (anything with a `landmarks` array) or bare `[K, 2]`
 * arrays such as `parsePts`'s results, the form every encoder, decoder and metric takes.
 *
 * @param faces The faces, all with the same number of points K.
 * @returns `[N, K, 2]` landmarks.
 * @throws {TypeError} If `faces` is empty or not an array, an item has no Float32Array or
 * Float64Array landmarks of whole (x, y) pairs, or the faces differ in K.
 *
 * @example Records of a reader and a bare `.pts` face
 * ```ts
 * import { stackLandmarks } from "@facealign/awing/data";
 * import { parsePts } from "@facealign/awing/layouts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const a = { image: "a.jpg", landmarks: new Float64Array([1, 2, 3, 4]) };
 * const b = parsePts("version: 1\nn_points: 2\n{\n5 6\n7 8\n}\n");
 * deepEqual(stackLandmarks([a, b]), new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]));
 * ```
 */
export function stackLandmarks(faces: readonly LandmarkSource[]): Float64Array {
  const action = "stack landmarks";
  if (!Array.isArray(faces) || faces.length === 0) {
    throw new TypeError(`Cannot ${action}: "faces" must be a non-empty array`);
  }
  let per = -1;
  const arrays = faces.map((face, i) => {
    const lm = face instanceof Float32Array || face instanceof Float64Array
      ? face
      : (face as { landmarks?: unknown } | null)?.landmarks;
    if (!(lm instanceof Float32Array || lm instanceof Float64Array)) {
      throw new TypeError(
        `Cannot ${action}: "faces[${i}]" must be a Float32Array, a Float64Array or have one as "landmarks"`,
      );
    }
    if (lm.length === 0 || lm.length % 2 !== 0) {
      throw new TypeError(
        `Cannot ${action}: "faces[${i}]" has ${lm.length} values, not a positive number of (x, y) pairs`,
      );
    }
    if (per < 0) per = lm.length;
    else if (lm.length !== per) {
      throw new TypeError(
        `Cannot ${action}: "faces[${i}]" has ${lm.length / 2} points but "faces[0]" has ${per / 2}`,
      );
    }
    return lm;
  });
  const out = new Float64Array(per * arrays.length);
  arrays.forEach((lm, i) => out.set(lm, i * per));
  return out;
}
