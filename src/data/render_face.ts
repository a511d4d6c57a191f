import { checkOptions } from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import { curvePieces, flatten } from "../heatmap/_spline.ts";
import { checkInt, checkLandmarks, checkRange, checkSeed } from "./_check.ts";
import {
  blurRgb,
  ellipseMask,
  intersectMasks,
  type Mask,
  paint,
  polygonMask,
  strokeMask,
} from "./_raster.ts";
import { Rng } from "./_rng.ts";
import type { Landmarks } from "./types.ts";

/** Options of {@linkcode renderFace}. */
export interface RenderFaceOptions {
  /** Side of the square output image in pixels (the landmarks are in its pixels). */
  readonly size: number;
  /** Seed: the same landmarks and seed give the same image. */
  readonly seed: number;
  /** Probability of one or two occluding patches over the face. Default 0.3. */
  readonly occlusion?: number;
  /** Largest blur standard deviation, in pixels of a 128 px image (scaled). Default 1. */
  readonly blur?: number;
  /** Largest standard deviation of the additive pixel noise. Default 0.03. */
  readonly noise?: number;
  /** Output buffer of `size * size * 3` floats (e.g. a batch slice), fully overwritten. */
  readonly out?: Float32Array;
}

type Rgb = [number, number, number];
type Vec = [number, number];

const TOLERANCE = 0.1; // px, spline flattening

/**
 * Draws a synthetic face (RGB, float32 in [0, 1], `size x size x 3` channel-last) whose
 * features follow a real 68-point 300W landmark set, given in the output's pixels. The
 * landmarks are never drawn as marks: the head outline follows the jaw curve (0-16), the
 * eyebrows are bands under the brow curves (17-26), the eyes are lid-shaped sclera with iris
 * and pupil (36-47), the nose a bridge with shading and a nostril line (27-35), the lips
 * follow the outer and inner lip curves (48-67); all curves are the interpolating splines
 * through the layout's boundary groups, filled or stroked with anti-aliasing. A network
 * must infer the points from the shapes, as in real images.
 *
 * The scene is random but seeded: skin tone with radial shading, hair, a neck, a textured
 * background with clutter, occluding patches, a lighting gradient and colour cast, blur and
 * pixel noise. Same landmarks and seed, same image.
 *
 * @param landmarks One face, 68 (x, y) points in output pixels (e.g. after a crop and
 * augmentation); points may lie outside the image.
 * @param options Size, seed, occlusion probability, blur and noise, output buffer.
 * @returns The image, `size * size * 3` floats (the `out` buffer when given).
 * @throws {TypeError} If `landmarks` is not a Float32Array or Float64Array of 136 values,
 * or `out` has the wrong type or length or shares memory with the landmarks.
 * @throws {RangeError} If the size is not a whole number in [8, 4096], the seed is not a
 * safe integer, a probability or strength is out of range, or a coordinate is not finite or
 * more than 16 image sides away from the image.
 *
 * @example Same seed, same image; another seed, another scene
 * ```ts
 * import { renderFace } from "@facealign/awing/data";
 * import { deepEqual, equal, notDeepEqual } from "node:assert/strict";
 *
 * // A rough frontal face in a 64 px image: a ring of jaw points and features.
 * const lm = new Float64Array(136);
 * for (let k = 0; k < 68; k++) {
 *   const t = (k / 67) * Math.PI * 2;
 *   lm[2 * k] = 32 + 14 * Math.cos(t) * (k < 17 ? 1.4 : 0.6);
 *   lm[2 * k + 1] = 32 + 14 * Math.sin(t) * (k < 17 ? 1.4 : 0.6);
 * }
 * const a = renderFace(lm, { size: 64, seed: 1 });
 * equal(a.length, 64 * 64 * 3);
 * deepEqual(renderFace(lm, { size: 64, seed: 1 }), a);
 * notDeepEqual(renderFace(lm, { size: 64, seed: 2 }), a);
 * ```
 */
