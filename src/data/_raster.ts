// Anti-aliased rasterisation for the face renderer: coverage masks of polygons, thick
// polylines and ellipses, painted into an RGB float image. Pixel (row i, column j) has its
// centre at (x = j, y = i); coverage is estimated from the distance d of the pixel centre
// to the shape's edge as clamp(0.5 +- d, 0, 1), which is exact for straight edges through
// the pixel at any angle to within a few percent.
import { segmentToMap } from "../heatmap/_segment.ts";

/** Coverage in [0, 1] over the rectangle [x0, x0 + w) x [y0, y0 + h) of the image. */
export interface Mask {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  readonly cov: Float32Array;
}

/** The pixel rectangle covering [minX - pad, maxX + pad] x [minY - pad, maxY + pad], clipped. */
function box(
  pts: ArrayLike<number>,
  pad: number,
  width: number,
  height: number,
): Mask | null {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < pts.length; i += 2) {
    const x = pts[i]!, y = pts[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const x0 = Math.max(0, Math.floor(minX - pad)), x1 = Math.min(width - 1, Math.ceil(maxX + pad));
  const y0 = Math.max(0, Math.floor(minY - pad)), y1 = Math.min(height - 1, Math.ceil(maxY + pad));
  if (!(x0 <= x1 && y0 <= y1)) return null;
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  return { x0, y0, w, h, cov: new Float32Array(w * h) };
}

/**
 * Coverage of a closed polygon (vertices x0, y0, x1, y1, ...; even-odd rule): 1 inside,
 * 0 outside, a 1 px ramp across the edge.
 */
export function polygonMask(poly: ArrayLike<number>, width: number, height: number): Mask | null {
  const n = poly.length >> 1;
  if (n < 3) return null;
  const m = box(poly, 1, width, height);
  if (m === null) return null;
  const { x0, y0, w, h, cov } = m;
  const xs: number[] = [];
  for (let r = 0; r < h; r++) {
    const y = y0 + r;
    xs.length = 0;
    for (let k = 0, l = n - 1; k < n; l = k++) {
      const ay = poly[2 * l + 1]!, by = poly[2 * k + 1]!;
      if ((ay <= y) !== (by <= y)) {
        const ax = poly[2 * l]!, bx = poly[2 * k]!;
        xs.push(ax + ((y - ay) * (bx - ax)) / (by - ay));
      }
    }
    xs.sort((a, b) => a - b);
    for (let s = 0; s + 1 < xs.length; s += 2) {
      const ja = Math.max(x0, Math.ceil(xs[s]!)), jb = Math.min(x0 + w, Math.ceil(xs[s + 1]!));
      for (let j = ja; j < jb; j++) cov[r * w + j - x0] = 1;
    }
  }
  // Squared distances within 1 px of an edge, then the ramp.
  const d2 = new Float64Array(w * h).fill(1);
  for (let k = 0, l = n - 1; k < n; l = k++) {
    const ax = poly[2 * l]! - x0, ay = poly[2 * l + 1]! - y0;
    segmentToMap(d2, h, w, ax, ay, poly[2 * k]! - x0, poly[2 * k + 1]! - y0, 1);
  }
  for (let p = 0; p < cov.length; p++) {
    const e = d2[p]!;
    if (e < 0.25) {
      const d = Math.sqrt(e);
      cov[p] = cov[p]! > 0 ? 0.5 + d : 0.5 - d;
    }
  }
  return m;
}

/**
 * Coverage of a thick polyline (vertices x0, y0, ...) whose half-width varies linearly
 * between the vertices' radii (`radii[k]` at vertex k): round caps and joins.
 */
export function strokeMask(
  line: ArrayLike<number>,
  radii: ArrayLike<number>,
  width: number,
  height: number,
): Mask | null {
  const n = line.length >> 1;
  if (n < 1) return null;
  let rMax = 0;
  for (let k = 0; k < n; k++) rMax = Math.max(rMax, radii[k]!);
  const m = box(line, rMax + 1, width, height);
  if (m === null) return null;
  const { x0, y0, w, h, cov } = m;
  for (let k = 0; k < Math.max(1, n - 1); k++) {
    const k2 = Math.min(k + 1, n - 1);
    const ax = line[2 * k]!, ay = line[2 * k + 1]!, bx = line[2 * k2]!, by = line[2 * k2 + 1]!;
    const ra = radii[k]!, rb = radii[k2]!;
    const reach = Math.max(ra, rb) + 1;
    const jx0 = Math.max(x0, Math.floor(Math.min(ax, bx) - reach));
    const jx1 = Math.min(x0 + w - 1, Math.ceil(Math.max(ax, bx) + reach));
    const iy0 = Math.max(y0, Math.floor(Math.min(ay, by) - reach));
    const iy1 = Math.min(y0 + h - 1, Math.ceil(Math.max(ay, by) + reach));
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const inv = len2 > 0 ? 1 / len2 : 0;
    for (let i = iy0; i <= iy1; i++) {
      const py = i - ay;
      const row = (i - y0) * w - x0;
      for (let j = jx0; j <= jx1; j++) {
        const px = j - ax;
        let t = (px * dx + py * dy) * inv;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = px - t * dx, ey = py - t * dy;
        let c = ra + t * (rb - ra) + 0.5 - Math.sqrt(ex * ex + ey * ey);
        if (c > 1) c = 1;
        if (c > cov[row + j]!) cov[row + j] = c;
      }
    }
  }
  return m;
}

/** Coverage of an ellipse with semi-axes rx, ry turned by `angle` radians. */
export function ellipseMask(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  angle: number,
  width: number,
  height: number,
): Mask | null {
  const r = Math.max(rx, ry);
  const m = box([cx - r, cy - r, cx + r, cy + r], 1, width, height);
  if (m === null || rx <= 0 || ry <= 0) return null;
  const { x0, y0, w, h, cov } = m;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const rMin = Math.min(rx, ry);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const px = x0 + j - cx, py = y0 + i - cy;
      const u = (cos * px + sin * py) / rx, v = (-sin * px + cos * py) / ry;
      // distance to the edge, approximately: (radial norm - 1) scaled by the local radius
      const q = Math.sqrt(u * u + v * v);
      const c = 0.5 - (q - 1) * (q > 0 ? Math.sqrt(px * px + py * py) / q : rMin);
      cov[i * w + j] = c < 0 ? 0 : c > 1 ? 1 : c;
    }
  }
  return m;
}

