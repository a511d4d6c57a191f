// Inputs that must be rejected or computed in bounded time: outputs sharing memory with inputs,
// landmarks far off the map, sizes past 32-bit arithmetic, malformed layouts and options.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import {
  boundaryHeatmaps,
  coordChannels,
  fromHeatmapCoords,
  gaussianHeatmaps,
  toHeatmapCoords,
} from "../src/heatmap/mod.ts";
import {
  decodeArgmax,
  decodeDark,
  decodeQuarterOffset,
  decodeSoftArgmax,
} from "../src/decode/mod.ts";
import {
  flipLandmarks,
  getLayout,
  type LandmarkLayout,
  LAYOUT_COFW,
  parse300wCsv,
  parseCofw68,
  parseLandmarkFile,
  parseNpy,
  parsePts,
  parseWflwList,
} from "../src/layouts/mod.ts";
import {
  auc,
  cedCurve,
  evaluate,
  failureRate,
  nme,
  normDistance,
  subsetMetrics,
} from "../src/metrics/mod.ts";
import * as ref from "../src/reference/mod.ts";
import { awingLoss, l1Loss, mseLoss, softWingLoss, weightMap, wingLoss } from "../src/loss/mod.ts";
import * as data from "../src/data/mod.ts";
import { overlaps } from "../src/_overlap.ts";
import { caught } from "./_assert.ts";
import { rng } from "./_random.ts";

// ---- overlapping buffers ----

/** Views of one buffer: `a` of `na` floats at 0 and `b` of `nb` floats at `shift`. */
function shared(na: number, nb: number, shift: number): [Float32Array, Float32Array] {
  const buf = new Float32Array(Math.max(na, shift + nb) + Math.max(0, -shift));
  const base = Math.max(0, -shift);
  return [buf.subarray(base, base + na), buf.subarray(base + shift, base + shift + nb)];
}

Deno.test("overlaps: full, partial and touching views of one buffer", () => {
  const buf = new ArrayBuffer(64);
  const a = new Float32Array(buf, 0, 8);
  ok(overlaps(a, new Float32Array(buf, 28, 1)));
  ok(!overlaps(a, new Float32Array(buf, 32, 1)));
  ok(overlaps(a, new Uint8Array(buf, 31, 1)));
  ok(!overlaps(a, new Float32Array(8)));
  ok(!overlaps(a, new Float32Array(buf, 4, 0)));
});

Deno.test("gaussianHeatmaps and boundaryHeatmaps reject an out that shares memory with the landmarks", () => {
  const shape = [1, 2, 4, 4] as [number, number, number, number];
  for (const shift of [-1, 0, 1, 31]) {
    const [out, lm] = shared(32, 4, shift);
    lm.set([1, 1, 2, 2]);
    const e = caught(() => gaussianHeatmaps(lm, { shape, out }), TypeError);
    match(e.message, /"out" shares memory with "landmarks"/);
  }
  // visibility is an input too
  const [out, vis] = shared(32, 2, 30);
  vis.set([1, 1]);
  match(
    caught(() => gaussianHeatmaps(new Float32Array(4), { shape, out, visibility: vis }), TypeError)
      .message,
    /"out" shares memory with "visibility"/,
  );
  // separate buffers still work and give the same as a fresh output
  const lm = new Float32Array([1, 1, 2, 2]);
  const out2 = new Float32Array(32);
  deepEqual(
    gaussianHeatmaps(lm, { shape, out: out2 }).heatmaps,
    gaussianHeatmaps(lm, { shape }).heatmaps,
  );
});

Deno.test("boundaryHeatmaps: an out overlapping the landmarks by one element is rejected", () => {
  const buf = new Float32Array(16 + 4);
  const out = buf.subarray(0, 16), lm = buf.subarray(15, 19);
  lm.set([0, 0, 3, 3]);
  match(
    caught(() => boundaryHeatmaps(lm, { shape: [1, 1, 4, 4], groups: [[0, 1]], out }), TypeError)
      .message,
    /"out" shares memory with "landmarks"/,
  );
});

