import {
  checkAtLeast,
  checkElements,
  checkF32,
  checkFloat,
  checkLength,
  checkOneOf,
  checkOptions,
  checkShape4,
  checkSigma,
} from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import type { FloatArray, Shape4 } from "../types.ts";
import { segmentToMap } from "./_segment.ts";
import { curvePieces, flattenNear } from "./_spline.ts";

/**
 * One boundary: ordered 0-based landmark indices, as a plain array or as a layout's
 * `{ name, indices }` record (so `getLayout("300w").boundaries` can be passed as is).
 */
export type BoundaryGroup = readonly number[] | { readonly indices: readonly number[] };

/** Options of {@link boundaryHeatmaps}. */
export interface BoundaryHeatmapsOptions {
  /**
   * Shape `[N, C, H, W]` of the output. C is 1 for `channels: "single"` and the number of
   * groups for `"per-group"`.
   */
  shape: Shape4;
  /** The boundaries (e.g. a layout's `boundaries`, 13 for 68 or 98 points). */
  groups: readonly BoundaryGroup[];
  /** Standard deviation of the boundary profile, in heatmap pixels. Defaults to 1. */
  sigma?: number | undefined;
  /**
   * `"single"` (default, the paper's choice): all boundaries in one channel, combined by
   * max. `"per-group"`: one channel per boundary (as LAB).
   */
  channels?: "single" | "per-group" | undefined;
  /**
   * Bound on the error of the distance to the curve, in pixels; the curve is flattened
   * until the polyline is provably within it. Defaults to 1e-3; at least 1e-6 (finer is
   * below float32's resolution of the output).
   */
  tolerance?: number | undefined;
  /** Output buffer of N*C*H*W floats, fully overwritten. */
  out?: Float32Array | undefined;
}

const ACTION = "draw boundaries";

/** Finest tolerance: its value error 0.61 tolerance / sigma is then below float32's epsilon. */
const MIN_TOLERANCE = 1e-6;
/**
 * Largest |coordinate| of a landmark on a boundary: the spline squares chord lengths, which
 * must stay finite in float64 (every float32 value is far below).
 */
const MAX_COORDINATE = 1e150;

/** The indices of a group, checked against K. */
function groupIndices(group: BoundaryGroup, g: number, k: number): readonly number[] {
  const indices = Array.isArray(group) ? group : (group as { indices?: unknown })?.indices;
  if (!Array.isArray(indices) || indices.length === 0) {
    throw new TypeError(
      `Cannot ${ACTION}: "groups[${g}]" must be a non-empty array of landmark indices or { indices }`,
    );
  }
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= k) {
      throw new RangeError(
        `Cannot ${ACTION}: "groups[${g}]" has index ${i} but landmarks have K = ${k} points`,
      );
    }
  }
  return indices;
}

/**
 * The paper's boundary heatmaps: for each boundary (a group of landmarks, e.g. the cheek or
 * an upper eyelid), a smooth curve through its landmarks and, at every pixel centre, B =
 * exp(-d^2 / (2 sigma^2)) for d < 3 sigma, else 0, d being the distance to the curve. All
 * boundaries go into one channel, combined by max (`channels: "single"`, the official AWing
 * target, appended as channel K), or one channel each (`"per-group"`).
 *
 * The curve is the one the official code fits, `splprep(k = min(3, n - 1), s = 0)`: an
 * interpolating cubic spline with not-a-knot ends in the chord-length parameter for 4 or more
 * points, the parabola through 3, the segment through 2, the point itself for 1; consecutive
 * duplicates are dropped first. Unlike the official code (100 samples rendered to integer
 * pixels by matplotlib, then a distance transform to those pixels, on floor(landmarks / 4))
 * the distance here is to the exact curve through the sub-pixel landmarks: each cubic piece is
 * flattened into segments whose distance to the curve is provably below `tolerance` (the
 * chord error dt^2/8 max|P''|, P'' being linear on a cubic piece), then exact point-to-segment
 * distances are taken for the pixels within 3 sigma of each segment only. The value error is
 * at most 0.61 tolerance / sigma (the largest slope of the profile), except on the cut-off:
 * a pixel within `tolerance` of d = 3 sigma may read 0 instead of exp(-4.5) = 0.011 or the
 * reverse. The result is symmetric under reversing a group and mirrors with the face.
 *
 * Landmarks far off the map (a diverged network's 1e12, or 1e30) cost no more than landmarks
 * on it: only the parts of the curve within 3 sigma of the map are flattened, and segments are
 * clipped to it first, so the time is bounded by the map size. Near the map the curve is
 * computed from the nearer data point, so a segment or parabola toward a far landmark is exact
 * there; with 4 or more points whose chords differ by more than about 1e15, the spline's own
 * float64 system cannot resolve the near points any more (its shape there is then approximate).
 *
 * Plain TypeScript (float64): about 0.5 ms per 68-point face at 64 x 64 (0.8 ms with
 * tolerance 1e-4).
 *
 * @example A three-point arc: 1 on the landmarks, 0 beyond 3 sigma
 * ```ts
 * import { boundaryHeatmaps } from "@facealign/awing/heatmap";
 * import { equal } from "node:assert/strict";
 * const landmarks = new Float32Array([10, 30, 20, 20, 30, 30]);
 * const map = boundaryHeatmaps(landmarks, { shape: [1, 1, 64, 64], groups: [[0, 1, 2]] });
 * equal(map[20 * 64 + 20], 1);
 * equal(map[30 * 64 + 10], 1);
 * equal(map[5 * 64 + 20], 0);
 * ```
 *
 * @example One channel per boundary of a layout
 * ```ts
 * import { boundaryHeatmaps } from "@facealign/awing/heatmap";
 * import { equal } from "node:assert/strict";
 * const groups = [{ name: "a", indices: [0, 1] }, { name: "b", indices: [2] }];
 * const lm = new Float32Array([5, 5, 15, 5, 30, 30]);
 * const map = boundaryHeatmaps(lm, { shape: [1, 2, 32, 32], groups, channels: "per-group" });
 * equal(map[5 * 32 + 10], 1); // on segment a
 * equal(map[1024 + 30 * 32 + 30], 1); // on point b
 * ```
 *
 * @param landmarks Landmarks `[N, K, 2]` (x, y) in heatmap pixels, float32 or float64; K is
 * length / (2 N).
 * @param options Shape (required), groups (required), sigma, channel mode, tolerance, output.
 * @returns The boundary heatmaps `[N, C, H, W]`.
 * @throws {TypeError} When lengths, shape or groups do not fit, or `out` shares memory with
 * `landmarks`.
 * @throws {RangeError} For sigma <= 0, a tolerance below 1e-6, an index outside [0, K), a
 * landmark used by a boundary beyond +-1e150, or a NaN or
 * infinite landmark used by a group.
 */
