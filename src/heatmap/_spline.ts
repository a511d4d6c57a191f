// The boundary curve through a group of landmarks, as cubic pieces, the same curve as the
// official `scipy.interpolate.splprep([x, y], k=min(3, n-1), s=0)`:
// - the parameter is the cumulative chord length (splprep's default u, up to scale);
// - n >= 4 points: the interpolating cubic spline with not-a-knot end conditions (FITPACK with
//   s = 0 puts the interior knots at u[2..n-3], which is exactly not-a-knot);
// - n = 3: the parabola through the three points (k = 2, no interior knot);
// - n = 2: the segment; n = 1: the point.
// Consecutive duplicate points are dropped first (as the official code does).

/**
 * One cubic piece: x(t) = ax + bx t + cx t^2 + dx t^3 (same for y), t in [0, 1], from the
 * data point (ax, ay) to the data point (ex, ey).
 */
export interface CubicPiece {
  ex: number;
  ey: number;
  ax: number;
  bx: number;
  cx: number;
  dx: number;
  ay: number;
  by: number;
  cy: number;
  dy: number;
}

/** Solves A z = b for two right-hand sides (dense, partial pivoting); A is n x n row-major. */
function solve2(a: Float64Array, b1: Float64Array, b2: Float64Array, n: number): void {
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r * n + col]!) > Math.abs(a[piv * n + col]!)) piv = r;
    }
    if (piv !== col) {
      for (let c = 0; c < n; c++) {
        const t = a[col * n + c]!;
        a[col * n + c] = a[piv * n + c]!;
        a[piv * n + c] = t;
      }
      let t = b1[col]!;
      b1[col] = b1[piv]!;
      b1[piv] = t;
      t = b2[col]!;
      b2[col] = b2[piv]!;
      b2[piv] = t;
    }
    const d = a[col * n + col]!;
    const b1c = b1[col]!, b2c = b2[col]!;
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c]! -= f * a[col * n + c]!;
      b1[r]! -= f * b1c;
      b2[r]! -= f * b2c;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s1 = b1[r]!, s2 = b2[r]!;
    for (let c = r + 1; c < n; c++) {
      const arc = a[r * n + c]!;
      s1 -= arc * b1[c]!;
      s2 -= arc * b2[c]!;
    }
    const arr = a[r * n + r]!;
    b1[r] = s1 / arr;
    b2[r] = s2 / arr;
  }
}

/** Drops consecutive duplicates from (x, y) pairs. */
export function dedupe(xs: readonly number[], ys: readonly number[]): [number[], number[]] {
  const px: number[] = [], py: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const m = px.length, x = xs[i]!, y = ys[i]!;
    if (m > 0 && px[m - 1] === x && py[m - 1] === y) continue;
    px.push(x);
    py.push(y);
  }
  return [px, py];
}

/**
 * Second derivatives (with respect to the chord-length parameter) of the interpolating curve
 * at each point, for n >= 3 deduplicated points; h are the n - 1 chord lengths.
 */
export function secondDerivatives(
  xs: readonly number[],
  ys: readonly number[],
  h: readonly number[],
): [Float64Array, Float64Array] {
  const n = xs.length;
  const a = new Float64Array(n * n);
  const mx = new Float64Array(n), my = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) {
    const h0 = h[i - 1]!, h1 = h[i]!, x = xs[i]!, y = ys[i]!;
    a[i * n + i - 1] = h0;
    a[i * n + i] = 2 * (h0 + h1);
    a[i * n + i + 1] = h1;
    mx[i] = 6 * ((xs[i + 1]! - x) / h1 - (x - xs[i - 1]!) / h0);
    my[i] = 6 * ((ys[i + 1]! - y) / h1 - (y - ys[i - 1]!) / h0);
  }
  if (n === 3) {
    // a parabola: constant second derivative
    a[0] = 1;
    a[1] = -1;
    a[2 * n + 1] = 1;
    a[2 * n + 2] = -1;
  } else {
    // not-a-knot: the third derivative is continuous at the second and the penultimate point
    const h0 = h[0]!, h1 = h[1]!, hl = h[n - 2]!, hp = h[n - 3]!;
    a[0] = h1;
    a[1] = -(h0 + h1);
    a[2] = h0;
    const r = (n - 1) * n;
    a[r + n - 3] = hl;
    a[r + n - 2] = -(hp + hl);
    a[r + n - 1] = hp;
  }
  solve2(a, mx, my, n);
  return [mx, my];
}