Deno.test("toHeatmapCoords / fromHeatmapCoords: in place works, shifted or retyped views are rejected", () => {
  const rand = rng(3);
  const src = Float64Array.from({ length: 10 }, () => 256 * rand());
  for (const f of [toHeatmapCoords, fromHeatmapCoords]) {
    const expected = f(src, { stride: 4 });
    const inPlace = src.slice();
    equal(f(inPlace, { stride: 4, out: inPlace }), inPlace);
    deepEqual(inPlace, expected);
    for (const shift of [-1, 1]) {
      const buf = new Float64Array(12);
      const lm = buf.subarray(1, 11), out = buf.subarray(1 + shift, 11 + shift);
      lm.set(src);
      match(
        caught(() => f(lm, { stride: 4, out }), TypeError).message,
        /"out" shares memory with "landmarks"/,
      );
    }
    // a Float32Array over the same bytes is not the same elements
    const lm = src.slice();
    const out = new Float32Array(lm.buffer, 0, 10);
    throws(() => f(lm, { stride: 4, out }), TypeError);
  }
});

Deno.test("decoders reject outputs that share memory with the heatmaps or with each other", () => {
  const shape = [1, 2, 8, 8] as [number, number, number, number];
  const decoders = [decodeArgmax, decodeQuarterOffset, decodeDark, decodeSoftArgmax];
  for (const decode of decoders) {
    // landmarks written over the tail of the heatmaps, shifted by one element
    const buf = new Float32Array(128 + 3);
    const heatmaps = buf.subarray(0, 128);
    heatmaps[10] = 1;
    heatmaps[64 + 20] = 1;
    const landmarks = buf.subarray(127, 131);
    match(
      caught(() => decode(heatmaps, { shape, out: { landmarks } }), TypeError).message,
      /"out.landmarks" shares memory with "heatmaps"/,
    );
    const both = new Float32Array(5);
    match(
      caught(
        () =>
          decode(heatmaps.slice(), {
            shape,
            out: { landmarks: both.subarray(0, 4), confidence: both.subarray(3, 5) },
          }),
        TypeError,
      ).message,
      /"out.confidence" shares memory with "out.landmarks"/,
    );
    // separate outputs decode as before
    const landmarksOk = new Float32Array(4), confidence = new Float32Array(2);
    const r = decode(heatmaps.slice(), { shape, out: { landmarks: landmarksOk, confidence } });
    deepEqual(r.landmarks, decode(heatmaps.slice(), { shape }).landmarks);
  }
});

// ---- landmarks far off the map ----

/** Squared distance from (px, py) to the ray from (ax, ay) through (bx, by). */
function rayDistance2(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy));
  return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2;
}

/** Expected boundary map of a curve that is the ray from A through B near the map. */
function rayMap(
  h: number,
  w: number,
  a: [number, number],
  b: [number, number],
  sigma: number,
): Float64Array {
  const out = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const d2 = rayDistance2(j, i, a[0], a[1], b[0], b[1]);
      out[i * w + j] = d2 < 9 * sigma * sigma ? Math.exp(-d2 / (2 * sigma * sigma)) : 0;
    }
  }
  return out;
}

/** Max |a - e| away from the 3 sigma cut-off (where either side is allowed). */
function maxErrorOffCut(a: ArrayLike<number>, e: ArrayLike<number>): number {
  const edge = Math.exp(-4.5);
  let m = 0;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!, y = e[i]!;
    if ((x === 0 && Math.abs(y - edge) < 1e-3) || (y === 0 && Math.abs(x - edge) < 1e-3)) continue;
    m = Math.max(m, Math.abs(x - y));
  }
  return m;
}

