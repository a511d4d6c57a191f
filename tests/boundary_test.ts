// Boundary heatmaps: the curve (spline properties), the distance map against the float64
// reference (another formulation: power-basis solve + Newton), the values on the curve and
// beyond 3 sigma, and mirror symmetry on real 300W faces.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { boundaryHeatmaps } from "../src/heatmap/mod.ts";
import { curvePieces, dedupe, flatten } from "../src/heatmap/_spline.ts";
import type { CubicPiece } from "../src/heatmap/_spline.ts";
import { getLayout } from "../src/layouts/mod.ts";
import { boundaryHeatmapsReference } from "../src/reference/mod.ts";
import { at } from "./_assert.ts";
import { DATA, HAS_DATA, SKIP } from "./_data.ts";

type Shape = [number, number, number, number];

const CSV = new URL("300w_public_common_68pt.csv", DATA);

/** The first `count` faces of the 300W common set, 0-based, fitted into a 64 x 64 frame. */
function faces64(count: number): Float32Array {
  const lines = Deno.readTextFileSync(CSV).trim().split("\n").slice(1, 1 + count);
  const out = new Float32Array(count * 68 * 2);
  lines.forEach((line, f) => {
    const v = line.split(",").slice(4).map(Number).map((x) => x - 1); // .pts are 1-based
    equal(v.length, 136);
    const xs = v.filter((_, i) => i % 2 === 0), ys = v.filter((_, i) => i % 2 === 1);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const s = 52 / Math.max(x1 - x0, y1 - y0);
    for (let i = 0; i < 68; i++) {
      out[f * 136 + 2 * i] = 31.5 + (at(xs, i) - (x0 + x1) / 2) * s;
      out[f * 136 + 2 * i + 1] = 31.5 + (at(ys, i) - (y0 + y1) / 2) * s;
    }
  });
  return out;
}

function pointAt(p: CubicPiece, t: number): [number, number] {
  return [
    p.ax + t * (p.bx + t * (p.cx + t * p.dx)),
    p.ay + t * (p.by + t * (p.cy + t * p.dy)),
  ];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Largest difference to the reference, leaving out pixels on the 3 sigma cut-off (where a
 * distance error below the tolerance may flip a value between exp(-4.5) and 0); checks that
 * such flips are rare.
 */
function boundaryDiff(a: ArrayLike<number>, ref: ArrayLike<number>, tol: number): number {
  equal(a.length, ref.length);
  const edge = Math.exp(-4.5) + tol;
  let m = 0, flips = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, r = ref[i]!;
    if ((x === 0 || r === 0) && Math.max(x, r) <= edge && x !== r) {
      flips++;
      continue;
    }
    m = Math.max(m, Math.abs(x - r));
  }
  ok(flips <= a.length / 1000, `${flips} pixels flipped at the cut-off`);
  return m;
}