export function renderFace(landmarks: Landmarks, options: RenderFaceOptions): Float32Array {
  const action = "render face";
  checkOptions(options, action);
  checkLandmarks(landmarks, "landmarks", action);
  if (landmarks.length !== 136) {
    throw new TypeError(
      `Cannot ${action}: "landmarks" has ${landmarks.length} elements but 68 points (136) are expected`,
    );
  }
  const size = checkInt(options?.size, "size", 8, 4096, action);
  const seed = checkSeed(options.seed, action);
  const occlusion = checkRange(options.occlusion ?? 0.3, "occlusion", 0, 1, action);
  const blurMax = checkRange(options.blur ?? 1, "blur", 0, 16, action);
  const noiseMax = checkRange(options.noise ?? 0.03, "noise", 0, 1, action);
  const limit = 16 * size;
  for (let i = 0; i < 136; i++) {
    const v = landmarks[i]!;
    if (!(Math.abs(v - size / 2) <= limit)) {
      throw new RangeError(
        `Cannot ${action} as landmarks must be finite and within ${limit} px of the image: element ${i} is ${v}`,
      );
    }
  }
  const n = size * size * 3;
  const out = options.out ?? new Float32Array(n);
  if (!(out instanceof Float32Array) || out.length !== n) {
    throw new TypeError(`Cannot ${action}: "out" must be a Float32Array of ${n} elements`);
  }
  checkNoOverlap([["out", out]], [["landmarks", landmarks]], action);
  const rng = new Rng(seed);
  const face = new FaceGeometry(landmarks);
  background(out, size, rng);
  drawFace(out, size, face, rng, occlusion);
  finish(out, size, rng, blurMax, noiseMax);
  return out;
}

/** Points and the face's frame: unit length (about the inter-ocular distance) and axes. */
class FaceGeometry {
  readonly lm: Landmarks;
  readonly u: number;
  readonly up: Vec;
  readonly centre: Vec;
  constructor(lm: Landmarks) {
    this.lm = lm;
    const eyeL = this.mean(36, 41), eyeR = this.mean(42, 47);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let k = 0; k < 68; k++) {
      const [x, y] = this.p(k);
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    const iod = Math.hypot(eyeR[0] - eyeL[0], eyeR[1] - eyeL[1]);
    this.u = Math.max(iod, 0.35 * Math.max(x1 - x0, y1 - y0), 0.5);
    const brow = this.mean(17, 26), chin = this.p(8);
    const vx = brow[0] - chin[0], vy = brow[1] - chin[1];
    const len = Math.hypot(vx, vy);
    this.up = len > 1e-9 ? [vx / len, vy / len] : [0, -1];
    this.centre = this.mean(27, 35);
  }
  p(k: number): Vec {
    return [this.lm[2 * k]!, this.lm[2 * k + 1]!];
  }
  mean(a: number, b: number): Vec {
    let x = 0, y = 0;
    for (let k = a; k <= b; k++) {
      x += this.lm[2 * k]!;
      y += this.lm[2 * k + 1]!;
    }
    return [x / (b - a + 1), y / (b - a + 1)];
  }
  /** The spline through the listed points, flattened to a polyline. */
  curve(indices: readonly number[]): number[] {
    return curveThrough(indices.map((k) => this.p(k)));
  }
}

/** The interpolating spline through points, as a flat polyline x0, y0, x1, y1, ... */
function curveThrough(points: readonly Vec[]): number[] {
  const pieces = curvePieces(points.map((p) => p[0]), points.map((p) => p[1]));
  const line: number[] = [];
  for (const piece of pieces) {
    const v = flatten(piece, TOLERANCE);
    for (let i = line.length === 0 ? 0 : 2; i < v.length; i++) line.push(v[i]!);
  }
  return line;
}

/** Concatenates polylines whose ends meet (the shared vertex once). */
function join(...lines: number[][]): number[] {
  const out: number[] = [];
  for (const l of lines) out.push(...(out.length === 0 ? l : l.slice(2)));
  return out;
}

/** The polyline shifted by (dx, dy) times the per-vertex factor f(s), s the arc fraction. */
function offset(
  line: readonly number[],
  dx: number,
  dy: number,
  f: (s: number) => number,
): number[] {
  const n = line.length >> 1;
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = n > 1 ? k / (n - 1) : 0;
    out.push(line[2 * k]! + dx * f(s), line[2 * k + 1]! + dy * f(s));
  }
  return out;
}