Deno.test("boundaryHeatmaps: a landmark at 1e12, 1e30 or -1e38 is drawn right, in bounded memory", () => {
  const h = 48, w = 64, sigma = 1.5;
  for (const Arr of [Float32Array, Float64Array]) {
    for (const far of [1e12, 1e30, -1e38, 3e38]) {
      // a segment and a parabola through two points on the map and one far off: near the
      // map the curve is the ray from the first point through the second, to 64^2 / |far|
      const a: [number, number] = [10, 20], b: [number, number] = far > 0 ? [30, 25] : [5, 22];
      for (const group of [[0, 2], [0, 1, 2]]) {
        const lm = Arr.from([...a, ...b, far, 25]);
        const map = boundaryHeatmaps(lm, { shape: [1, 1, h, w], groups: [group], sigma });
        const end = group.length === 2 ? [Number(lm[4]), 25] as [number, number] : b;
        const expected = rayMap(h, w, a, end, sigma);
        const err = maxErrorOffCut(map, expected);
        ok(err < 1e-3, `far ${far}, group ${group}: error ${err}`);
      }
      // a group entirely off the map draws nothing
      const off = Arr.from([far, far, far, -far, -far, far, far, 0]);
      const map = boundaryHeatmaps(off, { shape: [1, 1, h, w], groups: [[0, 1, 2, 3]], sigma });
      ok(map.every((v) => v === 0), `far ${far}: all off the map`);
    }
  }
});

Deno.test("boundaryHeatmaps: random huge coordinates finish; 1e9 and 1e12 give the same curve", () => {
  const rand = rng(11);
  const h = 32, w = 32;
  for (let trial = 0; trial < 20; trial++) {
    // four on-map points and one far point, in a random direction: near the map the spline
    // converges as the far point moves away
    const pts = Array.from({ length: 8 }, () => 4 + 24 * rand());
    const angle = 2 * Math.PI * rand();
    const maps = [1e9, 1e12, 1e30, 3e38].map((r) => {
      const lm = Float64Array.from([...pts, r * Math.cos(angle), r * Math.sin(angle)]);
      return boundaryHeatmaps(lm, { shape: [1, 1, h, w], groups: [[0, 1, 2, 3, 4]] });
    });
    ok(maxErrorOffCut(maps[0]!, maps[1]!) < 2e-3, `trial ${trial}`);
    // beyond about 1e15 the spline's own system loses the near points in float64: the map
    // is still a curve's (values in [0, 1], 1 on the landmarks)
    for (const map of maps) {
      ok(map.every((v) => v >= 0 && v <= 1));
      for (let p = 0; p < 4; p++) {
        const j = Math.round(pts[2 * p]!), i = Math.round(pts[2 * p + 1]!);
        ok(map[i * w + j]! > Math.exp(-0.5) - 1e-6, `trial ${trial}: landmark ${p}`);
      }
    }
  }
});

Deno.test("gaussianHeatmaps: one coordinate on the map and the other far off, both modes", () => {
  for (const far of [1e12, 1e30, -1e38, 3e38]) {
    const lm = new Float32Array([10, far, far, 10, far, far]);
    for (const mode of ["unbiased", "official"] as const) {
      const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape: [1, 3, 64, 64], mode });
      ok(heatmaps.every((v) => v === 0));
      deepEqual(skipped.map((s) => s.reason), ["off-map", "off-map", "off-map"]);
    }
  }
});

// ---- custom layouts and options objects ----

