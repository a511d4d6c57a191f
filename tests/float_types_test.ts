// Every encoder, decoder and metric takes Float32Array and Float64Array alike, and the readers'
// Float64Array landmarks go straight in.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  decodeArgmax,
  decodeDark,
  decodeQuarterOffset,
  type DecodeResult,
  decodeSoftArgmax,
} from "../src/decode/mod.ts";
import {
  boundaryHeatmaps,
  fromHeatmapCoords,
  gaussianHeatmaps,
  toHeatmapCoords,
} from "../src/heatmap/mod.ts";
import { getLayout, parsePts } from "../src/layouts/mod.ts";
import { auc, cedCurve, failureRate, meanNme, nme, normDistance } from "../src/metrics/mod.ts";
import type { FloatArray, Shape4 } from "../src/types.ts";
import { rng } from "./_random.ts";

/** Random (x, y) pairs in [lo, hi), exactly representable in float32, as both types. */
function pairs(count: number, lo: number, hi: number, seed: number): [Float32Array, Float64Array] {
  const rand = rng(seed);
  const f32 = new Float32Array(2 * count).map(() => lo + rand() * (hi - lo));
  return [f32, Float64Array.from(f32)];
}

Deno.test("toHeatmapCoords and fromHeatmapCoords keep the input's float type", () => {
  const [f32, f64] = pairs(50, -10, 300, 1);
  for (const convention of ["aligned", "msra"] as const) {
    const shift = convention === "aligned" ? 0.5 : 0;
    const a = toHeatmapCoords(f32, { stride: 4, convention });
    const b = toHeatmapCoords(f64, { stride: 4, convention });
    ok(a instanceof Float32Array && b instanceof Float64Array);
    for (let i = 0; i < f64.length; i++) {
      // float64 keeps every digit; float32 rounds the same value once
      equal(b[i], (f64[i]! + shift) / 4 - shift);
      equal(a[i], Math.fround(b[i]!));
    }
    const back = fromHeatmapCoords(b, { stride: 4, convention });
    ok(back instanceof Float64Array);
    for (let i = 0; i < f64.length; i++) ok(Math.abs(back[i]! - f64[i]!) < 1e-12);
  }
  // a caller's output of the other type is used
  const out = new Float32Array(f64.length);
  ok(toHeatmapCoords(f64, { stride: 2, out }) === out);
  throws(() => toHeatmapCoords(new Int32Array(4) as unknown as Float32Array, { stride: 4 }), {
    name: "TypeError",
    message: 'Cannot convert coordinates: "landmarks" must be a Float32Array or Float64Array',
  });
  throws(
    () => toHeatmapCoords(f64, { stride: 4, out: new Float64Array(3) }),
    /"out" must be a Float32Array or Float64Array of 100 elements/,
  );
});

Deno.test("gaussianHeatmaps and boundaryHeatmaps draw the same maps from float32 and float64", () => {
  const shape: Shape4 = [2, 68, 32, 32];
  const [f32, f64] = pairs(2 * 68, -2, 34, 2);
  f32[6] = NaN;
  f64[6] = NaN;
  for (const mode of ["unbiased", "official"] as const) {
    const a = gaussianHeatmaps(f32, { shape, sigma: 2, mode });
    const b = gaussianHeatmaps(f64, {
      shape,
      sigma: 2,
      mode,
      visibility: new Float64Array(2 * 68).fill(1),
    });
    deepEqual(b.heatmaps, a.heatmaps);
    deepEqual(b.skipped, a.skipped);
    ok(a.skipped.length > 0);
  }
  const groups = getLayout("300w").boundaries;
  const [c32, c64] = pairs(2 * 68, 4, 28, 3);
  const bShape: Shape4 = [2, 1, 32, 32];
  const one = boundaryHeatmaps(c32, { shape: bShape, groups });
  deepEqual(boundaryHeatmaps(c64, { shape: bShape, groups }), one);
  ok(one.some((v) => v > 0.5));
  throws(
    () => boundaryHeatmaps([1, 2] as unknown as Float64Array, { shape: bShape, groups }),
    /"landmarks" must be a Float32Array or Float64Array/,
  );
});