Deno.test("the curve interpolates, is C2, not-a-knot for 4+ points, a parabola for 3", () => {
  const xs = [3, 7, 12, 14, 13, 9, 5], ys = [10, 4, 3, 8, 13, 16, 15];
  const pieces = curvePieces(xs, ys);
  equal(pieces.length, 6);
  const h = xs.slice(1).map((x, i) => Math.hypot(x - at(xs, i), at(ys, i + 1) - at(ys, i)));
  for (let i = 0; i < 6; i++) {
    const p = at(pieces, i);
    deepEqual(pointAt(p, 0), [xs[i], ys[i]]);
    const e = pointAt(p, 1);
    ok(Math.abs(e[0] - at(xs, i + 1)) < 1e-12 && Math.abs(e[1] - at(ys, i + 1)) < 1e-12);
  }
  // derivatives with respect to the chord length u = h t
  for (let i = 0; i + 1 < 6; i++) {
    const p = at(pieces, i), q = at(pieces, i + 1), hp = at(h, i), hq = at(h, i + 1);
    const d1p = [(p.bx + 2 * p.cx + 3 * p.dx) / hp, (p.by + 2 * p.cy + 3 * p.dy) / hp];
    const d1q = [q.bx / hq, q.by / hq];
    const d2p = [(2 * p.cx + 6 * p.dx) / hp ** 2, (2 * p.cy + 6 * p.dy) / hp ** 2];
    const d2q = [(2 * q.cx) / hq ** 2, (2 * q.cy) / hq ** 2];
    ok(maxAbsDiff(d1p, d1q) < 1e-10 && maxAbsDiff(d2p, d2q) < 1e-10, `C2 at ${i + 1}`);
  }
  const d3 = (p: CubicPiece, hh: number): number[] => [6 * p.dx / hh ** 3, 6 * p.dy / hh ** 3];
  const d3At = (i: number): number[] => d3(at(pieces, i), at(h, i));
  ok(maxAbsDiff(d3At(0), d3At(1)) < 1e-10, "not-a-knot at knot 1");
  ok(maxAbsDiff(d3At(4), d3At(5)) < 1e-10, "not-a-knot at knot 5");
  // 4 points: one cubic through them (Lagrange in the chord parameter)
  const x4 = [0, 4, 9, 11], y4 = [0, 3, 2, 6];
  const u = [0];
  for (let i = 1; i < 4; i++) {
    u.push(at(u, i - 1) + Math.hypot(at(x4, i) - at(x4, i - 1), at(y4, i) - at(y4, i - 1)));
  }
  const lagrange = (vals: number[], s: number): number =>
    vals.reduce((acc, v, i) => {
      let l = v;
      for (let j = 0; j < 4; j++) if (j !== i) l *= (s - at(u, j)) / (at(u, i) - at(u, j));
      return acc + l;
    }, 0);
  const p4 = curvePieces(x4, y4);
  for (let i = 0; i < 3; i++) {
    for (const t of [0.1, 0.5, 0.9]) {
      const s = at(u, i) + t * (at(u, i + 1) - at(u, i));
      const got = pointAt(at(p4, i), t);
      ok(Math.abs(got[0] - lagrange(x4, s)) < 1e-9 && Math.abs(got[1] - lagrange(y4, s)) < 1e-9);
    }
  }
  // 3 points: a parabola (no cubic term), 2 points: a segment
  for (const p of curvePieces([0, 5, 7], [0, 4, 1])) ok(Math.abs(p.dx) + Math.abs(p.dy) < 1e-12);
  const seg = curvePieces([1, 4], [2, 6]);
  deepEqual(pointAt(at(seg, 0), 0.5), [2.5, 4]);
  // consecutive duplicates are dropped, a lone point stays a point
  deepEqual(dedupe([1, 1, 2, 2, 1], [3, 3, 4, 4, 3]), [[1, 2, 1], [3, 4, 3]]);
  equal(curvePieces([5, 5, 5], [6, 6, 6]).length, 1);
});

Deno.test("flattening stays within the tolerance of the curve", () => {
  const pieces = curvePieces([3, 20, 12, 40, 30], [10, 30, 2, 25, 5]);
  for (const tol of [1e-2, 1e-3, 1e-4]) {
    for (const p of pieces) {
      const v = flatten(p, tol);
      const m = v.length / 2 - 1;
      // densely sampled curve points against their chord
      for (let s = 0; s < m; s++) {
        for (let q = 1; q < 8; q++) {
          const t = (s + q / 8) / m;
          const [x, y] = pointAt(p, t);
          const ax = at(v, 2 * s),
            ay = at(v, 2 * s + 1),
            bx = at(v, 2 * s + 2),
            by = at(v, 2 * s + 3);
          const dx = bx - ax, dy = by - ay;
          const l = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
          ok(Math.hypot(x - ax - l * dx, y - ay - l * dy) <= tol * (1 + 1e-9));
        }
      }
    }
  }
});