/** Reverses a polyline. */
function reverse(line: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = (line.length >> 1) - 1; k >= 0; k--) out.push(line[2 * k]!, line[2 * k + 1]!);
  return out;
}

/** Constant radii for a polyline. */
function radii(line: readonly number[], r: number): Float64Array {
  return new Float64Array(line.length >> 1).fill(r);
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])];
}

function times(c: Rgb, s: number): Rgb {
  return [c[0] * s, c[1] * s, c[2] * s];
}

function randomColor(rng: Rng): Rgb {
  return [rng.next(), rng.next(), rng.next()];
}

/** Value noise: bilinear interpolation of random colours on a (g + 1) x (g + 1) grid. */
function noiseLayer(rgb: Float32Array, size: number, rng: Rng, g: number, amp: number): void {
  const nodes = new Float32Array((g + 1) * (g + 1) * 3);
  for (let i = 0; i < nodes.length; i++) nodes[i] = (rng.next() - 0.5) * 2 * amp;
  const step = g / size;
  for (let i = 0; i < size; i++) {
    const gy = i * step, y0 = Math.floor(gy), fy = gy - y0;
    for (let j = 0; j < size; j++) {
      const gx = j * step, x0 = Math.floor(gx), fx = gx - x0;
      const a = 3 * (y0 * (g + 1) + x0), b = a + 3 * (g + 1);
      const p = 3 * (i * size + j);
      for (let c = 0; c < 3; c++) {
        const top = nodes[a + c]! + fx * (nodes[a + 3 + c]! - nodes[a + c]!);
        const bot = nodes[b + c]! + fx * (nodes[b + 3 + c]! - nodes[b + c]!);
        rgb[p + c] = rgb[p + c]! + top + fy * (bot - top);
      }
    }
  }
}

/** A random textured background: colour, two noise octaves, clutter shapes. */
function background(rgb: Float32Array, size: number, rng: Rng): void {
  const base = mix(randomColor(rng), [0.5, 0.5, 0.5], rng.uniform(0, 0.6));
  for (let p = 0; p < rgb.length; p += 3) {
    rgb[p] = base[0];
    rgb[p + 1] = base[1];
    rgb[p + 2] = base[2];
  }
  noiseLayer(rgb, size, rng, 2 + rng.int(5), rng.uniform(0.05, 0.3));
  noiseLayer(rgb, size, rng, 8 + rng.int(16), rng.uniform(0, 0.1));
  const clutter = rng.int(4);
  for (let s = 0; s < clutter; s++) {
    const cx = rng.uniform(0, size), cy = rng.uniform(0, size);
    const a = rng.uniform(0, Math.PI), w = rng.uniform(0.1, 0.6) * size;
    const h = rng.uniform(0.05, 0.4) * size;
    const c = Math.cos(a), sn = Math.sin(a);
    const quad = [
      [-w, -h],
      [w, -h],
      [w, h],
      [-w, h],
    ].flatMap(([x, y]) => [cx + c * x! - sn * y!, cy + sn * x! + c * y!]);
    paint(rgb, size, polygonMask(quad, size, size), randomColor(rng), rng.uniform(0.3, 1));
  }
}

/** Keeps the part of a mask on the side of the line through (px, py) that n points to. */
function clipHalfPlane(
  m: Mask | null,
  px: number,
  py: number,
  nx: number,
  ny: number,
): Mask | null {
  if (m === null) return null;
  for (let i = 0; i < m.h; i++) {
    for (let j = 0; j < m.w; j++) {
      const d = (m.x0 + j - px) * nx + (m.y0 + i - py) * ny;
      const c = d + 0.5;
      if (c < 1) m.cov[i * m.w + j] = c <= 0 ? 0 : m.cov[i * m.w + j]! * c;
    }
  }
  return m;
}

