// The data bridge (src/data/): crops as affine transforms and their inverses, landmark
// stacking, bilinear warping, and augmentation keeping image and landmarks aligned.
import { deepEqual, equal, notDeepEqual, ok, throws } from "node:assert/strict";
import {
  type Affine,
  applyAffine,
  augmentSample,
  centerScaleAffine,
  composeAffine,
  faceBoxAffine,
  heatmapAffine,
  invertAffine,
  landmarksBox,
  randomAugmentation,
  type RasterImage,
  renderFace,
  stackLandmarks,
  warpAffine,
} from "../src/data/mod.ts";
import { toHeatmapCoords } from "../src/heatmap/mod.ts";
import { LAYOUT_300W, parse300wCsv, parseCofw68, parsePts } from "../src/layouts/mod.ts";
import { HAS_DATA, read, SKIP } from "./_data.ts";
import { rng } from "./_random.ts";

function randomAffine(next: () => number): Affine {
  return [
    0.5 + next(),
    next() - 0.5,
    100 * (next() - 0.5),
    next() - 0.5,
    0.5 + next(),
    100 * (next() - 0.5),
  ];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

Deno.test("invertAffine round-trips points and composes to the identity", () => {
  const next = rng(11);
  for (let t = 0; t < 50; t++) {
    const m = randomAffine(next);
    const inv = invertAffine(m);
    const pts = new Float64Array(20).map(() => 400 * next() - 100);
    ok(maxAbsDiff(applyAffine(applyAffine(pts, m), inv), pts) < 1e-9);
    ok(maxAbsDiff(composeAffine(m, inv), [1, 0, 0, 0, 1, 0]) < 1e-12);
    ok(maxAbsDiff(invertAffine(inv), m) < 1e-9);
  }
});

Deno.test("composeAffine applies its arguments in order, as successive applyAffine calls", () => {
  const next = rng(12);
  const a = randomAffine(next), b = randomAffine(next), c = randomAffine(next);
  const pts = new Float32Array(12).map(() => 100 * next());
  const once = applyAffine(new Float64Array(pts), composeAffine(a, b, c));
  const steps = applyAffine(applyAffine(applyAffine(new Float64Array(pts), a), b), c);
  ok(maxAbsDiff(once, steps) < 1e-9);
  deepEqual(composeAffine(), [1, 0, 0, 0, 1, 0]);
  // float32 in, float32 out; NaN (a missing point) stays NaN
  const f32 = applyAffine(new Float32Array([1, NaN]), a);
  ok(f32 instanceof Float32Array && Number.isNaN(f32[1]));
});

Deno.test("centerScaleAffine maps the 200 x scale square onto the crop, rotation about the centre", () => {
  const m = centerScaleAffine({ center: [300, 200], scale: 2, size: 100 });
  // corners of the 400 px square land on the crop's pixel edges
  const corners = applyAffine(new Float64Array([100, 0, 500, 400]), m);
  ok(maxAbsDiff(corners, [-0.5, -0.5, 99.5, 99.5]) < 1e-12);
  const r = centerScaleAffine({ center: [300, 200], scale: 2, size: 100, rotation: 90 });
  // centre fixed; a point to the right of the centre goes up on screen (counter-clockwise)
  const p = applyAffine(new Float64Array([300, 200, 400, 200]), r);
  ok(maxAbsDiff(p, [49.5, 49.5, 49.5, 24.5]) < 1e-9);
  throws(() => centerScaleAffine({ center: [0, 0], scale: 0, size: 64 }), RangeError);
  throws(() => centerScaleAffine({ center: [0, 0], scale: 1, size: 64.5 }), RangeError);
});

Deno.test("faceBoxAffine: enlarged square about the box centre, aspect kept", () => {
  const m = faceBoxAffine({ box: [10, 20, 100, 50], size: 64, enlarge: 1.5 });
  equal(m[1], 0);
  equal(m[0], m[4]);
  ok(Math.abs(m[0] - 64 / 150) < 1e-15);
  const centre = applyAffine(new Float64Array([60, 45]), m);
  ok(maxAbsDiff(centre, [31.5, 31.5]) < 1e-12);
  throws(() => faceBoxAffine({ box: [0, 0, 0, 0], size: 64 }), RangeError);
  throws(() => faceBoxAffine({ box: [0, 0, 1] as unknown as [0, 0, 1, 1], size: 64 }), TypeError);
  throws(() => faceBoxAffine({ box: [0, 0, 10, 10], size: 64, enlarge: -1 }), RangeError);
});

Deno.test("heatmapAffine agrees with toHeatmapCoords in both conventions", () => {
  const next = rng(13);
  const pts = new Float32Array(40).map(() => 256 * next());
  for (const convention of ["aligned", "msra"] as const) {
    const m = heatmapAffine({ inputSize: 256, heatmapSize: 64, convention });
    const viaAffine = applyAffine(pts, m);
    const viaHeatmap = toHeatmapCoords(pts, { stride: 4, convention });
    ok(maxAbsDiff(viaAffine, viaHeatmap) < 1e-4, convention);
  }
  throws(() => heatmapAffine({ inputSize: 256, heatmapSize: 0 }), RangeError);
  throws(
    () => heatmapAffine({ inputSize: 256, heatmapSize: 64, convention: "fan" as "msra" }),
    TypeError,
  );
});

Deno.test("affine functions reject bad matrices and landmarks with clear errors", () => {
  throws(() => invertAffine([1, 2, 0, 2, 4, 0]), {
    name: "RangeError",
    message: "Cannot invert affine as matrix must be invertible: its determinant is 0",
  });
  throws(() => invertAffine([1, 0, 0, 0, 1] as unknown as Affine), TypeError);
  throws(() => invertAffine([1, 0, NaN, 0, 1, 0]), RangeError);
  throws(() => applyAffine(new Float64Array(3), [1, 0, 0, 0, 1, 0]), TypeError);
  throws(() => applyAffine([1, 2] as unknown as Float64Array, [1, 0, 0, 0, 1, 0]), TypeError);
  throws(
    () =>
      applyAffine(new Float64Array(2), [1, 0, 0, 0, 1, 0], { out: new Float32Array(2) as never }),
    TypeError,
  );
  throws(() => composeAffine([1, 0, 0, 0, 1, Infinity]), RangeError);
  throws(() => landmarksBox(new Float64Array([NaN, NaN])), RangeError);
  deepEqual(landmarksBox(new Float32Array([4, 5, 1, 9, NaN, 0])), [1, 5, 3, 4]);
});

Deno.test("stackLandmarks stacks reader records and bare arrays; mismatches are TypeErrors", () => {
  const pts = "version: 1\nn_points: 68\n{\n" +
    Array.from({ length: 68 }, (_, k) => `${k + 1} ${2 * k + 1}`).join("\n") + "\n}\n";
  const bare = parsePts(pts, { origin: 1 });
  const stacked = stackLandmarks([bare, { landmarks: bare }, new Float32Array(bare)]);
  equal(stacked.length, 3 * 136);
  deepEqual(stacked.subarray(272), bare);
  throws(() => stackLandmarks([]), TypeError);
  throws(() => stackLandmarks([bare, new Float64Array(4)]), {
    name: "TypeError",
    message: 'Cannot stack landmarks: "faces[1]" has 2 points but "faces[0]" has 68',
  });
  throws(() => stackLandmarks([{ landmarks: [1, 2] }] as never), TypeError);
});

Deno.test(
  `stackLandmarks takes the readers' records as they are${SKIP}`,
  { ignore: !HAS_DATA },
  () => {
    const csv = parse300wCsv(read("300w_public_challenge_68pt.csv"), { origin: 1 });
    const cofw = parseCofw68(read("cofw68_test_68pt.txt"), { origin: 1 });
    const all = stackLandmarks([...csv, ...cofw]);
    equal(all.length, (135 + 507) * 136);
    deepEqual(all.subarray(135 * 136, 136 * 136), cofw[0]!.landmarks);
  },
);

/** A float RGB image whose value is linear in (x, y) per channel. */
function linearImage(w: number, h: number): RasterImage {
  const data = new Float32Array(w * h * 3);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const p = 3 * (i * w + j);
      data[p] = 0.5 * j + 0.25 * i;
      data[p + 1] = 10 - 0.3 * i;
      data[p + 2] = 0.1 * j - 0.2 * i + 3;
    }
  }
  return { data, width: w, height: h, channels: 3 };
}