Deno.test("getLayout checks a layout object: permutation, eye, pair and boundary indices", () => {
  const base = {
    ...LAYOUT_COFW,
    flipPermutation: [...LAYOUT_COFW.flipPermutation],
    eyeCentres: [[...LAYOUT_COFW.eyeCentres[0]], [...LAYOUT_COFW.eyeCentres[1]]],
  } as unknown as LandmarkLayout;
  equal(getLayout(base), base);
  const lm = new Float64Array(58).map((_, i) => i);
  deepEqual(
    flipLandmarks(lm, { layout: base, width: 100 }),
    flipLandmarks(lm, { layout: "cofw", width: 100 }),
  );
  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      "index past K",
      { flipPermutation: [...base.flipPermutation.slice(0, 28), 29] },
      /"flipPermutation\[28\]" is 29, not an index in 0..28/,
    ],
    [
      "negative index",
      { flipPermutation: [-1, ...base.flipPermutation.slice(1)] },
      /"flipPermutation\[0\]" is -1/,
    ],
    [
      "fractional index",
      { flipPermutation: [0.5, ...base.flipPermutation.slice(1)] },
      /"flipPermutation\[0\]" is 0.5/,
    ],
    [
      "repeated index",
      { flipPermutation: [0, 0, ...base.flipPermutation.slice(2)] },
      /not a permutation: 0 is at indices 0 and 1/,
    ],
    [
      "short permutation",
      { flipPermutation: base.flipPermutation.slice(1) },
      /"flipPermutation" must be an array of 29/,
    ],
    ["eye corner out of range", { outerEyeCorners: [8, 29] }, /"outerEyeCorners\[1\]" is 29/],
    ["eye centre out of range", { eyeCentres: [[16], [100]] }, /"eyeCentres\[1\]\[0\]" is 100/],
    ["empty eye centre", { eyeCentres: [[16], []] }, /"eyeCentres\[1\]" is empty/],
    ["flip pair out of range", { flipPairs: [[0, 1], [2, 40]] }, /"flipPairs\[1\]\[1\]" is 40/],
    [
      "boundary out of range",
      { boundaries: [{ name: "x", indices: [0, 29] }] },
      /"boundaries\[0\].indices\[1\]" is 29/,
    ],
    ["numPoints not whole", { numPoints: 28.5 }, /"numPoints" must be a positive integer/],
  ];
  for (const [what, patch, message] of bad) {
    const layout = { ...base, ...patch } as unknown as LandmarkLayout;
    const e = caught(() => getLayout(layout), Error);
    ok(e instanceof RangeError || e instanceof TypeError, what);
    match(e.message, message, what);
    // every consumer of a layout sees the same check
    throws(() => flipLandmarks(lm, { layout, width: 100 }), { message }, what);
    throws(() => normDistance(lm, { layout, norm: "inter-ocular" }), { message }, what);
  }
});

