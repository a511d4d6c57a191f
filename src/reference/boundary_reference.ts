import { checkOptions } from "../_validate.ts";
/** Options of {@link boundaryHeatmapsReference}. */
export interface BoundaryReferenceOptions {
  /** Standard deviation in heatmap pixels. Defaults to 1. */
  sigma?: number | undefined;
  /** `"single"` (default, max over groups) or `"per-group"`. */
  channels?: "single" | "per-group" | undefined;
}

/** Solves the dense system a z = b (row-major, partial pivoting), in place in b. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    [b[col], b[piv]] = [b[piv]!, b[col]!];
    const pivRow = a[col]!, bc = b[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = a[r]!;
      const f = row[col]! / pivRow[col]!;
      for (let c = col; c < n; c++) row[c]! -= f * pivRow[c]!;
      b[r]! -= f * bc;
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = a[r]!;
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= row[c]! * z[c]!;
    z[r] = s / row[r]!;
  }
  return z;
}

/**
 * Power-basis coefficients [c0, c1, c2, c3] per piece (in s = u - u_i, u the chord length) of
 * one coordinate of the interpolating spline: one unknown per coefficient, equations for
 * interpolation at both piece ends, C1 and C2 continuity at interior knots, and
 * continuity of the third derivative at the second and penultimate knots (not-a-knot; for
 * three points a zero cubic term on both pieces, i.e. the parabola).
 */
function splineCoefficients(v: number[], u: number[]): Poly[] {
  const m = v.length - 1; // pieces
  const size = 4 * m;
  const a: number[][] = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const b = new Array<number>(size).fill(0);
  let row = 0;
  const eq = (terms: [number, number][], rhs: number): void => {
    const ar = a[row]!;
    for (const [col, val] of terms) ar[col]! += val;
    b[row++] = rhs;
  };
  for (let i = 0; i < m; i++) {
    const h = u[i + 1]! - u[i]!;
    eq([[4 * i, 1]], v[i]!);
    eq([[4 * i, 1], [4 * i + 1, h], [4 * i + 2, h * h], [4 * i + 3, h * h * h]], v[i + 1]!);
  }
  for (let i = 0; i + 1 < m; i++) {
    const h = u[i + 1]! - u[i]!;
    // first and second derivatives of piece i at its end equal those of piece i+1 at 0
    eq([[4 * i + 1, 1], [4 * i + 2, 2 * h], [4 * i + 3, 3 * h * h], [4 * i + 5, -1]], 0);
    eq([[4 * i + 2, 2], [4 * i + 3, 6 * h], [4 * i + 6, -2]], 0);
  }
  if (m === 2) {
    eq([[3, 1]], 0);
    eq([[7, 1]], 0);
  } else {
    eq([[3, 1], [7, -1]], 0);
    eq([[4 * (m - 2) + 3, 1], [4 * (m - 1) + 3, -1]], 0);
  }
  const z = solve(a, b);
  return Array.from(
    { length: m },
    (_, i) => [z[4 * i]!, z[4 * i + 1]!, z[4 * i + 2]!, z[4 * i + 3]!],
  );
}

/** Power-basis coefficients [c0, c1, c2, c3] of one coordinate of one piece. */
type Poly = readonly [number, number, number, number];

/** Distance from (qx, qy) to a polynomial piece on s in [0, h]: dense samples + Newton. */
function pieceDistance(cx: Poly, cy: Poly, h: number, qx: number, qy: number): number {
  const P = (s: number, c: Poly): number => c[0] + s * (c[1] + s * (c[2] + s * c[3]));
  const D1 = (s: number, c: Poly): number => c[1] + s * (2 * c[2] + 3 * s * c[3]);
  const D2 = (s: number, c: Poly): number => 2 * c[2] + 6 * s * c[3];
  const dist2 = (s: number): number => (P(s, cx) - qx) ** 2 + (P(s, cy) - qy) ** 2;
  const samples = 64;
  let bestS = 0, best = dist2(0);
  for (let t = 1; t <= samples; t++) {
    const s = (t / samples) * h;
    const d = dist2(s);
    if (d < best) [best, bestS] = [d, s];
  }
  let s = bestS;
  for (let it = 0; it < 30; it++) {
    const ex = P(s, cx) - qx, ey = P(s, cy) - qy;
    const g = ex * D1(s, cx) + ey * D1(s, cy);
    const gg = D1(s, cx) ** 2 + D1(s, cy) ** 2 + ex * D2(s, cx) + ey * D2(s, cy);
    if (!(gg > 0)) break;
    const next = Math.min(h, Math.max(0, s - g / gg));
    if (Math.abs(next - s) < 1e-15 * Math.max(1, h)) break;
    s = next;
  }
  return Math.sqrt(Math.min(best, dist2(s)));
}