/**
 * The cubic pieces of the curve through the points (after dropping consecutive duplicates):
 * n - 1 pieces for n >= 2 points, one degenerate piece (a point) for n = 1.
 */
export function curvePieces(xs: readonly number[], ys: readonly number[]): CubicPiece[] {
  const [px, py] = dedupe(xs, ys);
  const n = px.length;
  if (n === 0) return [];
  if (n === 1) {
    const x = px[0]!, y = py[0]!;
    return [{
      ex: x,
      ey: y,
      ax: x,
      bx: 0,
      cx: 0,
      dx: 0,
      ay: y,
      by: 0,
      cy: 0,
      dy: 0,
    }];
  }
  const h: number[] = [];
  for (let i = 0; i + 1 < n; i++) h.push(Math.hypot(px[i + 1]! - px[i]!, py[i + 1]! - py[i]!));
  let mx: Float64Array = new Float64Array(n), my: Float64Array = new Float64Array(n);
  if (n >= 3) [mx, my] = secondDerivatives(px, py, h);
  const pieces: CubicPiece[] = [];
  for (let i = 0; i + 1 < n; i++) {
    // S(t) = (1-t) y_i + t y_{i+1} + h^2/6 [((1-t)^3 - (1-t)) M_i + (t^3 - t) M_{i+1}]
    const hi = h[i]!, q = (hi * hi) / 6;
    const x0 = px[i]!, x1 = px[i + 1]!, y0 = py[i]!, y1 = py[i + 1]!;
    const mx0 = mx[i]!, mx1 = mx[i + 1]!, my0 = my[i]!, my1 = my[i + 1]!;
    pieces.push({
      ex: x1,
      ey: y1,
      ax: x0,
      bx: x1 - x0 - q * (2 * mx0 + mx1),
      cx: 3 * q * mx0,
      dx: q * (mx1 - mx0),
      ay: y0,
      by: y1 - y0 - q * (2 * my0 + my1),
      cy: 3 * q * my0,
      dy: q * (my1 - my0),
    });
  }
  return pieces;
}

/**
 * Flattens a piece into m + 1 vertices so that the polyline is within `tol` of the curve
 * (Hausdorff distance): for a polynomial curve, the chord over [t0, t0 + dt] deviates from
 * the arc by at most dt^2 / 8 max |P''|, and P'' = 2c + 6dt is linear in t, so its norm peaks
 * at t = 0 or t = 1. The end vertices are the data points, exactly.
 */
export function flatten(p: CubicPiece, tol: number): Float64Array {
  const a0 = Math.hypot(2 * p.cx, 2 * p.cy);
  const a1 = Math.hypot(2 * p.cx + 6 * p.dx, 2 * p.cy + 6 * p.dy);
  const m = Math.max(1, Math.ceil(Math.sqrt(Math.max(a0, a1) / (8 * tol))));
  const v = new Float64Array(2 * (m + 1));
  for (let s = 0; s <= m; s++) {
    const t = s / m;
    v[2 * s] = p.ax + t * (p.bx + t * (p.cx + t * p.dx));
    v[2 * s + 1] = p.ay + t * (p.by + t * (p.cy + t * p.dy));
  }
  v[2 * m] = p.ex;
  v[2 * m + 1] = p.ey;
  return v;
}

/** An axis-aligned box, inclusive: x0 <= x <= x1, y0 <= y <= y1. */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Segments at most this many per flat enough parameter interval. */
const LEAF_SEGMENTS = 16;
/** Halvings of the parameter interval before a leaf is taken as it is (float64 resolution). */
const MAX_DEPTH = 200;