Deno.test("null options are a TypeError naming the argument; undefined keeps the defaults", () => {
  const f32 = (n: number): Float32Array => new Float32Array(n).fill(0.1);
  const f64 = (n: number): Float64Array => new Float64Array(n).fill(3);
  const img = { width: 4, height: 4, channels: 1 as const, data: new Float32Array(16) };
  const eye: [number, number, number, number, number, number] = [1, 0, 0, 0, 1, 0];
  const n = null as never;
  const calls: [string, () => unknown][] = [
    ["boundaryHeatmaps", () => boundaryHeatmaps(f32(2), n)],
    ["coordChannels", () => coordChannels(4, 4, n)],
    ["toHeatmapCoords", () => toHeatmapCoords(f32(2), n)],
    ["fromHeatmapCoords", () => fromHeatmapCoords(f32(2), n)],
    ["flipLandmarks", () => flipLandmarks(f64(136), n)],
    ["parsePts", () => parsePts("version: 1\nn_points: 1\n{\n1 2\n}\n", n)],
    ["parseWflwList", () => parseWflwList("", n)],
    ["parse300wCsv", () => parse300wCsv("", n)],
    ["parseCofw68", () => parseCofw68("", n)],
    ["parseNpy", () => parseNpy(new Uint8Array(0), n)],
    ["parseLandmarkFile", () => parseLandmarkFile("", n)],
    ["normDistance", () => normDistance(f64(136), n)],
    ["nme", () => nme(f64(136), f64(136), n)],
    ["failureRate", () => failureRate(f64(3), n)],
    ["cedCurve", () => cedCurve(f64(3), n)],
    ["auc", () => auc(f64(3), n)],
    ["subsetMetrics", () => subsetMetrics(f64(1), [], n)],
    ["evaluate", () => evaluate(f64(136), f64(136), n)],
    ["awingConstants", () => ref.awingConstants(0.5, n)],
    ["awingPixel", () => ref.awingPixel(0.5, 0.5, n)],
    [
      "boundaryHeatmapsReference",
      () => ref.boundaryHeatmapsReference(f64(2), [1, 1, 4, 4], [[0]], n),
    ],
    ["decodeReference", () => ref.decodeReference(f64(16), [1, 1, 4, 4], n)],
    ["gaussianHeatmapsReference", () => ref.gaussianHeatmapsReference(f64(2), [1, 1, 4, 4], n)],
    ["lossReference", () => ref.lossReference(f64(16), f64(16), n)],
    ["weightMapReference", () => ref.weightMapReference(f64(16), [1, 1, 4, 4], n)],
    ["applyAffine", () => data.applyAffine(f64(2), eye, n)],
    ["centerScaleAffine", () => data.centerScaleAffine(n)],
    ["faceBoxAffine", () => data.faceBoxAffine(n)],
    ["heatmapAffine", () => data.heatmapAffine(n)],
    ["warpAffine", () => data.warpAffine(img, eye, n)],
    ["renderFace", () => data.renderFace(f64(136), n)],
    ["augmentSample", () => data.augmentSample(img, f64(136), n)],
    ["randomAugmentation", () => data.randomAugmentation(n)],
  ];
  for (const [name, call] of calls) {
    const e = caught(call, TypeError);
    match(e.message, /^Cannot [^:]+: (the )?"?(options|params)"? (must be an object|object)/, name);
    ok(!/properties of null/.test(e.message), name);
  }
  // undefined is "no options": the same as {}
  deepEqual(coordChannels(4, 4, undefined), coordChannels(4, 4, {}));
  equal(auc(Float64Array.of(0.01, 0.2), undefined), auc(Float64Array.of(0.01, 0.2), {}));
  equal(failureRate(Float64Array.of(0.01, 0.2), undefined), 0.5);
  deepEqual(ref.awingPixel(0.3, 0.5, undefined), ref.awingPixel(0.3, 0.5, {}));
  deepEqual(
    parsePts("version: 1\nn_points: 1\n{\n1 2\n}\n", undefined),
    parsePts("version: 1\nn_points: 1\n{\n1 2\n}\n"),
  );
  deepEqual(
    data.applyAffine(Float64Array.of(1, 2), [2, 0, 0, 0, 2, 0], undefined),
    Float64Array.of(2, 4),
  );
});

// ---- sizes past 32-bit arithmetic ----

Deno.test("parsePts: a header claiming more points than the text holds fails before allocating", () => {
  const text = (claim: string): string => `version: 1\nn_points: ${claim}\n{\n1 2\n3 4\n}\n`;
  for (const claim of ["1000000000000", "4294967297", "5", "9".repeat(400)]) {
    const e = caught(() => parsePts(text(claim), { name: "big.pts" }), SyntaxError);
    match(e.message, new RegExp(`n_points is ${Number(claim)} but only 4 lines follow the "\\{"`));
  }
  // a claim the text could hold is checked point by point, as before
  match(caught(() => parsePts(text("3")), SyntaxError).message, /after 2 points but n_points is 3/);
  // exactly as many lines as points (no blank lines) still parses
  deepEqual(parsePts("n_points: 2\n{\n1 2\n3 4\n}"), Float64Array.of(1, 2, 3, 4));
});

Deno.test("auc and cedCurve: a grid of 1e12 steps is refused before any allocation", () => {
  const nmes = Float64Array.of(0.01, 0.05);
  for (const step of [1e-13, 1e-300, 5e-324]) {
    const e = caught(() => auc(nmes, { method: "simpson", step }), RangeError);
    match(e.message, /grid steps, more than the limit of 10000000/);
  }
  match(
    caught(() => cedCurve(nmes, { steps: 1e12 }), RangeError).message,
    /"steps" gives 1000000000000 grid steps, more than the limit of 10000000/,
  );
  // at the limit the grid is still computed
  equal(cedCurve(nmes, { steps: 1e5 }).x.length, 1e5 + 1);
});

