import { getLayout } from "../layouts/get_layout.ts";
import type { LandmarkLayout, LayoutName } from "../layouts/types.ts";
import { _checkCoords } from "./_validate.ts";

/**
 * How an NME is normalised:
 *
 * - `"inter-ocular"`: distance between the layout's outer eye corners (68: 36-45, 98: 60-72,
 *   29: 8-9);
 * - `"inter-pupil"`: distance between the layout's eye centres (68: centroids of 36-41 and
 *   42-47, as in the official AWing evaluation; 98: pupils 96-97; 29: pupils 16-17);
 * - `"bbox-diagonal"`: sqrt(w^2 + h^2) of the face box;
 * - `"bbox-sqrt-area"`: sqrt(w h) of the face box;
 * - `"bbox-max-side"`: max(w, h) of the face box (mmpose `bbox_size`);
 * - `{ pair: [i, j] }`: distance between ground-truth landmarks i and j (0-based).
 *
 * The box is the `boxes` option when given, otherwise the tight box of the ground-truth
 * landmarks (w = max x - min x, h = max y - min y over all K points).
 *
 * @example The same face under two normalisers
 * ```ts
 * import { type NmeNorm, normDistance } from "@facealign/awing/metrics";
 * import { equal } from "node:assert/strict";
 *
 * const gt = new Float64Array([0, 0, 30, 0, 15, 40]); // 3 points: box 30 x 40
 * const norms: NmeNorm[] = ["bbox-diagonal", { pair: [0, 1] }];
 * const d = norms.map((norm) => normDistance(gt, { numPoints: 3, norm })[0]);
 * equal(d[0], 50);
 * equal(d[1], 30);
 * ```
 */
export type NmeNorm =
  | "inter-ocular"
  | "inter-pupil"
  | "bbox-diagonal"
  | "bbox-sqrt-area"
  | "bbox-max-side"
  | { readonly pair: readonly [i: number, j: number] };

/** Options of {@linkcode normDistance} and {@linkcode nme}. */
export interface NormDistanceOptions {
  /** The normaliser (required: protocols differ, so there is no default). */
  readonly norm: NmeNorm;
  /**
   * Landmark layout (name, number of points or object). Gives K, and the eye points of
   * `"inter-ocular"` / `"inter-pupil"`. Either `layout` or `numPoints` is required.
   */
  readonly layout?: LayoutName | number | LandmarkLayout | undefined;
  /**
   * Number of landmarks K, when no layout is given. The eye-based normalisers then use the
   * built-in layout with K points (68 -> 300W, 98 -> WFLW, 29 -> COFW).
   */
  readonly numPoints?: number | undefined;
  /** Face boxes [N, 4] as x, y, w, h, for the `"bbox-*"` normalisers only. */
  readonly boxes?: Float32Array | Float64Array | undefined;
}

/** Resolved shape of a landmark batch. */
export interface _Shape {
  readonly n: number;
  readonly k: number;
  readonly layout: LandmarkLayout | undefined;
}