/**
 * Flattens a piece as {@link flatten} does (a polyline within `tol` of the curve), but only
 * where the curve comes near `box`: `emit` gets the segments of the parts of the curve whose
 * Bézier hull meets `box`, so the work is bounded by the parts near the box, not by the
 * piece's size (a landmark at 1e30 makes a piece of curvature ~1e30 that {@link flatten}
 * would cut into ~1e15 segments). Each half of the piece is evaluated from its own end point,
 * in a parameter that is 0 there, so the curve near a data point stays accurate however far
 * the other end is; the parameter interval is halved until a part is flat enough for a few
 * segments or misses the box. Parts farther than `tol` plus rounding from the box may be left
 * out.
 */
export function flattenNear(
  p: CubicPiece,
  tol: number,
  box: Box,
  emit: (ax: number, ay: number, bx: number, by: number) => void,
): void {
  // P''(t) = 2c + 6dt is linear: its norm peaks at an end
  const a0 = Math.hypot(2 * p.cx, 2 * p.cy);
  const a1 = Math.hypot(2 * p.cx + 6 * p.dx, 2 * p.cy + 6 * p.dy);
  const bend = Math.sqrt(Math.max(a0, a1) / (8 * tol)); // segments per unit of parameter
  // the first half from (ax, ay) in t, the second from (ex, ey) in s = 1 - t:
  // P(1 - s) = E - P'(1) s + (c + 3d) s^2 - d s^3
  flattenHalf([p.ax, p.bx, p.cx, p.dx], [p.ay, p.by, p.cy, p.dy], bend, box, emit);
  flattenHalf(
    [p.ex, -(p.bx + 2 * p.cx + 3 * p.dx), p.cx + 3 * p.dx, -p.dx],
    [p.ey, -(p.by + 2 * p.cy + 3 * p.dy), p.cy + 3 * p.dy, -p.dy],
    bend,
    box,
    emit,
  );
}

/** Power-basis coefficients of one coordinate of a half piece, in a parameter in [0, 1/2]. */
type Cubic = readonly [number, number, number, number];

/** The half piece (x(s), y(s)), s in [0, 1/2], flattened near `box` (see flattenNear). */
function flattenHalf(
  cx: Cubic,
  cy: Cubic,
  bend: number,
  box: Box,
  emit: (ax: number, ay: number, bx: number, by: number) => void,
): void {
  const at = (c: Cubic, s: number): number => c[0] + s * (c[1] + s * (c[2] + s * c[3]));
  const slope = (c: Cubic, s: number): number => c[1] + s * (2 * c[2] + 3 * s * c[3]);
  const visit = (s0: number, s1: number, depth: number): void => {
    const ds = s1 - s0;
    const x0 = at(cx, s0), y0 = at(cy, s0), x3 = at(cx, s1), y3 = at(cy, s1);
    const x1 = x0 + (ds / 3) * slope(cx, s0), y1 = y0 + (ds / 3) * slope(cy, s0);
    const x2 = x3 - (ds / 3) * slope(cx, s1), y2 = y3 - (ds / 3) * slope(cy, s1);
    // the hull of the Bézier control points holds the part; widened by their rounding
    const slack = 1e-12 *
      (Math.abs(x0) + Math.abs(x1) + Math.abs(x2) + Math.abs(x3) + Math.abs(y0) +
        Math.abs(y1) + Math.abs(y2) + Math.abs(y3));
    if (
      Math.max(x0, x1, x2, x3) + slack < box.x0 || Math.min(x0, x1, x2, x3) - slack > box.x1 ||
      Math.max(y0, y1, y2, y3) + slack < box.y0 || Math.min(y0, y1, y2, y3) - slack > box.y1
    ) return;
    const m = Math.max(1, Math.ceil(ds * bend));
    if (m > LEAF_SEGMENTS && depth < MAX_DEPTH) {
      const mid = s0 + 0.5 * ds;
      visit(s0, mid, depth + 1);
      visit(mid, s1, depth + 1);
      return;
    }
    const steps = Math.min(m, LEAF_SEGMENTS);
    let ax = x0, ay = y0;
    for (let i = 1; i <= steps; i++) {
      const last = i === steps;
      const s = s0 + (i / steps) * ds;
      const bx = last ? x3 : at(cx, s), by = last ? y3 : at(cy, s);
      emit(ax, ay, bx, by);
      ax = bx;
      ay = by;
    }
  };
  visit(0, 0.5, 0);
}