Deno.test("boundaryHeatmaps: a tolerance below 1e-6 and coordinates past 1e150 are refused", () => {
  const lm = Float64Array.of(5, 5, 20, 10, 30, 25);
  const options = {
    shape: [1, 1, 32, 32] as [number, number, number, number],
    groups: [[0, 1, 2]],
  };
  for (const tolerance of [1e-7, 1e-300, 5e-324]) {
    match(
      caught(() => boundaryHeatmaps(lm, { ...options, tolerance }), RangeError).message,
      /tolerance must be >= 0.000001/,
    );
  }
  ok(boundaryHeatmaps(lm, { ...options, tolerance: 1e-6 }).some((v) => v === 1));
  for (const far of [1e200, -1e300, 1.7e308]) {
    const e = caught(
      () => boundaryHeatmaps(Float64Array.of(5, 5, 20, far, 30, 25), options),
      RangeError,
    );
    ok(
      e.message.includes(`has ${far} at index 3, used by a boundary, beyond the limit`),
      e.message,
    );
  }
  // a landmark no group uses may be anything finite
  deepEqual(
    boundaryHeatmaps(Float64Array.of(5, 5, 20, 10, 30, 25, 1e300, -1e300), options),
    boundaryHeatmaps(Float64Array.of(5, 5, 20, 10, 30, 25, 0, 0), options),
  );
});

Deno.test("applyAffine: in place works, an out shifted by one element is rejected", () => {
  const src = Float64Array.of(1, 2, 3, 4, 5, 6);
  const m: [number, number, number, number, number, number] = [2, 1, 3, -1, 2, 5];
  const expected = data.applyAffine(src, m);
  const inPlace = src.slice();
  deepEqual(data.applyAffine(inPlace, m, { out: inPlace }), expected);
  for (const shift of [-1, 1, 2]) {
    const buf = new Float64Array(10);
    const lm = buf.subarray(2, 8), out = buf.subarray(2 + shift, 8 + shift);
    lm.set(src);
    match(
      caught(() => data.applyAffine(lm, m, { out }), TypeError).message,
      /"out" shares memory with "landmarks"/,
    );
  }
});

Deno.test("decodeSoftArgmax: beta must keep its value in float32", () => {
  const heatmaps = new Float32Array(16);
  heatmaps[5] = 1;
  const shape: [number, number, number, number] = [1, 1, 4, 4];
  for (const beta of [1e39, 3.5e38, 1e-39, 1e-46]) {
    match(
      caught(() => decodeSoftArgmax(heatmaps, { shape, beta }), RangeError).message,
      /beta must be a normal float32/,
    );
  }
  for (const beta of [1e30, 3.4e38]) {
    deepEqual(Array.from(decodeSoftArgmax(heatmaps, { shape, beta }).landmarks), [1, 1]);
  }
});