/** The product of two masks, over the first one's rectangle. */
export function intersectMasks(a: Mask, b: Mask): Mask {
  const cov = new Float32Array(a.cov.length);
  for (let i = 0; i < a.h; i++) {
    const bi = a.y0 + i - b.y0;
    if (bi < 0 || bi >= b.h) continue;
    for (let j = 0; j < a.w; j++) {
      const bj = a.x0 + j - b.x0;
      if (bj < 0 || bj >= b.w) continue;
      cov[i * a.w + j] = a.cov[i * a.w + j]! * b.cov[bi * b.w + bj]!;
    }
  }
  return { x0: a.x0, y0: a.y0, w: a.w, h: a.h, cov };
}

/**
 * Paints colour (r, g, b) over the mask with opacity `alpha * coverage`; `shade`, when given,
 * multiplies the colour at each pixel (x, y).
 */
export function paint(
  rgb: Float32Array,
  width: number,
  m: Mask | null,
  color: readonly [number, number, number],
  alpha: number,
  shade?: (x: number, y: number) => number,
): void {
  if (m === null) return;
  const [r, g, b] = color;
  for (let i = 0; i < m.h; i++) {
    const y = m.y0 + i;
    for (let j = 0; j < m.w; j++) {
      const a = alpha * m.cov[i * m.w + j]!;
      if (a <= 0) continue;
      const x = m.x0 + j;
      const s = shade === undefined ? 1 : shade(x, y);
      const p = 3 * (y * width + x);
      rgb[p] = rgb[p]! + a * (r * s - rgb[p]!);
      rgb[p + 1] = rgb[p + 1]! + a * (g * s - rgb[p + 1]!);
      rgb[p + 2] = rgb[p + 2]! + a * (b * s - rgb[p + 2]!);
    }
  }
}

/** Separable Gaussian blur of an RGB image in place (edges clamped). */
export function blurRgb(rgb: Float32Array, width: number, height: number, sigma: number): void {
  const radius = Math.ceil(3 * sigma);
  if (radius < 1) return;
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let t = -radius; t <= radius; t++) {
    const v = Math.exp(-(t * t) / (2 * sigma * sigma));
    kernel[t + radius] = v;
    sum += v;
  }
  for (let t = 0; t < kernel.length; t++) kernel[t] = kernel[t]! / sum;
  const tmp = new Float32Array(rgb.length);
  // rows into tmp
  for (let i = 0; i < height; i++) {
    const row = i * width;
    for (let j = 0; j < width; j++) {
      let r = 0, g = 0, b = 0;
      for (let t = -radius; t <= radius; t++) {
        const jj = j + t < 0 ? 0 : j + t >= width ? width - 1 : j + t;
        const k = kernel[t + radius]!, p = 3 * (row + jj);
        r += k * rgb[p]!;
        g += k * rgb[p + 1]!;
        b += k * rgb[p + 2]!;
      }
      const o = 3 * (row + j);
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  // columns back into rgb
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      let r = 0, g = 0, b = 0;
      for (let t = -radius; t <= radius; t++) {
        const ii = i + t < 0 ? 0 : i + t >= height ? height - 1 : i + t;
        const k = kernel[t + radius]!, p = 3 * (ii * width + j);
        r += k * tmp[p]!;
        g += k * tmp[p + 1]!;
        b += k * tmp[p + 2]!;
      }
      const o = 3 * (i * width + j);
      rgb[o] = r;
      rgb[o + 1] = g;
      rgb[o + 2] = b;
    }
  }
}