Deno.test("boundaryHeatmaps matches the f64 reference on synthetic groups (single and per-group)", () => {
  const lm = new Float32Array([
    5.2,
    40.1,
    9.7,
    50.3,
    18.4,
    57.9,
    30.0,
    60.2,
    41.6,
    57.5,
    50.9,
    49.8,
    55.3,
    39.7, // a jaw, 7 points
    20.5,
    20.5,
    25.5,
    17.25,
    31.1,
    20.9, // a 3-point arc
    40,
    15,
    48.6,
    19.2, // a segment
    33.3,
    33.3, // a point
    12,
    12, // duplicates of the next
    12,
    12,
  ]);
  const groups = [[0, 1, 2, 3, 4, 5, 6], [7, 8, 9], [10, 11], [12], [13, 14, 13]];
  for (const sigma of [1, 1.5]) {
    const shape: Shape = [1, 1, 64, 64];
    const got = boundaryHeatmaps(lm, { shape, groups, sigma });
    const ref = boundaryHeatmapsReference(lm, shape, groups, { sigma });
    const err = boundaryDiff(got, ref, 1e-3);
    ok(err <= 0.61e-3 / sigma + 1e-6, `sigma ${sigma}: ${err}`);
    const per = boundaryHeatmaps(lm, {
      shape: [1, 5, 64, 64],
      groups,
      sigma,
      channels: "per-group",
    });
    const refPer = boundaryHeatmapsReference(lm, [1, 5, 64, 64], groups, {
      sigma,
      channels: "per-group",
    });
    ok(boundaryDiff(per, refPer, 1e-3) <= 0.61e-3 / sigma + 1e-6);
    // single = max over the per-group channels
    for (let p = 0; p < 4096; p++) {
      let m = 0;
      for (let g = 0; g < 5; g++) m = Math.max(m, at(per, g * 4096 + p));
      equal(got[p], m);
    }
  }
  // a tighter tolerance gets closer to the reference
  const shape: Shape = [1, 1, 64, 64];
  const fine = boundaryHeatmaps(lm, { shape, groups, tolerance: 1e-5 });
  ok(boundaryDiff(fine, boundaryHeatmapsReference(lm, shape, groups), 1e-5) <= 1e-5);
});

Deno.test("boundaryHeatmaps: 1 on the landmarks, exp(-d^2/2) nearby, 0 beyond 3 sigma", () => {
  const lm = new Float32Array([10, 30, 20, 20, 30, 30, 40, 20]);
  const shape: Shape = [1, 1, 64, 64];
  const map = boundaryHeatmaps(lm, { shape, groups: [[0, 1, 2, 3]] });
  for (let i = 0; i < 4; i++) equal(map[at(lm, 2 * i + 1) * 64 + at(lm, 2 * i)], 1);
  const ref = boundaryHeatmapsReference(lm, shape, [[0, 1, 2, 3]]);
  let zeros = 0;
  for (let p = 0; p < 4096; p++) {
    // every value is either 0 or within the 3 sigma profile, and 0 exactly where the reference is
    const v = at(map, p);
    ok(v === 0 || v >= Math.exp(-4.5) - 1e-3);
    if (ref[p] === 0 && v !== 0) ok(v < Math.exp(-4.5) + 1e-3, "cut-off");
    if (v === 0) zeros++;
  }
  ok(zeros > 3000);
  equal(map[0], 0);
  equal(map[63 * 64 + 63], 0);
  // one pixel from the end point (40, 20): the curve is at most 1 px away
  const near = at(map, 21 * 64 + 40);
  ok(near >= Math.exp(-0.5) - 1e-9 && near < 1);
});