Deno.test("warpAffine reproduces a linear image exactly through any affine (bilinear)", () => {
  const next = rng(14);
  const src = linearImage(80, 60);
  for (let t = 0; t < 10; t++) {
    // a transform whose 32 x 32 output stays inside the source
    const angle = (next() - 0.5) * 1.2;
    const zoom = 0.7 + 0.6 * next();
    const c = Math.cos(angle) * zoom, s = Math.sin(angle) * zoom;
    const inv: Affine = [c, -s, 40 - 16 * c + 16 * s, s, c, 30 - 16 * s - 16 * c];
    const out = warpAffine(src, invertAffine(inv), { width: 32, height: 32 });
    equal(out.channels, 3);
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < 32; j++) {
        const x = inv[0] * j + inv[1] * i + inv[2], y = inv[3] * j + inv[4] * i + inv[5];
        const p = 3 * (i * 32 + j);
        ok(Math.abs(out.data[p]! - (0.5 * x + 0.25 * y)) < 1e-4);
        ok(Math.abs(out.data[p + 1]! - (10 - 0.3 * y)) < 1e-4);
        ok(Math.abs(out.data[p + 2]! - (0.1 * x - 0.2 * y + 3)) < 1e-4);
      }
    }
  }
});

Deno.test("warpAffine: identity copies, outside is fill, channels and scale, bad input", () => {
  const data = new Uint8Array(4 * 3 * 4).map((_, i) => (i * 37) % 256);
  const rgba: RasterImage = { data, width: 4, height: 3, channels: 4 };
  const same = warpAffine(rgba, [1, 0, 0, 0, 1, 0], { width: 4, height: 3 });
  deepEqual(Array.from(same.data), Array.from(data));
  const rgb = warpAffine(rgba, [1, 0, 0, 0, 1, 0], {
    width: 4,
    height: 3,
    channels: 3,
    scale: 1 / 255,
  });
  ok(Math.abs(rgb.data[3]! - data[4]! / 255) < 1e-7);
  const far = warpAffine(rgba, [1, 0, 100, 0, 1, 0], { width: 2, height: 2, fill: 7 });
  ok(far.data.every((v) => v === 7));
  const grey: RasterImage = { data: new Uint8Array([50]), width: 1, height: 1, channels: 1 };
  deepEqual(
    Array.from(warpAffine(grey, [1, 0, 0, 0, 1, 0], { width: 1, height: 1, channels: 3 }).data),
    [50, 50, 50],
  );
  throws(() => warpAffine({ ...rgba, channels: 3 }, [1, 0, 0, 0, 1, 0], { width: 1, height: 1 }), {
    name: "TypeError",
    message: 'Cannot warp image: "image.data" has 48 elements but 4 x 3 x 3 is 36',
  });
  throws(() => warpAffine(rgba, [0, 0, 0, 0, 0, 0], { width: 1, height: 1 }), RangeError);
  throws(() => warpAffine(rgba, [1, 0, 0, 0, 1, 0], { width: 0, height: 1 }), RangeError);
  throws(
    () => warpAffine(grey, [1, 0, 0, 0, 1, 0], { width: 1, height: 1, out: new Float32Array(2) }),
    TypeError,
  );
});

