/** Names of the six WFLW attribute flags, in file order. */
export type WflwAttributeName =
  | "pose"
  | "expression"
  | "illumination"
  | "makeup"
  | "occlusion"
  | "blur";

/** The six WFLW attribute flags of one face (true = the face has the attribute). */
export type WflwAttributes = { readonly [name in WflwAttributeName]: boolean };

/**
 * The six WFLW attribute names in the order of the annotation files' attribute columns
 * (pose, expression, illumination, make-up, occlusion, blur). The WFLW test subsets
 * ("largepose", "expression", ...) are the faces whose matching flag is 1.
 *
 * @example
 * ```ts
 * import { WFLW_ATTRIBUTES } from "@facealign/awing/layouts";
 * import { equal } from "node:assert/strict";
 *
 * equal(WFLW_ATTRIBUTES.length, 6);
 * equal(WFLW_ATTRIBUTES[0], "pose");
 * equal(WFLW_ATTRIBUTES[3], "makeup");
 * ```
 */
export const WFLW_ATTRIBUTES: readonly WflwAttributeName[] = Object.freeze(
  ["pose", "expression", "illumination", "makeup", "occlusion", "blur"] as const,
);