const SKIN_LIGHT: Rgb = [0.96, 0.8, 0.69];
const SKIN_DARK: Rgb = [0.3, 0.19, 0.13];
const HAIR: readonly Rgb[] = [
  [0.05, 0.04, 0.04],
  [0.22, 0.13, 0.07],
  [0.45, 0.3, 0.15],
  [0.7, 0.58, 0.35],
  [0.55, 0.55, 0.55],
  [0.5, 0.18, 0.08],
];
const IRIS: readonly Rgb[] = [
  [0.3, 0.18, 0.08],
  [0.15, 0.1, 0.06],
  [0.25, 0.4, 0.6],
  [0.3, 0.45, 0.3],
  [0.45, 0.4, 0.25],
];

/** Head, hair, neck, eyebrows, eyes, nose, mouth and occluders. */
function drawFace(
  rgb: Float32Array,
  size: number,
  f: FaceGeometry,
  rng: Rng,
  occlusion: number,
): void {
  const u = f.u;
  const [upx, upy] = f.up;
  const skin = mix(mix(SKIN_LIGHT, SKIN_DARK, rng.next()), randomColor(rng), 0.08);
  const hair = mix(HAIR[rng.int(HAIR.length)]!, randomColor(rng), 0.1);
  // The line through the jaw's ends (0, 16) and its normal towards the top of the head.
  const [ax, ay] = f.p(0), [bx, by] = f.p(16);
  let nx = -(by - ay), ny = bx - ax;
  const nl = Math.hypot(nx, ny) || 1;
  nx /= nl;
  ny /= nl;
  if (nx * upx + ny * upy < 0) {
    nx = -nx;
    ny = -ny;
  }
  const lift = (k: number, factor: number): Vec => {
    const [x, y] = f.p(k);
    const s = (x - ax) * nx + (y - ay) * ny; // negative below the line
    return [x - (1 + factor) * s * nx, y - (1 + factor) * s * ny];
  };
  const jawIdx = Array.from({ length: 17 }, (_, k) => k);
  const topIdx = jawIdx.slice().reverse();
  const jaw = f.curve(jawIdx);
  const foreheadHeight = rng.uniform(0.7, 0.95);
  const forehead = curveThrough(topIdx.map((k) => lift(k, foreheadHeight)));
  const head = join(jaw, forehead);
  const hasHair = rng.chance(0.85);
  // hair behind the head
  if (hasHair) {
    const [cx, cy] = f.centre;
    const grow = rng.uniform(1.05, 1.2);
    const back = head.map((v, i) => (i % 2 === 0 ? cx : cy) + grow * (v - (i % 2 === 0 ? cx : cy)));
    const drop = rng.uniform(-0.2, 1.5) * u;
    const m = clipHalfPlane(
      polygonMask(back, size, size),
      ax - drop * nx,
      ay - drop * ny,
      nx,
      ny,
    );
    paint(rgb, size, m, hair, 1);
  }
  // neck
  const [n4x, n4y] = f.p(4), [n12x, n12y] = f.p(12);
  const d = 3 * u;
  const neck = [n4x, n4y, n12x, n12y, n12x - d * upx, n12y - d * upy, n4x - d * upx, n4y - d * upy];
  paint(rgb, size, polygonMask(neck, size, size), times(skin, rng.uniform(0.6, 0.85)), 1);
  // face with radial shading
  const [fcx, fcy] = f.centre;
  const r2 = 1 / (2.2 * u * u);
  const shade = (x: number, y: number): number => {
    const q = ((x - fcx) ** 2 + (y - fcy) ** 2) * r2;
    return 1.08 - 0.35 * (q > 1 ? 1 : q);
  };
  paint(rgb, size, polygonMask(head, size, size), skin, 1, shade);
  paint(rgb, size, strokeMask(jaw, radii(jaw, 0.06 * u), size, size), times(skin, 0.55), 0.35);
  // fringe: the top of the forehead
  if (hasHair && rng.chance(0.9)) {
    const line = rng.uniform(0.4, 0.75) * foreheadHeight;
    const hairline = curveThrough(jawIdx.map((k) => lift(k, line)));
    paint(rgb, size, polygonMask(join(forehead, hairline), size, size), hair, 1);
  }
  const dark = mix(hair, [0, 0, 0], 0.3);
  // eyebrows: bands under the brow curves, thicker at the inner end
  const tb = rng.uniform(0.1, 0.2) * u;
  const browAlpha = rng.uniform(0.6, 0.95);
  for (const [idx, taper] of [[[17, 18, 19, 20, 21], 1], [[22, 23, 24, 25, 26], -1]] as const) {
    const top = f.curve(idx);
    const thick = (s: number): number => tb * (taper > 0 ? 0.45 + 0.55 * s : 1 - 0.55 * s);
    const bottom = offset(top, -upx, -upy, thick);
    paint(rgb, size, polygonMask(join(top, reverse(bottom)), size, size), dark, browAlpha);
  }
  // eyes
  const iris = mix(IRIS[rng.int(IRIS.length)]!, randomColor(rng), 0.1);
  const sclera = times([0.95, 0.93, 0.9], rng.uniform(0.75, 1));
  const gaze = rng.uniform(-0.12, 0.12);
  const lash = times(dark, 0.6);
  for (const [a, b] of [[36, 42], [42, 48]] as const) {
    const upper = f.curve([a, a + 1, a + 2, a + 3]);
    const lower = f.curve([a + 3, a + 4, a + 5, a]);
    const eye = polygonMask(join(upper, lower), size, size);
    paint(rgb, size, eye, sclera, 1);
    const [c0x, c0y] = f.p(a), [c3x, c3y] = f.p(a + 3);
    const ew = Math.hypot(c3x - c0x, c3y - c0y);
    const [ex, ey] = f.mean(a, b - 1);
    const ix = ex + gaze * (c3x - c0x), iy = ey + gaze * (c3y - c0y);
    const ri = Math.max(0.21 * ew, 0.5);
    if (eye !== null) {
      const clip = (m: Mask | null): Mask | null => (m === null ? null : intersectMasks(m, eye));
      paint(rgb, size, clip(ellipseMask(ix, iy, ri, ri, 0, size, size)), iris, 1);
      paint(rgb, size, clip(ellipseMask(ix, iy, 0.45 * ri, 0.45 * ri, 0, size, size)), [
        0.02,
        0.02,
        0.02,
      ], 1);
      const hx = ix - 0.3 * ri, hy = iy - 0.3 * ri;
      paint(
        rgb,
        size,
        clip(ellipseMask(hx, hy, 0.15 * ri, 0.15 * ri, 0, size, size)),
        [1, 1, 1],
        0.8,
      );
    }
    paint(rgb, size, strokeMask(upper, radii(upper, 0.045 * u), size, size), lash, 0.9);
    paint(rgb, size, strokeMask(lower, radii(lower, 0.02 * u), size, size), times(skin, 0.5), 0.6);
    const crease = offset(upper, upx, upy, (s) => 0.12 * u * Math.sin(Math.PI * s));
    paint(
      rgb,
      size,
      strokeMask(crease, radii(crease, 0.025 * u), size, size),
      times(skin, 0.7),
      0.4,
    );
  }
  // nose: bridge highlight and side shadow, nostril line, nostrils, tip
  const bridge = f.curve([27, 28, 29, 30]);
  const side = rng.chance(0.5) ? 1 : -1;
  const sx = side * -upy * 0.1 * u, sy = side * upx * 0.1 * u;
  const shadow = offset(bridge, sx, sy, () => 1);
  paint(
    rgb,
    size,
    strokeMask(shadow, radii(shadow, 0.06 * u), size, size),
    times(skin, 0.65),
    0.35,
  );
  paint(rgb, size, strokeMask(bridge, radii(bridge, 0.05 * u), size, size), times(skin, 1.15), 0.3);
  const [tx, ty] = f.p(30);
  paint(rgb, size, ellipseMask(tx, ty, 0.09 * u, 0.09 * u, 0, size, size), times(skin, 1.15), 0.3);
  const nostrilLine = f.curve([31, 32, 33, 34, 35]);
  paint(
    rgb,
    size,
    strokeMask(nostrilLine, radii(nostrilLine, 0.035 * u), size, size),
    times(skin, 0.5),
    0.8,
  );
  const angle = Math.atan2(-upx, upy);
  for (const k of [32, 34]) {
    const [x, y] = f.p(k);
    const m = ellipseMask(
      x + 0.05 * u * upx,
      y + 0.05 * u * upy,
      0.07 * u,
      0.04 * u,
      angle,
      size,
      size,
    );
    paint(rgb, size, m, times(skin, 0.3), 0.85);
  }
  // mouth
  const lips = mix(skin, [0.75, 0.28, 0.3], rng.uniform(0.35, 0.8));
  const outer = join(f.curve([48, 49, 50, 51, 52, 53, 54]), f.curve([54, 55, 56, 57, 58, 59, 48]));
  paint(rgb, size, polygonMask(outer, size, size), lips, 1);
  const innerTop = f.curve([60, 61, 62, 63, 64]);
  const innerBottom = f.curve([64, 65, 66, 67, 60]);
  const mouth: Rgb = rng.chance(0.35)
    ? [0.9, 0.87, 0.78]
    : times([0.3, 0.08, 0.08], rng.uniform(0.3, 1));
  paint(rgb, size, polygonMask(join(innerTop, innerBottom), size, size), mouth, 1);
  const lipLine = times(lips, 0.4);
  paint(rgb, size, strokeMask(innerTop, radii(innerTop, 0.025 * u), size, size), lipLine, 0.9);
  paint(
    rgb,
    size,
    strokeMask(innerBottom, radii(innerBottom, 0.015 * u), size, size),
    lipLine,
    0.6,
  );
  // occluding patches
  if (rng.chance(occlusion)) {
    const count = 1 + rng.int(2);
    for (let s = 0; s < count; s++) {
      const cx = fcx + rng.uniform(-1.5, 1.5) * u, cy = fcy + rng.uniform(-1.5, 1.5) * u;
      const rx = rng.uniform(0.3, 0.9) * u, ry = rng.uniform(0.3, 0.9) * u;
      const a = rng.uniform(0, Math.PI);
      const c = Math.cos(a), sn = Math.sin(a);
      const m = rng.chance(0.5) ? ellipseMask(cx, cy, rx, ry, a, size, size) : polygonMask(
        [[-rx, -ry], [rx, -ry], [rx, ry], [-rx, ry]].flatMap(([x, y]) => [
          cx + c * x! - sn * y!,
          cy + sn * x! + c * y!,
        ]),
        size,
        size,
      );
      const freq = rng.uniform(0.2, 1.2), phase = rng.uniform(0, 6.3);
      const stripes = (x: number, y: number): number =>
        1 + 0.2 * Math.sin(freq * (c * x + sn * y) + phase);
      paint(rgb, size, m, randomColor(rng), 1, stripes);
    }
  }
}