Deno.test("randomAugmentation is deterministic, covers its ranges and honours flip 0 / 1", () => {
  deepEqual(randomAugmentation({ size: 64, seed: 5 }), randomAugmentation({ size: 64, seed: 5 }));
  notDeepEqual(
    randomAugmentation({ size: 64, seed: 5 }),
    randomAugmentation({ size: 64, seed: 6 }),
  );
  let flips = 0, maxAngle = 0;
  for (let seed = 0; seed < 200; seed++) {
    const a = randomAugmentation({ size: 64, seed, rotation: 20, scale: [0.9, 1.1] });
    const [m0, m1, , m3, m4] = a.matrix;
    const det = m0 * m4 - m1 * m3;
    equal(det < 0, a.flip);
    flips += a.flip ? 1 : 0;
    const zoom = Math.sqrt(Math.abs(det));
    ok(zoom >= 0.9 - 1e-12 && zoom <= 1.1 + 1e-12);
    const angle = Math.abs(Math.atan2(a.flip ? m1 : -m3, a.flip ? -m0 : m0)) * 180 / Math.PI;
    ok(angle <= 20 + 1e-9);
    maxAngle = Math.max(maxAngle, angle);
  }
  ok(flips > 60 && flips < 140, `flips ${flips}`);
  ok(maxAngle > 15);
  equal(randomAugmentation({ size: 64, seed: 1, flip: 0 }).flip, false);
  equal(randomAugmentation({ size: 64, seed: 1, flip: 1 }).flip, true);
  throws(() => randomAugmentation({ size: 64, seed: 1, scale: [1.2, 0.8] }), RangeError);
  throws(() => randomAugmentation({ size: 64, seed: 1.5 }), RangeError);
  throws(() => randomAugmentation({ size: 64, seed: 1, flip: 2 }), RangeError);
});