Deno.test("losses: parameters that are finite only in float64 are refused, losses that overflow float32 are errors", () => {
  type Shape = [number, number, number, number];
  const shape: Shape = [1, 2, 4, 4];
  const target = new Float32Array(32);
  target[5] = 1;
  const pred = new Float32Array(32).fill(0.3);
  type Loss = (pred: Float32Array, target: Float32Array, options: { shape: Shape }) => unknown;
  const params: [string, Loss, Record<string, number>, RegExp][] = [
    ["awing epsilon", awingLoss, { epsilon: 1e-40 }, /epsilon must be a normal float32/],
    ["awing omega", awingLoss, { omega: 1e39 }, /omega must be a normal/],
    ["awing alpha", awingLoss, { alpha: 1e39 }, /alpha must be a normal/],
    ["awing theta", awingLoss, { theta: 1e-40 }, /theta must be a normal/],
    ["mse mapWeight", mseLoss, { mapWeight: 1e39 }, /mapWeight must be a normal/],
    ["l1 mapThreshold", l1Loss, { mapThreshold: 1e-41 }, /mapThreshold must be/],
    ["wing w", wingLoss, { w: 1e39 }, /w must be a normal/],
    ["wing epsilon", wingLoss, { epsilon: 1e-40 }, /epsilon must be a normal/],
    [
      "wing gradient",
      wingLoss,
      { w: 1e30, epsilon: 1e-10 },
      /the gradient reaches w \/ epsilon = 1e\+40/,
    ],
    ["soft wing w1", softWingLoss, { w1: 1e39 }, /w1 must be a normal/],
    ["soft wing w2", softWingLoss, { w2: 3.5e38 }, /w2 must be a normal/],
    [
      "soft wing gradient",
      softWingLoss,
      { w1: 1e-30, w2: 1e10, epsilon: 1e-30 },
      /the gradient reaches w2 \/ \(epsilon \+ w1\)/,
    ],
  ];
  for (const [what, loss, options, message] of params) {
    match(
      caught(() => loss(pred, target, { shape, ...options }), RangeError).message,
      message,
      what,
    );
  }
  match(
    caught(() => weightMap(target, { shape, mapWeight: 1e39 }), RangeError).message,
    /mapWeight must be a normal/,
    "weightMap mapWeight",
  );
  // finite inputs whose per-pixel or summed loss overflows float32, in every reduction
  const overflow =
    /the losses overflow float32 for these inputs and parameters \(the loss is (Infinity|NaN)\)/;
  const big = new Float32Array(32).fill(3e38), small = new Float32Array(32).fill(-3e38);
  for (const reduction of ["mean", "sum", "none"] as const) {
    const calls: [string, () => unknown][] = [
      ["mse 1e20", () => mseLoss(new Float32Array(32).fill(1e20), target, { shape, reduction })],
      [
        "mse sum of 32 values of 2.25e38",
        () => mseLoss(new Float32Array(32).fill(1.5e19), target, { shape, reduction }),
      ],
      ["l1 across the range", () => l1Loss(big, small, { shape, reduction })],
      ["awing 3e38", () => awingLoss(big, target, { shape, reduction })],
      ["awing omega 3e38", () => awingLoss(pred, target, { shape, reduction, omega: 3e38 })],
      [
        "awing mapWeight 3e38",
        () => awingLoss(pred, target, { shape, reduction, mapWeight: 3e38 }),
      ],
      ["wing 3e38", () => wingLoss(big, small, { shape, reduction })],
      [
        "landmark weights 3e38",
        () =>
          awingLoss(pred, target, {
            shape,
            reduction,
            landmarkWeights: new Float32Array([3e38, 3e38]),
          }),
      ],
    ];
    for (const [what, call] of calls) {
      match(caught(call, RangeError).message, overflow, `${what}, ${reduction}`);
    }
  }
  // large but representable: a finite loss, as the float64 reference gives it
  const p = new Float32Array(32).fill(1e18);
  const { loss } = mseLoss(p, target, { shape, reduction: "sum", mapWeight: 0 });
  const expected = ref.lossReference(p, target, {
    shape,
    loss: { kind: "mse" },
    reduction: "sum",
    mapWeight: 0,
  }).loss;
  ok(Math.abs(loss - expected) <= 1e-6 * expected, `${loss} vs ${expected}`);
  // without validation nothing is checked: the caller asked for speed on clean data
  equal(
    mseLoss(new Float32Array(32).fill(1e20), target, { shape, validate: false }).loss,
    Infinity,
  );
});

Deno.test("null options: the losses, weightMap, gaussianHeatmaps and the decoders too", () => {
  const f = new Float32Array(32);
  const n = null as never;
  for (
    const call of [
      () => awingLoss(f, f, n),
      () => mseLoss(f, f, n),
      () => l1Loss(f, f, n),
      () => wingLoss(f, f, n),
      () => softWingLoss(f, f, n),
      () => weightMap(f, n),
      () => gaussianHeatmaps(f, n),
      () => decodeArgmax(f, n),
      () => decodeQuarterOffset(f, n),
      () => decodeDark(f, n),
      () => decodeSoftArgmax(f, n),
    ]
  ) {
    match(
      caught(call, TypeError).message,
      /"options" must be an object or undefined but it is null/,
    );
  }
});