/** Resolves N, K and the layout from the options and the ground-truth length. */
export function _resolveShape(what: string, gt: ArrayLike<number>, options: unknown): _Shape {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot compute ${what}: the options object with "norm" is required`);
  }
  const { layout: layoutOption, numPoints } = options as NormDistanceOptions;
  let layout: LandmarkLayout | undefined;
  let k: number;
  if (layoutOption !== undefined) {
    layout = getLayout(layoutOption);
    k = layout.numPoints;
    if (numPoints !== undefined && numPoints !== k) {
      throw new RangeError(
        `Cannot compute ${what}: numPoints is ${numPoints} but layout "${layout.name}" has ${k} points`,
      );
    }
  } else if (numPoints !== undefined) {
    if (typeof numPoints !== "number" || !Number.isInteger(numPoints) || numPoints < 1) {
      throw new RangeError(
        `Cannot compute ${what} as numPoints must be a positive integer: current value is ${
          String(numPoints)
        }`,
      );
    }
    k = numPoints;
  } else {
    throw new TypeError(`Cannot compute ${what}: pass "layout" or "numPoints" in the options`);
  }
  if (gt.length === 0 || gt.length % (2 * k) !== 0) {
    throw new TypeError(
      `Cannot compute ${what}: "gt" has ${gt.length} elements, which is not a positive multiple of 2 x ${k} (shape [N, ${k}, 2])`,
    );
  }
  return { n: gt.length / (2 * k), k, layout };
}

function eyeLayout(what: string, shape: _Shape, norm: string): LandmarkLayout {
  if (shape.layout !== undefined) return shape.layout;
  try {
    return getLayout(shape.k);
  } catch {
    throw new RangeError(
      `Cannot compute ${what}: "${norm}" needs a layout and no built-in layout has ${shape.k} points; use { pair: [i, j] } or a "bbox-*" normaliser`,
    );
  }
}

function centroid(
  gt: ArrayLike<number>,
  base: number,
  indices: readonly number[],
): [number, number] {
  let x = 0;
  let y = 0;
  for (const j of indices) {
    x += gt[base + 2 * j]!;
    y += gt[base + 2 * j + 1]!;
  }
  return [x / indices.length, y / indices.length];
}

/** Computes d_i without checking gt values (already checked by the caller). */
export function _normDistance(
  what: string,
  gt: Float32Array | Float64Array,
  shape: _Shape,
  options: NormDistanceOptions,
): Float64Array {
  const { n, k } = shape;
  const norm = options.norm;
  const boxes = options.boxes;
  const out = new Float64Array(n);
  const isBox = norm === "bbox-diagonal" || norm === "bbox-sqrt-area" ||
    norm === "bbox-max-side";
  if (boxes !== undefined) {
    if (!isBox) {
      throw new TypeError(
        `Cannot compute ${what}: "boxes" is only used by the "bbox-*" normalisers, not by ${
          JSON.stringify(norm)
        }`,
      );
    }
    _checkCoords(what, "boxes", boxes);
    if (boxes.length !== 4 * n) {
      throw new TypeError(
        `Cannot compute ${what}: "boxes" has ${boxes.length} elements but expected 4 x ${n} (shape [N, 4])`,
      );
    }
  }
  if (isBox) {
    for (let i = 0; i < n; i++) {
      let w: number;
      let h: number;
      if (boxes !== undefined) {
        w = boxes[4 * i + 2]!;
        h = boxes[4 * i + 3]!;
        if (w < 0 || h < 0) {
          throw new RangeError(
            `Cannot compute ${what}: box ${i} has a negative size (w = ${w}, h = ${h})`,
          );
        }
      } else {
        const base = 2 * k * i;
        let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
        for (let j = 0; j < k; j++) {
          const x = gt[base + 2 * j]!;
          const y = gt[base + 2 * j + 1]!;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
        w = x1 - x0;
        h = y1 - y0;
      }
      out[i] = norm === "bbox-diagonal"
        ? Math.hypot(w, h)
        : norm === "bbox-sqrt-area"
        ? Math.sqrt(w * h)
        : Math.max(w, h);
    }
  } else {
    let a: readonly number[];
    let b: readonly number[];
    if (norm === "inter-ocular") {
      const layout = eyeLayout(what, shape, norm);
      a = [layout.outerEyeCorners[0]];
      b = [layout.outerEyeCorners[1]];
    } else if (norm === "inter-pupil") {
      const layout = eyeLayout(what, shape, norm);
      [a, b] = layout.eyeCentres;
    } else if (
      typeof norm === "object" && norm !== null && Array.isArray(norm.pair) &&
      norm.pair.length === 2
    ) {
      const [p, q] = norm.pair;
      for (const index of [p, q]) {
        if (!Number.isInteger(index) || index < 0 || index >= k) {
          throw new RangeError(
            `Cannot compute ${what}: norm pair index ${index} is outside 0..${k - 1}`,
          );
        }
      }
      if (p === q) {
        throw new RangeError(`Cannot compute ${what}: norm pair [${p}, ${q}] repeats an index`);
      }
      a = [p];
      b = [q];
    } else {
      throw new RangeError(
        `Cannot compute ${what}: unknown norm ${
          JSON.stringify(norm)
        }, expected "inter-ocular", "inter-pupil", "bbox-diagonal", "bbox-sqrt-area", "bbox-max-side" or { pair: [i, j] }`,
      );
    }
    for (const index of [...a, ...b]) {
      if (index >= k) {
        throw new RangeError(
          `Cannot compute ${what}: layout point ${index} is outside 0..${k - 1}`,
        );
      }
    }
    for (let i = 0; i < n; i++) {
      const base = 2 * k * i;
      const [ax, ay] = centroid(gt, base, a);
      const [bx, by] = centroid(gt, base, b);
      out[i] = Math.hypot(ax - bx, ay - by);
    }
  }
  for (let i = 0; i < n; i++) {
    if (!(out[i]! > 0) || !Number.isFinite(out[i])) {
      throw new RangeError(
        `Cannot compute ${what}: the normalising distance of image ${i} is ${out[i]}`,
      );
    }
  }
  return out;
}

/**
 * Computes the per-image normalising distance d_i of an NME (see {@linkcode NmeNorm}), from
 * the ground truth (and the boxes, for the `"bbox-*"` normalisers with explicit boxes). All
 * arithmetic is in float64.
 *
 * @param gt Ground-truth landmarks, shape [N, K, 2] (x, y), row-major.
 * @param options The normaliser, the layout or number of points, optional boxes.
 * @returns d_i for each image, length N.
 * @throws {TypeError} If `gt` or `boxes` is not a Float32Array / Float64Array or has a
 * wrong length, neither `layout` nor `numPoints` is given, or `boxes` is given with a
 * normaliser that does not use it.
 * @throws {RangeError} If a value is NaN or infinite, the layout or normaliser is unknown, a
 * pair index is out of range, a box is negative, or a distance is 0.
 *
 * @example Mean inter-ocular distance of two 68-point faces
 * ```ts
 * import { normDistance } from "@facealign/awing/metrics";
 * import { deepEqual } from "node:assert/strict";
 *
 * const gt = new Float64Array(2 * 68 * 2);
 * gt[36 * 2] = 10; // face 0: corners at x = 10 and x = 40
 * gt[45 * 2] = 40;
 * gt[136 + 36 * 2] = 0; // face 1: corners at (0, 0) and (30, 40)
 * gt[136 + 45 * 2] = 30;
 * gt[136 + 45 * 2 + 1] = 40;
 * deepEqual(normDistance(gt, { layout: "300w", norm: "inter-ocular" }), new Float64Array([30, 50]));
 * ```
 */
export function normDistance(
  gt: Float32Array | Float64Array,
  options: NormDistanceOptions,
): Float64Array {
  const what = "normalising distance";
  _checkCoords(what, "gt", gt);
  const shape = _resolveShape(what, gt, options);
  return _normDistance(what, gt, shape, options);
}
