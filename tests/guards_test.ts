// Inputs that used to give a wrong number or take minutes: outputs sharing memory with inputs,
// landmarks far off the map, sizes past 32-bit arithmetic, malformed layouts and options.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import {
  boundaryHeatmaps,
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

Deno.test("boundaryHeatmaps: a landmark at 1e12, 1e30 or -1e38 is drawn right (the old flattening ran out of memory)", () => {
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
