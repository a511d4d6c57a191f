// The distance from pixel centres to a line segment, shared by the boundary heatmaps and the
// face renderer's anti-aliased polygons.

// Lowers d2 (squared distances) with the squared distance of every pixel centre within
// `reach` of the segment (ax, ay)-(bx, by) to that segment.
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