/** Lighting gradient and colour cast, blur, noise, clamp to [0, 1]. */
function finish(
  rgb: Float32Array,
  size: number,
  rng: Rng,
  blurMax: number,
  noiseMax: number,
): void {
  const bright = rng.uniform(0.7, 1.2);
  const g = rng.uniform(-0.8, 0.8);
  const a = rng.uniform(0, 2 * Math.PI);
  const dx = (g * Math.cos(a)) / size, dy = (g * Math.sin(a)) / size;
  const cast: Rgb = [rng.uniform(0.9, 1.1), rng.uniform(0.9, 1.1), rng.uniform(0.9, 1.1)];
  const c = size / 2;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const l = bright * (1 + (j - c) * dx + (i - c) * dy);
      const p = 3 * (i * size + j);
      rgb[p] = rgb[p]! * l * cast[0];
      rgb[p + 1] = rgb[p + 1]! * l * cast[1];
      rgb[p + 2] = rgb[p + 2]! * l * cast[2];
    }
  }
  const sigma = rng.uniform(0, blurMax) * (size / 128);
  blurRgb(rgb, size, size, sigma);
  const std = rng.uniform(0, noiseMax);
  for (let p = 0; p < rgb.length; p++) {
    const v = rgb[p]! + std * rng.noise();
    rgb[p] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}
