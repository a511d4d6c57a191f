// The distance from pixel centres to a line segment, shared by the boundary heatmaps and the
// face renderer's anti-aliased polygons.

// Lowers d2 (squared distances) with the squared distance of every pixel centre within
// `reach` of the segment (ax, ay)-(bx, by) to that segment. The segment is first clipped to
// the pixel centres' box widened by `reach` (which keeps every distance below `reach`), so an
// end point far off the map (1e30) costs nothing and loses no precision near the map.
export function segmentToMap(
  d2: Float64Array,
  h: number,
  w: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  reach: number,
): void {
  const clipped = clipSegment(ax, ay, bx, by, -reach, w - 1 + reach, -reach, h - 1 + reach);
  if (clipped === undefined) return;
  [ax, ay, bx, by] = clipped;
  const x0 = Math.max(0, Math.ceil(Math.min(ax, bx) - reach));
  const x1 = Math.min(w - 1, Math.floor(Math.max(ax, bx) + reach));
  const y0 = Math.max(0, Math.ceil(Math.min(ay, by) - reach));
  const y1 = Math.min(h - 1, Math.floor(Math.max(ay, by) + reach));
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const inv = len2 > 0 ? 1 / len2 : 0;
  for (let i = y0; i <= y1; i++) {
    const py = i - ay;
    const row = i * w;
    for (let j = x0; j <= x1; j++) {
      const px = j - ax;
      let t = (px * dx + py * dy) * inv;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx, ey = py - t * dy;
      const e = ex * ex + ey * ey;
      if (e < d2[row + j]!) d2[row + j] = e;
    }
  }
}

/**
 * The part of the segment (ax, ay)-(bx, by) inside the box [x0, x1] x [y0, y1]
 * (Liang-Barsky), or undefined when it misses the box. A cut point is computed from the end
 * nearer to it, so that a far end (1e30) does not swamp a point near the box.
 */
export function clipSegment(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): [number, number, number, number] | undefined {
  const inside = (x: number, y: number): boolean => x >= x0 && x <= x1 && y >= y0 && y <= y1;
  if (inside(ax, ay) && inside(bx, by)) return [ax, ay, bx, by];
  const dx = bx - ax, dy = by - ay;
  let lo = 0, hi = 1;
  // the box's lines x0, x1, y0, y1; loLine / hiLine: the line that cuts each end (-1: none)
  let loLine = -1, hiLine = -1;
  const lines = [x0, x1, y0, y1];
  for (let l = 0; l < 4; l++) {
    const d = l < 2 ? dx : dy;
    const a = l < 2 ? ax : ay;
    const v = lines[l]!;
    // inside: a + t d >= v for the low lines, <= v for the high ones, i.e. q - t r >= 0
    const sign = l % 2 === 0 ? 1 : -1;
    const q = sign * (a - v);
    const r = -sign * d;
    if (r === 0) {
      if (q < 0) return undefined;
      continue;
    }
    const t = q / r;
    if (r < 0) {
      if (t > lo) [lo, loLine] = [t, l]; // inside from t on
    } else if (t < hi) [hi, hiLine] = [t, l]; // inside up to t
    if (lo > hi) return undefined;
  }
  const cut = (t: number, l: number): [number, number] => {
    const v = lines[l]!;
    // the other coordinate, interpolated from the nearer end
    const [a, b, oa, ob] = l < 2 ? [ax, bx, ay, by] : [ay, by, ax, bx];
    const other = t <= 0.5
      ? oa + ((v - a) / (b - a)) * (ob - oa)
      : ob + ((v - b) / (a - b)) * (oa - ob);
    return l < 2 ? [v, other] : [other, v];
  };
  const [cax, cay] = loLine < 0 ? [ax, ay] : cut(lo, loLine);
  const [cbx, cby] = hiLine < 0 ? [bx, by] : cut(hi, hiLine);
  return [cax, cay, cbx, cby];
}
