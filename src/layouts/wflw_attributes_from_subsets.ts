import { _quote } from "./_text.ts";
import { WFLW_ATTRIBUTES, type WflwAttributeName, type WflwAttributes } from "./wflw_attributes.ts";

/** A face as the WFLW readers give it: its landmarks and its image path. */
export interface WflwFace {
  /** The 98 landmarks, x0, y0, ..., x97, y97. */
  readonly landmarks: ArrayLike<number>;
  /** Image path relative to `WFLW_images/`. */
  readonly image: string;
}

/**
 * The six WFLW test subset lists by attribute (`pose` is the file
 * `list_98pt_test_largepose.txt`, the others are named as the attribute).
 */
export type WflwSubsetLists = { readonly [name in WflwAttributeName]: readonly WflwFace[] };

const ACTION = "rebuild WFLW attributes";

function key(face: WflwFace): string {
  return `${face.image}\u0000${Array.prototype.join.call(face.landmarks, " ")}`;
}

function checkFace(face: unknown, where: string): WflwFace {
  const f = face as WflwFace | null | undefined;
  if (
    typeof f?.image !== "string" || typeof f.landmarks !== "object" || f.landmarks === null ||
    typeof f.landmarks.length !== "number"
  ) {
    throw new TypeError(`Cannot ${ACTION}: ${where} is not a face with "landmarks" and "image"`);
  }
  return f;
}

/**
 * Rebuilds the six attribute flags of every face of the WFLW test list from the six subset
 * lists (`list_98pt_test/list_98pt_test_{largepose,expression,illumination,makeup,occlusion,
 * blur}.txt`), for the annotations that come without the 207-field attribute columns. A face
 * has an attribute exactly when it appears in that attribute's list; faces are matched by image
 * path and all coordinates (one image can hold several faces), so the flags are exact. Faces
 * in no list get six `false` flags (534 of the 2500 WFLW test faces).
 *
 * Pass the result to `subsetMetrics` or `evaluate` (`attributes`) for the WFLW per-subset
 * table.
 *
 * @param faces The whole test list, in its order (e.g. `parseWflwList` of
 * `list_98pt_test.txt`, in either format).
 * @param subsets The six subset lists, keyed by attribute name (`pose` for "largepose").
 * @returns The attributes of each face of `faces`, in the same order.
 * @throws {TypeError} If a list is missing or not an array, or an entry is not a face.
 * @throws {RangeError} If a face of a subset list is not in `faces` (the lists do not belong
 * together).
 *
 * @example Two faces of one image; the second is in the blur list only
 * ```ts
 * import { wflwAttributesFromSubsets } from "@facealign/awing/layouts";
 * import { equal } from "node:assert/strict";
 *
 * const a = { image: "1.jpg", landmarks: [1, 2] };
 * const b = { image: "1.jpg", landmarks: [3, 4] };
 * const none: never[] = [];
 * const attributes = wflwAttributesFromSubsets([a, b], {
 *   pose: none, expression: none, illumination: none, makeup: none, occlusion: none,
 *   blur: [{ image: "1.jpg", landmarks: [3, 4] }],
 * });
 * equal(attributes[0]!.blur, false);
 * equal(attributes[1]!.blur, true);
 * equal(attributes[1]!.pose, false);
 * ```
 */
export function wflwAttributesFromSubsets(
  faces: readonly WflwFace[],
  subsets: WflwSubsetLists,
): WflwAttributes[] {
  if (!Array.isArray(faces)) {
    throw new TypeError(`Cannot ${ACTION}: "faces" must be an array of faces`);
  }
  if (typeof subsets !== "object" || subsets === null) {
    throw new TypeError(`Cannot ${ACTION}: "subsets" must be an object of six lists`);
  }
  const index = new Map<string, number[]>();
  faces.forEach((face, i) => {
    const k = key(checkFace(face, `"faces" entry ${i}`));
    const list = index.get(k);
    if (list === undefined) index.set(k, [i]);
    else list.push(i);
  });
  const flags = faces.map(() => new Set<WflwAttributeName>());
  for (const name of WFLW_ATTRIBUTES) {
    const list: unknown = subsets[name];
    if (!Array.isArray(list)) {
      throw new TypeError(`Cannot ${ACTION}: "subsets.${name}" must be an array of faces`);
    }
    const done = new Set<string>(); // a face repeated in a list is flagged once: linear time
    list.forEach((face, j) => {
      const f = checkFace(face, `"subsets.${name}" entry ${j}`);
      const k = key(f);
      const hits = index.get(k);
      if (hits === undefined) {
        throw new RangeError(
          `Cannot ${ACTION}: "subsets.${name}" entry ${j} (${_quote(f.image)}) is not in "faces"`,
        );
      }
      if (done.has(k)) return;
      done.add(k);
      for (const i of hits) flags[i]!.add(name);
    });
  }
  return flags.map((set) =>
    Object.freeze({
      pose: set.has("pose"),
      expression: set.has("expression"),
      illumination: set.has("illumination"),
      makeup: set.has("makeup"),
      occlusion: set.has("occlusion"),
      blur: set.has("blur"),
    })
  );
}