Deno.test({
  name: `boundaryHeatmaps on real 300W faces: reference, landmarks, mirror symmetry${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const layout = getLayout(68);
    const groups = layout.boundaries;
    const faces = faces64(3);
    const shape: Shape = [3, 1, 64, 64];
    const map = boundaryHeatmaps(faces, { shape, groups });
    // the reference on the first face
    const ref = boundaryHeatmapsReference(
      faces.subarray(0, 136),
      [1, 1, 64, 64],
      groups.map((g) => g.indices),
    );
    const err = boundaryDiff(map.subarray(0, 4096), ref, 1e-3);
    ok(err <= 0.61e-3 + 1e-6, `300W face 0: ${err}`);
    // the curve passes through every landmark: B(pixel) >= exp(-|pixel - landmark|^2 / 2)
    for (let f = 0; f < 3; f++) {
      for (let k = 0; k < 68; k++) {
        const x = at(faces, f * 136 + 2 * k), y = at(faces, f * 136 + 2 * k + 1);
        const j = Math.round(x), i = Math.round(y);
        const bound = Math.exp(-((j - x) ** 2 + (i - y) ** 2) / 2);
        ok(at(map, f * 4096 + i * 64 + j) >= bound - 1e-3, `face ${f} landmark ${k}`);
      }
    }
    // mirror: x -> 63 - x with the layout's flip permutation; the map flips its columns
    const mirrored = new Float32Array(faces.length);
    for (let f = 0; f < 3; f++) {
      for (let k = 0; k < 68; k++) {
        const src = at(layout.flipPermutation, k);
        mirrored[f * 136 + 2 * k] = 63 - at(faces, f * 136 + 2 * src);
        mirrored[f * 136 + 2 * k + 1] = at(faces, f * 136 + 2 * src + 1);
      }
    }
    const flipped = boundaryHeatmaps(mirrored, { shape, groups });
    let worst = 0;
    for (let f = 0; f < 3; f++) {
      for (let i = 0; i < 64; i++) {
        for (let j = 0; j < 64; j++) {
          const a = at(map, f * 4096 + i * 64 + j), b = at(flipped, f * 4096 + i * 64 + 63 - j);
          worst = Math.max(worst, Math.abs(a - b));
        }
      }
    }
    ok(worst < 1e-5, `mirror asymmetry ${worst}`);
    ok(map.some((v) => v > 0.99));
  },
});

Deno.test("boundaryHeatmaps rejects bad input with clear errors", () => {
  const lm = new Float32Array([1, 2, 3, 4, 5, 6]);
  const shape: Shape = [1, 1, 8, 8];
  const groups = [[0, 1, 2]];
  throws(
    () => boundaryHeatmaps(lm, { shape, groups: [[0, 3]] }),
    /index 3 but landmarks have K = 3/,
  );
  throws(() => boundaryHeatmaps(lm, { shape, groups: [[0, 1.5]] }), RangeError);
  throws(() => boundaryHeatmaps(lm, { shape, groups: [] }), TypeError);
  throws(() => boundaryHeatmaps(lm, { shape, groups: [[]] }), TypeError);
  throws(
    () => boundaryHeatmaps(lm, { shape, groups: [{ name: "x" }] as unknown as number[][] }),
    TypeError,
  );
  throws(() => boundaryHeatmaps(lm, { shape: [1, 2, 8, 8], groups }), /C = 2 channels/);
  throws(
    () => boundaryHeatmaps(lm, { shape, groups: [[0], [1]], channels: "per-group" }),
    TypeError,
  );
  throws(() => boundaryHeatmaps(lm, { shape, groups, channels: "all" as "single" }), TypeError);
  throws(() => boundaryHeatmaps(lm, { shape, groups, sigma: -1 }), RangeError);
  throws(() => boundaryHeatmaps(lm, { shape, groups, tolerance: 0 }), RangeError);
  throws(() => boundaryHeatmaps(new Float32Array(5), { shape, groups: [[0]] }), TypeError);
  throws(() => boundaryHeatmaps(lm, { shape, groups, out: new Float32Array(3) }), TypeError);
  const bad = new Float32Array([1, 2, NaN, 4, 5, 6]);
  throws(
    () => boundaryHeatmaps(bad, { shape, groups }),
    (e: Error) =>
      e instanceof RangeError &&
      e.message === `Cannot draw boundaries: "landmarks" has a NaN at index 2, used by a boundary`,
  );
  // a NaN landmark outside every group is fine
  equal(boundaryHeatmaps(bad, { shape, groups: [[0, 2]] }).length, 64);
});