export function boundaryHeatmaps(
  landmarks: FloatArray,
  options: BoundaryHeatmapsOptions,
): Float32Array {
  checkOptions(options, ACTION);
  checkFloat(landmarks, "landmarks", ACTION);
  if (options === undefined || options.shape === undefined) {
    throw new TypeError(`Cannot ${ACTION}: "options.shape" [N, C, H, W] is required`);
  }
  const size = checkShape4(options.shape, ACTION);
  checkElements(size, options.shape, ACTION);
  const [n, c, h, w] = options.shape;
  if (landmarks.length === 0 || landmarks.length % (2 * n) !== 0) {
    throw new TypeError(
      `Cannot ${ACTION}: "landmarks" has ${landmarks.length} elements, not a positive multiple of 2 N = ${
        2 * n
      }`,
    );
  }
  const k = landmarks.length / (2 * n);
  const groups = options.groups;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new TypeError(`Cannot ${ACTION}: "groups" must be a non-empty array of boundaries`);
  }
  const indices = groups.map((g, i) => groupIndices(g, i, k));
  const sigma = options.sigma ?? 1;
  checkSigma(sigma, ACTION);
  const tolerance = options.tolerance ?? 1e-3;
  checkAtLeast(tolerance, "tolerance", MIN_TOLERANCE, ACTION);
  const mode = options.channels ?? "single";
  checkOneOf(mode, "channels", ["single", "per-group"], ACTION);
  const want = mode === "single" ? 1 : groups.length;
  if (c !== want) {
    throw new TypeError(
      `Cannot ${ACTION}: "shape" has C = ${c} channels but channels "${mode}" with ${groups.length} groups needs ${want}`,
    );
  }
  const out = options.out ?? new Float32Array(size);
  checkF32(out, "out", ACTION);
  checkLength(out, "out", size, `shape ${JSON.stringify(options.shape)}`, ACTION);
  checkNoOverlap([["out", out]], [["landmarks", landmarks]], ACTION);

  const hw = h * w;
  const reach = 3 * sigma;
  const cut = reach * reach;
  const inv2s2 = 1 / (2 * sigma * sigma);
  const d2 = new Float64Array(hw);
  // the curve matters only within reach of a pixel centre (plus the flattening error)
  const margin = reach + tolerance;
  const box = { x0: -margin, x1: w - 1 + margin, y0: -margin, y1: h - 1 + margin };
  const drawSegment = (ax: number, ay: number, bx: number, by: number): void =>
    segmentToMap(d2, h, w, ax, ay, bx, by, reach);
  for (let img = 0; img < n; img++) {
    const base = img * k * 2;
    for (let ch = 0; ch < c; ch++) {
      d2.fill(Infinity);
      const members = mode === "single" ? indices : [indices[ch]!];
      for (const group of members) {
        const xs: number[] = [], ys: number[] = [];
        for (const i of group) {
          const x = landmarks[base + 2 * i]!, y = landmarks[base + 2 * i + 1]!;
          if (!Number.isFinite(x) || !Number.isFinite(y)) {
            const at = base + 2 * i + (Number.isFinite(x) ? 1 : 0);
            throw new RangeError(
              `Cannot ${ACTION}: "landmarks" has ${
                Number.isNaN(landmarks[at]) ? "a NaN" : "an infinite value"
              } at index ${at}, used by a boundary`,
            );
          }
          if (Math.abs(x) > MAX_COORDINATE || Math.abs(y) > MAX_COORDINATE) {
            const at = base + 2 * i + (Math.abs(x) > MAX_COORDINATE ? 0 : 1);
            throw new RangeError(
              `Cannot ${ACTION}: "landmarks" has ${
                landmarks[at]
              } at index ${at}, used by a boundary, beyond the limit of +-${MAX_COORDINATE}`,
            );
          }
          xs.push(x);
          ys.push(y);
        }
        for (const piece of curvePieces(xs, ys)) {
          // a lone point is a piece of one zero-length segment
          flattenNear(piece, tolerance, box, drawSegment);
        }
      }
      const o = (img * c + ch) * hw;
      for (let p = 0; p < hw; p++) {
        const e = d2[p]!;
        out[o + p] = e < cut ? Math.exp(-e * inv2s2) : 0;
      }
    }
  }
  return out;
}
