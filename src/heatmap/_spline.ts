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