/** A 200 x 160 RGB image: black, with Gaussian marks (sigma 1.5) in the given channels. */
function markedImage(marks: readonly [x: number, y: number, channel: number][]): RasterImage {
  const w = 200, h = 160;
  const data = new Float32Array(w * h * 3);
  for (const [x, y, ch] of marks) {
    for (let i = Math.floor(y - 6); i <= y + 6; i++) {
      for (let j = Math.floor(x - 6); j <= x + 6; j++) {
        data[3 * (i * w + j) + ch] = Math.exp(-((j - x) ** 2 + (i - y) ** 2) / (2 * 1.5 ** 2));
      }
    }
  }
  return { data, width: w, height: h, channels: 3 };
}

/** The intensity-weighted centroid of one channel. */
function centroid(image: RasterImage, ch: number): [number, number] {
  let s = 0, sx = 0, sy = 0;
  for (let i = 0; i < image.height; i++) {
    for (let j = 0; j < image.width; j++) {
      const v = image.data[3 * (i * image.width + j) + ch]!;
      s += v;
      sx += v * j;
      sy += v * i;
    }
  }
  return [sx / s, sy / s];
}

Deno.test("augmentSample: marks drawn at landmarks land where the transformed landmarks say, flips included", () => {
  // A 300W face (jaw ring etc. do not matter): marks at the image-left outer eye corner (36,
  // red), the nose tip (30, green) and the image-right mouth corner (54, blue).
  const next = rng(15);
  const lm = new Float64Array(136);
  for (let k = 0; k < 68; k++) {
    lm[2 * k] = 60 + 80 * next();
    lm[2 * k + 1] = 40 + 80 * next();
  }
  const tracked = [[36, 0], [30, 1], [54, 2]] as const;
  const image = markedImage(tracked.map(([k, ch]) => [lm[2 * k]!, lm[2 * k + 1]!, ch]));
  const crop = faceBoxAffine({ box: landmarksBox(lm), size: 96, enlarge: 1.6 });
  let flipped = 0;
  for (let seed = 0; seed < 12; seed++) {
    const s = augmentSample(image, lm, { crop, size: 96, layout: "300w", seed, rotation: 40 });
    flipped += s.flipped ? 1 : 0;
    for (const [k, ch] of tracked) {
      // the point that was k is re-indexed to flipPermutation[k] by a mirror
      const kk = s.flipped ? LAYOUT_300W.flipPermutation[k]! : k;
      const [cx, cy] = centroid(s.image, ch);
      const ex = s.landmarks[2 * kk]!, ey = s.landmarks[2 * kk + 1]!;
      ok(
        Math.hypot(cx - ex, cy - ey) < 0.15,
        `seed ${seed} point ${k}: (${cx}, ${cy}) vs (${ex}, ${ey})`,
      );
    }
    // the returned matrix maps the input landmarks (up to the flip re-ordering)
    const mapped = applyAffine(lm, s.matrix);
    const kk = s.flipped ? 45 : 36;
    ok(Math.abs(mapped[72]! - s.landmarks[2 * kk]!) < 1e-9);
  }
  ok(flipped > 0 && flipped < 12);
  const a = augmentSample(image, lm, { crop, size: 96, layout: "300w", seed: 3 });
  deepEqual(augmentSample(image, lm, { crop, size: 96, layout: "300w", seed: 3 }), a);
  throws(
    () => augmentSample(image, new Float64Array(58), { crop, size: 96, layout: "300w", seed: 1 }),
    TypeError,
  );
});

Deno.test("warpAffine and renderFace reject an output that shares memory with their input", () => {
  const buffer = new Float32Array(3 * 4 * 4 + 2);
  const image: RasterImage = { data: buffer.subarray(0, 48), width: 4, height: 4, channels: 3 };
  throws(
    () => warpAffine(image, [1, 0, 0, 0, 1, 0], { width: 4, height: 4, out: buffer.subarray(2) }),
    {
      name: "TypeError",
      message: 'Cannot warp image: "out" shares memory with "image.data" (give separate buffers)',
    },
  );
  const pixels = new Float32Array(16 * 16 * 3);
  const lm = pixels.subarray(0, 136).fill(8);
  throws(() => renderFace(lm, { size: 16, seed: 1, out: pixels }), {
    name: "TypeError",
    message: 'Cannot render face: "out" shares memory with "landmarks" (give separate buffers)',
  });
});