Deno.test("every decoder gives the same landmarks for float32 and float64 heatmaps", () => {
  const shape: Shape4 = [2, 5, 24, 20];
  const [f32] = pairs(10, 3, 17, 4);
  const maps32 = gaussianHeatmaps(f32, { shape, sigma: 1.5 }).heatmaps;
  const maps64 = Float64Array.from(maps32);
  const decoders: [string, (h: FloatArray) => DecodeResult][] = [
    ["argmax", (h) => decodeArgmax(h, { shape })],
    ["dark", (h) => decodeDark(h, { shape, sigma: 1.5 })],
    ["quarter-offset", (h) => decodeQuarterOffset(h, { shape })],
    ["soft-argmax", (h) => decodeSoftArgmax(h, { shape, normalize: "linear" })],
  ];
  for (const [name, decode] of decoders) {
    const a = decode(maps32), b = decode(maps64);
    deepEqual(b.landmarks, a.landmarks, name);
    deepEqual(b.confidence, a.confidence, name);
    // and the answer is near the encoded landmarks
    for (let i = 0; i < f32.length; i++) ok(Math.abs(a.landmarks[i]! - f32[i]!) < 0.75, name);
  }
  // a float64 value past float32's range is an error, not an infinity
  const huge = maps64.slice();
  huge[3 * 480 + 7] = 1e39;
  throws(() => decodeArgmax(huge, { shape }), {
    name: "RangeError",
    message:
      'Cannot decode heatmaps: "heatmaps" has 1e+39 at index 1447, beyond the float32 range the decoders compute in',
  });
  huge[3 * 480 + 7] = -Infinity;
  throws(() => decodeDark(huge, { shape }), /"heatmaps" has an infinite value at index 1447/);
  throws(
    () => decodeArgmax(new Uint8Array(4) as unknown as Float32Array, { shape: [1, 1, 2, 2] }),
    /"heatmaps" must be a Float32Array or Float64Array/,
  );
});

Deno.test("every metric takes float32 and float64 landmarks and NMEs", () => {
  const [gt32, gt64] = pairs(3 * 98, 0, 200, 5);
  const [p32, p64] = pairs(3 * 98, 0, 200, 6);
  for (let i = 0; i < gt64.length; i++) {
    p32[i] = Math.fround(gt32[i]! + (p32[i]! - 100) / 50);
    p64[i] = p32[i]!;
  }
  const options = { layout: "wflw", norm: "inter-ocular" } as const;
  const ref = nme(p64, gt64, options);
  deepEqual(nme(p32, gt32, options), ref);
  deepEqual(nme(p32, gt64, options), ref);
  deepEqual(normDistance(gt32, options), normDistance(gt64, options));
  const n32 = Float32Array.from(ref);
  const n64 = Float64Array.from(n32);
  equal(meanNme(n32), meanNme(n64));
  equal(failureRate(n32, { threshold: 0.08 }), failureRate(n64, { threshold: 0.08 }));
  equal(auc(n32), auc(n64));
  deepEqual(cedCurve(n32), cedCurve(n64));
});

Deno.test("the readers' Float64Array landmarks feed the encoders directly", () => {
  const image = parsePts(
    "version: 1\nn_points: 2\n{\n100.25 120.5\n150.75 118.125\n}\n",
  );
  ok(image instanceof Float64Array);
  const landmarks = toHeatmapCoords(image, { stride: 4 });
  ok(landmarks instanceof Float64Array);
  const { heatmaps } = gaussianHeatmaps(landmarks, { shape: [1, 2, 64, 64] });
  const back = fromHeatmapCoords(decodeDark(heatmaps, { shape: [1, 2, 64, 64] }).landmarks, {
    stride: 4,
  });
  for (let i = 0; i < 4; i++) ok(Math.abs(back[i]! - image[i]!) < 0.05);
});
