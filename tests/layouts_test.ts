// Tests of the landmark layouts (src/layouts/layout_*.ts, get_layout.ts, flip_landmarks.ts).
// Real-data checks use ../shared/data/landmarks (see its README.md) and are skipped, visibly,
// when that folder is absent.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  flipLandmarks,
  getLayout,
  type LandmarkLayout,
  LAYOUT_300W,
  LAYOUT_COFW,
  LAYOUT_WFLW,
  parse300wCsv,
  parseWflwList,
} from "../src/layouts/mod.ts";
import { at } from "./_assert.ts";
import { HAS_DATA, read, SKIP } from "./_data.ts";

const LAYOUTS: readonly LandmarkLayout[] = [LAYOUT_300W, LAYOUT_WFLW, LAYOUT_COFW];

function covered(layout: LandmarkLayout): number[] {
  return [...new Set(layout.boundaries.flatMap((b) => b.indices))].sort((a, b) => a - b);
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

Deno.test("layouts: every index is an integer in 0..K-1", () => {
  for (const layout of LAYOUTS) {
    const k = layout.numPoints;
    const all = [
      ...layout.boundaries.flatMap((b) => b.indices),
      ...layout.outerEyeCorners,
      ...layout.eyeCentres.flat(),
      ...layout.flipPairs.flat(),
      ...layout.flipPermutation,
    ];
    for (const i of all) ok(Number.isInteger(i) && i >= 0 && i < k, `${layout.name}: ${i}`);
    equal(layout.flipPermutation.length, k);
  }
});

Deno.test("layouts: sizes, names and the paper's 13 boundary curves", () => {
  deepEqual(LAYOUTS.map((l) => [l.name, l.numPoints]), [["300w", 68], ["wflw", 98], [
    "cofw",
    29,
  ]]);
  for (const layout of LAYOUTS) {
    equal(layout.boundaries.length, 13, layout.name);
    equal(new Set(layout.boundaries.map((b) => b.name)).size, 13, `${layout.name} names`);
    for (const b of layout.boundaries) ok(b.indices.length >= 3, `${layout.name} ${b.name}`);
  }
  const names = [
    "cheek",
    "left_eyebrow",
    "right_eyebrow",
    "nose",
    "nose_bot",
    "upper_left_eyelid",
    "lower_left_eyelid",
    "upper_right_eyelid",
    "lower_right_eyelid",
    "upper_outer_lip",
    "lower_outer_lip",
    "upper_inner_lip",
    "lower_inner_lip",
  ];
  deepEqual(LAYOUT_300W.boundaries.map((b) => b.name), names);
  deepEqual(LAYOUT_WFLW.boundaries.map((b) => b.name), names);
});

Deno.test("layouts: official boundary indices (reference a.6)", () => {
  const b68 = Object.fromEntries(LAYOUT_300W.boundaries.map((b) => [b.name, b.indices]));
  deepEqual(b68.cheek, range(0, 16));
  deepEqual(b68.nose, [27, 28, 29, 30]);
  deepEqual(b68.lower_left_eyelid, [36, 41, 40, 39]);
  deepEqual(b68.lower_outer_lip, [48, 59, 58, 57, 56, 55, 54]);
  deepEqual(b68.lower_inner_lip, [60, 67, 66, 65, 64]);
  const b98 = Object.fromEntries(LAYOUT_WFLW.boundaries.map((b) => [b.name, b.indices]));
  deepEqual(b98.cheek, range(0, 32));
  deepEqual(b98.right_eyebrow, [42, 43, 44, 45, 46]);
  deepEqual(b98.lower_right_eyelid, [68, 75, 74, 73, 72]);
  deepEqual(b98.upper_outer_lip, range(76, 82));
  const b29 = LAYOUT_COFW.boundaries.map((b) => b.indices);
  deepEqual(b29, [
    [0, 4, 2],
    [0, 5, 2],
    [1, 6, 3],
    [1, 7, 3],
    [8, 12, 10],
    [8, 13, 10],
    [9, 14, 11],
    [9, 15, 11],
    [18, 21, 19],
    [22, 24, 23],
    [22, 25, 23],
    [22, 26, 23],
    [22, 27, 23],
  ]);
});

Deno.test("layouts: boundaries cover the right points", () => {
  deepEqual(covered(LAYOUT_300W), range(0, 67)); // all 68
  const unused98 = [38, 39, 40, 41, 47, 48, 49, 50, 96, 97];
  deepEqual(covered(LAYOUT_WFLW), range(0, 97).filter((i) => !unused98.includes(i)));
  deepEqual(covered(LAYOUT_COFW), range(0, 28).filter((i) => ![16, 17, 20, 28].includes(i)));
});

Deno.test("layouts: normalisation points", () => {
  deepEqual(LAYOUT_300W.outerEyeCorners, [36, 45]);
  deepEqual(LAYOUT_WFLW.outerEyeCorners, [60, 72]);
  deepEqual(LAYOUT_COFW.outerEyeCorners, [8, 9]);
  deepEqual(LAYOUT_300W.eyeCentres, [range(36, 41), range(42, 47)]);
  deepEqual(LAYOUT_WFLW.eyeCentres, [[96], [97]]);
  deepEqual(LAYOUT_COFW.eyeCentres, [[16], [17]]);
});

Deno.test("layouts: flip pairs form an involution matching flipPermutation", () => {
  const counts = { "300w": 29, wflw: 44, cofw: 11 };
  for (const layout of LAYOUTS) {
    const p = layout.flipPermutation;
    equal(layout.flipPairs.length, counts[layout.name], layout.name);
    for (let k = 0; k < p.length; k++) equal(p[at(p, k)], k, `${layout.name}: p(p(${k}))`);
    const inPairs = new Set(layout.flipPairs.flat());
    equal(inPairs.size, 2 * layout.flipPairs.length, `${layout.name}: an index repeats`);
    for (const [a, b] of layout.flipPairs) {
      equal(p[a], b);
      equal(p[b], a);
    }
    for (let k = 0; k < p.length; k++) if (!inPairs.has(k)) equal(p[k], k);
    // the flip maps the eye points onto each other and every boundary onto a boundary
    equal(p[layout.outerEyeCorners[0]], layout.outerEyeCorners[1]);
    deepEqual(layout.eyeCentres[0].map((i) => p[i]).sort(), [...layout.eyeCentres[1]].sort());
    const curves = new Set(layout.boundaries.map((b) => [...b.indices].sort().join(",")));
    for (const b of layout.boundaries) {
      ok(curves.has(b.indices.map((i) => p[i]).sort().join(",")), `${layout.name} ${b.name}`);
    }
  }
  // midline points of 300W: nose bridge, nose tip, chin, lip centres
  const fixed68 = range(0, 67).filter((k) => LAYOUT_300W.flipPermutation[k] === k);
  deepEqual(fixed68, [8, 27, 28, 29, 30, 33, 51, 57, 62, 66]);
  const fixed98 = range(0, 97).filter((k) => LAYOUT_WFLW.flipPermutation[k] === k);
  deepEqual(fixed98, [16, 51, 52, 53, 54, 57, 79, 85, 90, 94]);
});

Deno.test("layouts: frozen", () => {
  for (const layout of LAYOUTS) {
    ok(Object.isFrozen(layout));
    ok(Object.isFrozen(layout.boundaries) && Object.isFrozen(layout.boundaries[0]));
    ok(Object.isFrozen(layout.flipPairs) && Object.isFrozen(layout.flipPairs[0]));
    ok(Object.isFrozen(layout.flipPermutation) && Object.isFrozen(layout.eyeCentres[0]));
    throws(() => {
      (layout.flipPermutation as number[])[0] = 5;
    }, TypeError);
  }
});

Deno.test("getLayout: by name, number of points, object; clear errors", () => {
  equal(getLayout("300w"), LAYOUT_300W);
  equal(getLayout("300W"), LAYOUT_300W);
  equal(getLayout(68), LAYOUT_300W);
  equal(getLayout("wflw"), LAYOUT_WFLW);
  equal(getLayout(98), LAYOUT_WFLW);
  equal(getLayout("COFW"), LAYOUT_COFW);
  equal(getLayout(29), LAYOUT_COFW);
  equal(getLayout(LAYOUT_COFW), LAYOUT_COFW);
  throws(() => getLayout("aflw"), {
    name: "RangeError",
    message:
      'Cannot get layout: unknown layout name "aflw", known layouts are "300w" (68 points), "wflw" (98 points), "cofw" (29 points)',
  });
  throws(() => getLayout(19), { name: "RangeError", message: /no layout has 19 points/ });
  throws(() => getLayout(NaN), RangeError);
  throws(() => getLayout(null as unknown as string), TypeError);
  throws(() => getLayout({} as unknown as string), TypeError);
});

Deno.test("flipLandmarks: mirrors x about (W - 1) / 2 and permutes; twice is identity", () => {
  // 2 faces of 29 points, values distinct
  const faces = Float64Array.from({ length: 2 * 58 }, (_, i) => i * 1.25 + 0.5);
  const flipped = flipLandmarks(faces, { layout: "cofw", width: 200 });
  for (let n = 0; n < 2; n++) {
    for (let k = 0; k < 29; k++) {
      const src = n * 58 + 2 * at(LAYOUT_COFW.flipPermutation, k);
      equal(flipped[n * 58 + 2 * k], 199 - at(faces, src));
      equal(flipped[n * 58 + 2 * k + 1], faces[src + 1]);
    }
  }
  deepEqual(flipLandmarks(flipped, { layout: 29, width: 200 }), faces);
  const f32 = new Float32Array(58).fill(3);
  const out32 = flipLandmarks(f32, { layout: LAYOUT_COFW, width: 10 });
  ok(out32 instanceof Float32Array);
  equal(out32[0], 6);
});

Deno.test("flipLandmarks: bad input throws", () => {
  const face = new Float64Array(58);
  throws(() => flipLandmarks(face, { layout: "300w", width: 10 }), {
    name: "TypeError",
    message: /has 58 elements, which is not a positive multiple of 2 x 68/,
  });
  throws(() => flipLandmarks(new Float64Array(0), { layout: "cofw", width: 10 }), TypeError);
  throws(() => flipLandmarks([1, 2] as unknown as Float64Array, { layout: 29, width: 1 }), {
    name: "TypeError",
  });
  throws(() => flipLandmarks(face, { layout: "cofw", width: NaN }), RangeError);
  throws(() => flipLandmarks(face, { layout: "lfpw" as "cofw", width: 1 }), RangeError);
  const bad = face.slice();
  bad[7] = NaN;
  throws(() => flipLandmarks(bad, { layout: "cofw", width: 10 }), {
    name: "RangeError",
    message: /"landmarks" has a non-finite value \(NaN\) at index 7/,
  });
});

// --- real data ---------------------------------------------------------------------------

/** Point j of a flat [x0, y0, x1, y1, ...] array. */
function point(a: Float64Array, j: number): [number, number] {
  return [at(a, 2 * j), at(a, 2 * j + 1)];
}

/** Distance between point i of a and point j of b. */
function distance(a: Float64Array, i: number, b: Float64Array, j: number): number {
  const [ax, ay] = point(a, i), [bx, by] = point(b, j);
  return Math.hypot(ax - bx, ay - by);
}

/** Similarity transform (rotation, scale, translation; no reflection) of f fitted onto g. */
function align(f: Float64Array, g: Float64Array, k: number): Float64Array {
  let gx = 0, gy = 0, fx = 0, fy = 0;
  for (let j = 0; j < k; j++) {
    const [x, y] = point(f, j), [u, v] = point(g, j);
    gx += u;
    gy += v;
    fx += x;
    fy += y;
  }
  gx /= k;
  gy /= k;
  fx /= k;
  fy /= k;
  let sa = 0, sb = 0, ss = 0;
  for (let j = 0; j < k; j++) {
    const [x, y] = point(f, j), [u, v] = point(g, j);
    const ux = x - fx, uy = y - fy;
    const vx = u - gx, vy = v - gy;
    sa += ux * vx + uy * vy;
    sb += ux * vy - uy * vx;
    ss += ux * ux + uy * uy;
  }
  const a = sa / ss, b = sb / ss;
  const out = new Float64Array(2 * k);
  for (let j = 0; j < k; j++) {
    const [x, y] = point(f, j);
    const ux = x - fx, uy = y - fy;
    out[2 * j] = a * ux - b * uy + gx;
    out[2 * j + 1] = b * ux + a * uy + gy;
  }
  return out;
}

/** Generalised Procrustes mean shape (5 iterations). */
function meanShape(faces: readonly Float64Array[], k: number): Float64Array {
  let ref = at(faces, 0);
  for (let it = 0; it < 5; it++) {
    const m = new Float64Array(2 * k);
    for (const f of faces) {
      const a = align(f, ref, k);
      for (let j = 0; j < 2 * k; j++) m[j]! += at(a, j) / faces.length;
    }
    ref = m;
  }
  return ref;
}

/**
 * Per-point residual (in inter-ocular units) between a mean face and its mirror image
 * re-ordered by `perm` and fitted back onto it by a similarity. With the right flip pairs the
 * mirrored face IS the same face (faces are symmetric on average), so the residual is small.
 */
function mirrorResidual(
  mean: Float64Array,
  layout: LandmarkLayout,
  perm: readonly number[],
): number[] {
  const k = layout.numPoints;
  // flipLandmarks with the layout's own permutation; a custom permutation is applied by hand
  const mirrored = new Float64Array(2 * k);
  for (let j = 0; j < k; j++) {
    const [x, y] = point(mean, at(perm, j));
    mirrored[2 * j] = -1 - x;
    mirrored[2 * j + 1] = y;
  }
  const fitted = align(mirrored, mean, k);
  const [a, b] = layout.outerEyeCorners;
  const iod = distance(mean, a, mean, b);
  return Array.from({ length: k }, (_, j) => distance(fitted, j, mean, j) / iod);
}

function checkMirror(faces: Float64Array[], layout: LandmarkLayout, limit: number): void {
  const k = layout.numPoints;
  // flipLandmarks twice returns the same faces
  for (const face of faces.slice(0, 50)) {
    const twice = flipLandmarks(flipLandmarks(face, { layout, width: 1000 }), {
      layout,
      width: 1000,
    });
    for (let j = 0; j < 2 * k; j++) ok(Math.abs(at(twice, j) - at(face, j)) < 1e-9);
  }
  const mean = meanShape(faces, k);
  // the library's flip (width 0: x -> -1 - x) equals the hand-made one
  const viaLibrary = align(flipLandmarks(mean, { layout, width: 0 }), mean, k);
  const residual = mirrorResidual(mean, layout, layout.flipPermutation);
  const [a, b] = layout.outerEyeCorners;
  const iod = distance(mean, a, mean, b);
  for (let j = 0; j < k; j++) {
    const r = distance(viaLibrary, j, mean, j);
    ok(Math.abs(r / iod - at(residual, j)) < 1e-9);
  }
  const worst = Math.max(...residual);
  ok(worst < limit, `${layout.name}: mirrored mean face is off by ${worst} at a point`);
  // teeth: no permutation at all, and every single wrong exchange of partners, fail
  const identity = Array.from({ length: k }, (_, i) => i);
  ok(Math.max(...mirrorResidual(mean, layout, identity)) > 5 * limit);
  for (const [p, q] of layout.flipPairs) {
    for (const [r, s] of layout.flipPairs) {
      if (r <= p) continue;
      const wrong = [...layout.flipPermutation];
      wrong[p] = s;
      wrong[s] = p;
      wrong[r] = q;
      wrong[q] = r;
      const off = Math.max(...mirrorResidual(mean, layout, wrong));
      ok(off > limit, `${layout.name}: wrong pairs [${p},${s}] [${r},${q}] not detected`);
    }
  }
}

Deno.test({
  name: `flip pairs: the mirrored mean 300W face is the same face up to the permutation${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const faces = parse300wCsv(read("300w_public_common_68pt.csv")).map((r) => r.landmarks);
    equal(faces.length, 554);
    // correct pairs: max residual 0.013 iod; least detectable wrong exchange: 0.054
    checkMirror(faces, LAYOUT_300W, 0.03);
  },
});

Deno.test({
  name: `flip pairs: the mirrored mean WFLW face is the same face up to the permutation${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const faces: Float64Array[] = [];
    for (const s of ["largepose", "expression", "illumination", "makeup", "occlusion", "blur"]) {
      faces.push(...parseWflwList(read(`wflw_test_98pt_${s}.txt`)).map((r) => r.landmarks));
    }
    equal(faces.length, 3053);
    // correct pairs: max residual 0.017 iod; least detectable wrong exchange: 0.030
    checkMirror(faces, LAYOUT_WFLW, 0.024);
  },
});

Deno.test({
  name: `flip pairs: COFW-29 pairs straddle the midline of the 2 real faces${SKIP}`,
  ignore: !HAS_DATA,
  fn(): void {
    const json = JSON.parse(read("cofw_test_29pt_mmpose_sample.json")) as {
      annotations: { keypoints: number[] }[];
    };
    equal(json.annotations.length, 2);
    for (const { keypoints } of json.annotations) {
      const x = (k: number): number => at(keypoints, 3 * k);
      const mid = (x(16) + x(17)) / 2;
      const pupils = x(17) - x(16);
      for (const [a, b] of LAYOUT_COFW.flipPairs) {
        ok(x(a) < mid && x(b) > mid, `pair [${a}, ${b}]`);
      }
      for (let k = 0; k < 29; k++) {
        if (LAYOUT_COFW.flipPermutation[k] === k) {
          // loose: face #421 is turned a little, its point 20 is 0.26 pupil distances off
          ok(Math.abs(x(k) - mid) < 0.35 * pupils, `midline point ${k}`);
        }
      }
    }
  },
});