Deno.test("sizes past 32-bit arithmetic: the dimension or the element count and the limit, before allocating", () => {
  const f = new Float32Array(4);
  type Shape = [number, number, number, number];
  type Run = (input: Float32Array, options: { shape: Shape }) => unknown;
  /** A loss, weightMap, both encoders and a decoder, each called with `shape`. */
  const calls = (
    shape: Shape,
    loss: (p: Float32Array, t: Float32Array, o: { shape: Shape }) => unknown,
    decode: Run,
  ) => [
    () => loss(f, f, { shape }),
    () => weightMap(f, { shape }),
    () => gaussianHeatmaps(f, { shape }),
    () => boundaryHeatmaps(f, { shape, groups: [[0]] }),
    () => decode(f, { shape }),
  ];
  const wide: Shape = [1, 1, 1, 2 ** 31];
  const dim = /"shape" \[1,1,1,2147483648\] has W = 2147483648, more than the limit of 2147483647/;
  for (const call of calls(wide, awingLoss, decodeArgmax)) {
    match(caught(call, RangeError).message, dim);
  }
  match(
    caught(() => awingLoss(f, f, { shape: [1, 2 ** 31, 1, 1], layout: "nhwc" }), RangeError)
      .message,
    /has H = 2147483648/,
  );
  // every dimension fits int32 but the batch does not fit one array
  const many: Shape = [2, 1, 32768, 32768];
  const count = /has 2147483648 elements, more than the limit of 2147483647/;
  for (const call of calls(many, mseLoss, decodeSoftArgmax)) {
    match(caught(call, RangeError).message, count);
  }
  match(
    caught(() => coordChannels(65536, 32768), RangeError).message,
    /h x w = 65536 x 32768 gives 6442450944 values, more than the limit of 2147483647/,
  );
  // one channel that does not fit the WASM arena: refused before the output is allocated
  const arena = /needs \d+ bytes of WASM memory for one channel, more than the limit of 1073741824/;
  match(
    caught(
      () => gaussianHeatmaps(f.subarray(0, 2), { shape: [1, 1, 20000, 20000], window: "full" }),
      RangeError,
    )
      .message,
    arena,
  );
  match(
    caught(() => gaussianHeatmaps(f.subarray(0, 2), { shape: [1, 1, 1, 2 ** 31 - 1] }), RangeError)
      .message,
    arena,
  );
});

Deno.test("losses on random extreme parameters and inputs: a RangeError or finite loss and gradient", () => {
  const rand = rng(21);
  const extreme = (): number => 10 ** (-37 + 75 * rand());
  const shape: [number, number, number, number] = [1, 1, 4, 8];
  let accepted = 0, refused = 0;
  for (let it = 0; it < 1000; it++) {
    const pred = Float32Array.from(
      { length: 32 },
      () => (rand() - 0.5) * (rand() < 0.3 ? extreme() : 2),
    );
    const target = Float32Array.from({ length: 32 }, () => rand());
    const mapWeight = rand() < 0.5 ? 0 : extreme();
    const calls = [
      () =>
        awingLoss(pred, target, {
          shape,
          alpha: 2 + 100 * rand(),
          omega: extreme(),
          epsilon: extreme(),
          theta: extreme(),
          mapWeight,
        }),
      () => wingLoss(pred, target, { shape, w: extreme(), epsilon: extreme(), mapWeight }),
      () => softWingLoss(pred, target, { shape, w1: extreme(), w2: extreme(), epsilon: extreme() }),
      () => mseLoss(pred, target, { shape, mapWeight }),
      () => l1Loss(pred, target, { shape, mapWeight, reduction: "sum" }),
    ];
    let result;
    try {
      result = calls[it % calls.length]!();
    } catch (error) {
      ok(error instanceof RangeError, String(error));
      refused++;
      continue;
    }
    ok(Number.isFinite(result.loss), `call ${it}: loss ${result.loss}`);
    ok(result.grad.every(Number.isFinite), `call ${it}: a non-finite gradient`);
    accepted++;
  }
  ok(accepted > 300 && refused > 100, `${accepted} accepted, ${refused} refused`);
});