/**
 * Boundary heatmaps in float64: the oracle of `boundaryHeatmaps`, computed another way. The
 * curve through each group (consecutive duplicates dropped) is solved coefficient by
 * coefficient in the chord-length parameter (not-a-knot cubic for 4+ points, parabola for 3,
 * segment for 2, the point for 1), and the distance from each pixel centre to it is found by
 * 64 samples per piece and a Newton refinement; B = exp(-d^2 / (2 sigma^2)) for d < 3 sigma.
 *
 * @example A segment: 1 on it, exp(-1/2) one pixel away
 * ```ts
 * import { boundaryHeatmapsReference } from "@facealign/awing/reference";
 * import { ok } from "node:assert/strict";
 * const b = boundaryHeatmapsReference([2, 5, 12, 5], [1, 1, 16, 16], [[0, 1]]);
 * ok(b[5 * 16 + 7] === 1 && Math.abs(b[6 * 16 + 7]! - Math.exp(-0.5)) < 1e-12);
 * ```
 *
 * @param landmarks Landmarks `[N, K, 2]` in heatmap pixels.
 * @param shape The output shape `[N, C, H, W]`.
 * @param groups Landmark indices of each boundary.
 * @param options Sigma and channel mode.
 * @returns The boundary heatmaps.
 */
export function boundaryHeatmapsReference(
  landmarks: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  groups: readonly (readonly number[])[],
  options: BoundaryReferenceOptions = {},
): Float64Array {
  checkOptions(options, "draw boundaries");
  const { sigma = 1, channels = "single" } = options;
  const [n, c, h, w] = shape;
  const k = landmarks.length / (2 * n);
  const out = new Float64Array(n * c * h * w);
  for (let img = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++) {
      const members = channels === "single" ? groups : [groups[ch]!];
      const dist = new Float64Array(h * w).fill(Infinity);
      for (const group of members) {
        const xs: number[] = [], ys: number[] = [];
        for (const i of group) {
          const x = landmarks[2 * (img * k + i)]!, y = landmarks[2 * (img * k + i) + 1]!;
          if (xs.length > 0 && xs[xs.length - 1] === x && ys[ys.length - 1] === y) continue;
          xs.push(x);
          ys.push(y);
        }
        if (xs.length === 1) {
          const x0 = xs[0]!, y0 = ys[0]!;
          for (let i = 0; i < h; i++) {
            for (let j = 0; j < w; j++) {
              dist[i * w + j] = Math.min(dist[i * w + j]!, Math.hypot(j - x0, i - y0));
            }
          }
          continue;
        }
        const u = [0];
        for (let i = 1; i < xs.length; i++) {
          u.push(u[i - 1]! + Math.hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!));
        }
        let cx: Poly[], cy: Poly[];
        if (xs.length === 2) {
          const [x0, x1] = xs as [number, number], [y0, y1] = ys as [number, number];
          const u1 = u[1]!;
          cx = [[x0, (x1 - x0) / u1, 0, 0]];
          cy = [[y0, (y1 - y0) / u1, 0, 0]];
        } else {
          cx = splineCoefficients(xs, u);
          cy = splineCoefficients(ys, u);
        }
        for (let p = 0; p < cx.length; p++) {
          const cxp = cx[p]!, cyp = cy[p]!, hp = u[p + 1]! - u[p]!;
          for (let i = 0; i < h; i++) {
            for (let j = 0; j < w; j++) {
              const d = pieceDistance(cxp, cyp, hp, j, i);
              dist[i * w + j] = Math.min(dist[i * w + j]!, d);
            }
          }
        }
      }
      const o = (img * c + ch) * h * w;
      for (let p = 0; p < h * w; p++) {
        const d = dist[p]!;
        out[o + p] = d < 3 * sigma ? Math.exp(-(d * d) / (2 * sigma * sigma)) : 0;
      }
    }
  }
  return out;
}
