// Target heatmaps (WASM) against the float64 reference, the official AWing fixtures, the
// coordinate maps and the CoordConv channels.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  coordChannels,
  fromHeatmapCoords,
  gaussianHeatmaps,
  toHeatmapCoords,
} from "../src/heatmap/mod.ts";
import { awingLoss, weightMap } from "../src/loss/mod.ts";
import { gaussianHeatmapsReference, lossReference } from "../src/reference/mod.ts";
import { wasm } from "../src/_wasm.ts";
import { at } from "./_assert.ts";
import { rng } from "./_random.ts";
import { edgeCaseMaps } from "./_edges.ts";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

type Shape = [number, number, number, number];

Deno.test("gaussianHeatmaps (unbiased) matches the f64 reference for every width 1..9 and odd maps", () => {
  const rand = rng(1);
  for (const window of ["3sigma", "full"] as const) {
    for (const sigma of [0.5, 1, 2, 3.3]) {
      for (
        const [h, w] of [
          [1, 1],
          [3, 2],
          [5, 3],
          [4, 4],
          [6, 5],
          [7, 6],
          [2, 7],
          [9, 8],
          [8, 9],
          [
            17,
            13,
          ],
          [64, 64],
          [48, 61],
        ] as const
      ) {
        const n = 2, k = 5;
        const lm = new Float32Array(n * k * 2);
        // landmarks anywhere on the map, edges included
        for (let i = 0; i < n * k; i++) {
          lm[2 * i] = -0.5 + rand() * w;
          lm[2 * i + 1] = -0.5 + rand() * h;
        }
        const shape: Shape = [n, k, h, w];
        const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape, sigma, window });
        const ref = gaussianHeatmapsReference(lm, shape, { sigma, window });
        const err = maxAbsDiff(heatmaps, ref);
        ok(err <= 4e-7, `sigma ${sigma} ${window} ${h}x${w}: max error ${err}`);
        equal(skipped.length, 0);
      }
    }
  }
});

Deno.test("gaussianHeatmaps puts exactly 1 on a landmark at a pixel centre and keeps the 3 sigma square", () => {
  const { heatmaps } = gaussianHeatmaps(new Float32Array([20, 30]), {
    shape: [1, 1, 64, 64],
    sigma: 2,
  });
  equal(heatmaps[30 * 64 + 20], 1);
  // |j - x| <= 6: 13 columns x 13 rows, the corners included (a square window)
  equal(heatmaps.filter((v) => v > 0).length, 169);
  ok(at(heatmaps, 36 * 64 + 26) > 0);
  equal(heatmaps[37 * 64 + 20], 0);
  const full = gaussianHeatmaps(new Float32Array([20, 30]), {
    shape: [1, 1, 64, 64],
    sigma: 2,
    window: "full",
  }).heatmaps;
  ok(at(full, 37 * 64 + 20) > 0);
});

Deno.test("gaussianHeatmaps reports NaN, invisible and off-map landmarks with zero channels", () => {
  const h = 16, w = 20;
  // on the edge of the map: x = -0.5 is in, x = w - 0.5 is out
  const lm = new Float32Array([
    NaN,
    3,
    5,
    NaN,
    5,
    5,
    -0.5,
    -0.5,
    w - 0.5,
    3,
    3,
    h - 0.5,
    -0.51,
    4,
    Infinity,
    2,
    19.49,
    15.49,
  ]);
  const vis = new Float32Array([1, 1, 0, 1, 1, 1, 1, 1, 1]);
  const shape: Shape = [1, 9, h, w];
  const out = new Float32Array(9 * h * w).fill(7);
  const { heatmaps, skipped } = gaussianHeatmaps(lm, {
    shape,
    visibility: vis,
    out,
    offMap: "empty",
  });
  equal(heatmaps, out);
  deepEqual(skipped, [
    { n: 0, k: 0, reason: "nan" },
    { n: 0, k: 1, reason: "nan" },
    { n: 0, k: 2, reason: "invisible" },
    { n: 0, k: 4, reason: "off-map" },
    { n: 0, k: 5, reason: "off-map" },
    { n: 0, k: 6, reason: "off-map" },
    { n: 0, k: 7, reason: "off-map" },
  ]);
  for (const { k } of skipped) {
    ok(heatmaps.subarray(k * h * w, (k + 1) * h * w).every((v) => v === 0), `channel ${k}`);
  }
  ok(heatmaps.subarray(3 * h * w, 4 * h * w).some((v) => v > 0));
  ok(heatmaps.subarray(8 * h * w, 9 * h * w).some((v) => v > 0));
  const ref = gaussianHeatmapsReference(lm, shape, { visibility: vis, offMap: "empty" });
  ok(maxAbsDiff(heatmaps, ref) <= 4e-7);
  // a Uint8Array visibility works the same
  const u8 = gaussianHeatmaps(lm, { shape, visibility: Uint8Array.from(vis), offMap: "empty" });
  deepEqual(u8.skipped, skipped);
});

Deno.test("offMap partial: every edge and corner, at and one step past the bounds, matches the reference", () => {
  for (const { h, w, sigma, lm, skip, k, shape } of edgeCaseMaps()) {
    for (const window of ["3sigma", "full"] as const) {
      const what = `sigma ${sigma} ${window}`;
      const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape, sigma, window });
      deepEqual(skipped, skip.map((c) => ({ n: 0, k: c, reason: "off-map" })), what);
      const ref = gaussianHeatmapsReference(lm, shape, { sigma, window });
      const err = maxAbsDiff(heatmaps, ref);
      ok(err <= 4e-7, `${what}: max error ${err}`);
      for (let c = 0; c < k; c++) {
        const channel = heatmaps.subarray(c * h * w, (c + 1) * h * w);
        const max = Math.max(...channel);
        if (skip.includes(c)) equal(max, 0, `${what} channel ${c}`);
        else ok(max >= Math.exp(-9) * (1 - 1e-6), `${what} channel ${c}: max ${max}`);
      }
      // at the left bound: exp(-4.5) on column 0 of the middle row, and only column 0 in 3 sigma
      ok(Math.abs(at(heatmaps, ((h - 1) / 2) * w) - Math.exp(-4.5)) < 1e-7, what);
      if (window === "3sigma") {
        ok(heatmaps.subarray(0, h * w).every((v, p) => v === 0 || p % w === 0), what);
      }
      // float64 landmarks take the same rule
      const f64 = gaussianHeatmaps(Float64Array.from(lm), { shape, sigma, window });
      deepEqual(f64.skipped, skipped);
      deepEqual(f64.heatmaps, heatmaps);
    }
    // "empty": every landmark off the map is skipped; the two on it are drawn
    const empty = gaussianHeatmaps(lm, { shape, sigma, offMap: "empty" });
    const onMap = [13, 14];
    deepEqual(
      empty.skipped.map((s) => s.k),
      Array.from({ length: k }, (_, c) => c).filter((c) => !onMap.includes(c)),
    );
    const ref = gaussianHeatmapsReference(lm, shape, { sigma, offMap: "empty" });
    ok(maxAbsDiff(empty.heatmaps, ref) <= 4e-7);
  }
});

Deno.test("offMap partial: a landmark 0.4 px past the right edge gives 0.835 there (sigma 1)", () => {
  const h = 8, w = 8;
  const { heatmaps, skipped } = gaussianHeatmaps(new Float32Array([w - 0.4, 3]), {
    shape: [1, 1, h, w],
  });
  equal(skipped.length, 0);
  const d = w - 1 - Math.fround(w - 0.4);
  ok(Math.abs(at(heatmaps, 3 * w + w - 1) - Math.exp(-0.5 * d * d)) < 1e-6);
  ok(Math.abs(at(heatmaps, 3 * w + w - 1) - 0.835) < 1e-3);
  // visibility applies as on the map
  const hidden = gaussianHeatmaps(new Float32Array([w - 0.4, 3, w + 0.5, 3]), {
    shape: [1, 2, h, w],
    visibility: new Uint8Array([0, 1]),
  });
  deepEqual(hidden.skipped, [{ n: 0, k: 0, reason: "invisible" }]);
  ok(hidden.heatmaps.subarray(0, h * w).every((v) => v === 0));
  ok(at(hidden.heatmaps, h * w + 3 * w + w - 1) > 0);
});

/**
 * mmpose's `generate_unbiased_gaussian_heatmaps` for one landmark, in float64: undefined
 * when it skips the landmark (weight 0), else the whole-map Gaussian.
 */
function mmposeUnbiased(
  x: number,
  y: number,
  h: number,
  w: number,
  sigma: number,
): Float64Array | undefined {
  const radius = sigma * 3;
  const left = x - radius, top = y - radius, right = x + radius + 1, bottom = y + radius + 1;
  if (left >= w || top >= h || right < 0 || bottom < 0) return undefined;
  const g = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      g[i * w + j] = Math.exp(-((j - x) ** 2 + (i - y) ** 2) / (2 * sigma ** 2));
    }
  }
  return g;
}

Deno.test("offMap partial with the full window equals mmpose wherever both draw; it skips 1 px sooner", () => {
  const h = 12, w = 14;
  for (const sigma of [1, 2]) {
    const xs: number[] = [];
    for (let v = -3 * sigma - 1.5; v <= w + 3 * sigma + 0.5; v += 0.125) xs.push(v);
    const cy = 5.25;
    // a sweep along x through the middle row, and the same along y
    const lm = Float32Array.from([...xs.flatMap((x) => [x, cy]), ...xs.flatMap((v) => [6.5, v])]);
    const k = lm.length / 2;
    const shape: Shape = [1, k, h, w];
    const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape, sigma, window: "full" });
    const ours = new Set(skipped.map((s) => s.k));
    let both = 0, onlyMmpose = 0;
    for (let c = 0; c < k; c++) {
      const mm = mmposeUnbiased(at(lm, 2 * c), at(lm, 2 * c + 1), h, w, sigma);
      const channel = heatmaps.subarray(c * h * w, (c + 1) * h * w);
      if (ours.has(c)) {
        if (mm !== undefined) {
          onlyMmpose++;
          ok(Math.max(...mm) < Math.exp(-4.5), `sigma ${sigma} channel ${c}`);
        }
        continue;
      }
      ok(mm !== undefined, `sigma ${sigma} channel ${c}: drawn here, skipped by mmpose`);
      both++;
      ok(maxAbsDiff(channel, mm) <= 4e-7, `sigma ${sigma} channel ${c}`);
    }
    ok(both > 0 && onlyMmpose > 0, `${both} ${onlyMmpose}`);
  }
});

Deno.test("offMap: landmarks far off the map cost nothing and leave zero channels", () => {
  const n = 4, k = 250, h = 64, w = 64;
  const rand = rng(7);
  const lm = new Float32Array(n * k * 2);
  for (let i = 0; i < lm.length; i++) {
    const far = 10 ** (3 + 35 * rand());
    lm[i] = rand() < 0.5 ? -far : far;
  }
  for (const window of ["3sigma", "full"] as const) {
    const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape: [n, k, h, w], window, sigma: 3 });
    equal(skipped.length, n * k);
    ok(heatmaps.every((v) => v === 0));
  }
});

Deno.test("official mode: the 7-tap kernel row, 49 pixels, the 61-pixel mask and the AWing sum", () => {
  const shape: Shape = [1, 1, 64, 64];
  // landmark (128, 128) in the 256 crop: x = 128 / 4 = 32
  const lm = toHeatmapCoords(new Float32Array([128, 128]), { stride: 4, convention: "msra" });
  deepEqual(Array.from(lm), [32, 32]);
  const { heatmaps } = gaussianHeatmaps(lm, { shape, mode: "official" });
  const row = Array.from(heatmaps.subarray(32 * 64 + 29, 32 * 64 + 36), (v) => v.toFixed(4));
  deepEqual(row, ["0.2301", "0.5205", "0.8494", "1.0000", "0.8494", "0.5205", "0.2301"]);
  ok(Math.abs(at(heatmaps, 29 * 64 + 29) - 0.0529) < 5e-5, "window corner");
  equal(heatmaps.filter((v) => v > 0).length, 49);
  const mask = weightMap(heatmaps, { shape });
  equal(mask.filter((v) => v === 11).length, 61);
  const { loss } = awingLoss(new Float32Array(64 * 64), heatmaps, {
    shape,
    mapWeight: 0,
    reduction: "sum",
    gradient: false,
  });
  ok(Math.abs(loss - 129.994008) < 5e-5, `AWing sum ${loss}`);
  // the same sum from the f64 reference loss on the f64 reference target
  const refTarget = gaussianHeatmapsReference(lm, shape, { mode: "official" });
  const ref = lossReference(new Float64Array(64 * 64), refTarget, {
    shape,
    reduction: "sum",
    mapWeight: 0,
  });
  ok(Math.abs(ref.loss - 129.994008) < 5e-6, `reference AWing sum ${ref.loss}`);
  ok(Math.abs(loss / 4096 - 0.0317368) < 1e-7);
});

Deno.test("official mode: the top/left border bug moves the peak of (3, 3) to (2, 2) and gives a 25-pixel mask", () => {
  const shape: Shape = [1, 1, 64, 64];
  const lm = toHeatmapCoords(new Float32Array([3, 3]), { stride: 4, convention: "msra" });
  const { heatmaps } = gaussianHeatmaps(lm, { shape, mode: "official" });
  let best = 0;
  for (let i = 1; i < heatmaps.length; i++) if (heatmaps[i]! > heatmaps[best]!) best = i;
  deepEqual([best % 64, Math.floor(best / 64)], [2, 2]);
  equal(heatmaps[2 * 64 + 2], 1);
  equal(heatmaps.filter((v) => v > 0).length, 16);
  equal(weightMap(heatmaps, { shape }).filter((v) => v === 11).length, 25);
  // bottom/right clipping is correct: the peak stays on floor(x)
  const br = gaussianHeatmaps(new Float32Array([62.9, 63.2]), { shape, mode: "official" });
  equal(br.heatmaps[63 * 64 + 62], 1);
});

Deno.test("official mode matches the line-by-line port of draw_gaussian everywhere, borders included", () => {
  const rand = rng(7);
  for (const sigma of [1, 2, 3]) {
    for (const [h, w] of [[64, 64], [32, 48], [11, 9]] as const) {
      const k = 400;
      const lm = new Float32Array(2 * k);
      for (let i = 0; i < k; i++) {
        lm[2 * i] = -4 + rand() * (w + 8);
        lm[2 * i + 1] = -4 + rand() * (h + 8);
      }
      // exact integers and the x <= 0 rule
      lm.set([0, 5, 0.0001, 5, 1, 1, w - 1, h - 1, w, h, w + 3 * sigma, 2], 0);
      const shape: Shape = [1, k, h, w];
      const { heatmaps, skipped } = gaussianHeatmaps(lm, { shape, sigma, mode: "official" });
      const ref = gaussianHeatmapsReference(lm, shape, { sigma, mode: "official" });
      const err = maxAbsDiff(heatmaps, ref);
      ok(err <= 4e-7, `sigma ${sigma} ${h}x${w}: max error ${err}`);
      // skipped channels are exactly the ones the official code leaves blank
      const blank = new Set<number>();
      for (let c = 0; c < k; c++) {
        if (ref.subarray(c * h * w, (c + 1) * h * w).every((v) => v === 0)) blank.add(c);
      }
      deepEqual(new Set(skipped.map((s) => s.k)), blank);
      ok(blank.has(0), "x = 0 is not drawn (landmarks[i][0] > 0)");
      ok(!blank.has(1));
    }
  }
});

Deno.test("gaussianHeatmaps stays correct after the WASM memory grows", () => {
  const lm = new Float32Array([10.25, 7.5]);
  const shape: Shape = [1, 1, 16, 16];
  const before = gaussianHeatmaps(lm, { shape }).heatmaps;
  wasm().memory.grow(2);
  const after = gaussianHeatmaps(lm, { shape }).heatmaps;
  deepEqual(after, before);
  // a batch large enough to need many chunks
  const n = 3, k = 98;
  const big = new Float32Array(n * k * 2);
  const rand = rng(3);
  for (let i = 0; i < big.length; i++) big[i] = rand() * 63;
  const res = gaussianHeatmaps(big, { shape: [n, k, 64, 64] }).heatmaps;
  const ref = gaussianHeatmapsReference(big, [n, k, 64, 64]);
  ok(maxAbsDiff(res, ref) <= 4e-7);
});

Deno.test("gaussianHeatmaps rejects bad input with clear errors", () => {
  const lm = new Float32Array([1, 2]);
  const shape: Shape = [1, 1, 8, 8];
  throws(
    () => gaussianHeatmaps(new Float32Array(3), { shape }),
    (e: Error) => e instanceof TypeError && /"landmarks" has 3 elements/.test(e.message),
  );
  throws(() => gaussianHeatmaps([1, 2] as unknown as Float32Array, { shape }), TypeError);
  throws(() => gaussianHeatmaps(lm, undefined as unknown as { shape: Shape }), TypeError);
  throws(() => gaussianHeatmaps(lm, { shape: [1, 1, 0, 8] }), RangeError);
  throws(() => gaussianHeatmaps(lm, { shape: [1, 1, 8] as unknown as Shape }), TypeError);
  throws(
    () => gaussianHeatmaps(lm, { shape, sigma: 0 }),
    (e: Error) =>
      e instanceof RangeError &&
      /sigma must be in \[0.000001, 1000000\] pixels: current value is 0/.test(e.message),
  );
  throws(() => gaussianHeatmaps(lm, { shape, sigma: NaN }), RangeError);
  // 2 sigma^2 would underflow or overflow float32
  throws(() => gaussianHeatmaps(lm, { shape, sigma: 1e-20 }), RangeError);
  throws(() => gaussianHeatmaps(lm, { shape, sigma: 1e20 }), RangeError);
  throws(() => gaussianHeatmaps(lm, { shape, sigma: 1.5, mode: "official" }), RangeError);
  throws(() => gaussianHeatmaps(lm, { shape, window: "full", mode: "official" }), TypeError);
  throws(
    () => gaussianHeatmaps(lm, { shape, mode: "msra" as "official" }),
    /"mode" must be "unbiased" or "official"/,
  );
  throws(() => gaussianHeatmaps(lm, { shape, window: "2sigma" as "full" }), TypeError);
  throws(
    () => gaussianHeatmaps(lm, { shape, offMap: "clip" as "empty" }),
    /"offMap" must be "partial" or "empty" but it is "clip"/,
  );
  throws(
    () => gaussianHeatmaps(lm, { shape, offMap: "partial", mode: "official" }),
    /"offMap" is not available in official mode/,
  );
  throws(() => gaussianHeatmaps(lm, { shape, visibility: new Float32Array(2) }), TypeError);
  throws(() => gaussianHeatmaps(lm, { shape, visibility: new Float32Array([NaN]) }), RangeError);
  throws(
    () => gaussianHeatmaps(lm, { shape, visibility: [1] as unknown as Uint8Array }),
    TypeError,
  );
  throws(() => gaussianHeatmaps(lm, { shape, out: new Float32Array(63) }), TypeError);
});

Deno.test("toHeatmapCoords / fromHeatmapCoords: aligned and MSRA conventions round-trip", () => {
  const rand = rng(11);
  const img = new Float32Array(200);
  for (let i = 0; i < img.length; i++) img[i] = -10 + rand() * 276;
  for (const convention of ["aligned", "msra"] as const) {
    for (const stride of [1, 2, 4, 3.5]) {
      const hm = toHeatmapCoords(img, { stride, convention });
      for (let i = 0; i < img.length; i++) {
        const x = at(img, i);
        const want = convention === "aligned" ? (x + 0.5) / stride - 0.5 : x / stride;
        ok(Math.abs(at(hm, i) - want) <= 1e-5 * Math.max(1, Math.abs(want)));
      }
      const back = fromHeatmapCoords(hm, { stride, convention });
      ok(maxAbsDiff(back, img) < 1e-4, `${convention} stride ${stride}`);
    }
  }
  // aligned: the 4 pixel centres 0..3 of a 256 crop average to heatmap pixel 0
  const centres = toHeatmapCoords(new Float32Array([0, 1, 2, 3]), { stride: 4 });
  equal(centres.length, 4);
  equal(centres.reduce((sum, v) => sum + v) / 4, 0);
  const nan = toHeatmapCoords(new Float32Array([NaN, 1]), { stride: 4 });
  ok(Number.isNaN(nan[0]));
  throws(() => toHeatmapCoords(new Float32Array(3), { stride: 4 }), TypeError);
  throws(() => toHeatmapCoords(new Float32Array(2), { stride: 0 }), RangeError);
  throws(() => fromHeatmapCoords(new Float32Array(2), { stride: -1 }), RangeError);
  throws(
    () => toHeatmapCoords(new Float32Array(2), { stride: 4, convention: "fan" as "msra" }),
    TypeError,
  );
  throws(
    () => toHeatmapCoords(new Float32Array(2), { stride: 4, out: new Float32Array(4) }),
    TypeError,
  );
});

Deno.test("coordChannels: x along columns, y along rows, r normalised; the official order swaps them", () => {
  for (const [h, w] of [[64, 64], [5, 9], [2, 2]] as const) {
    const c = coordChannels(h, w);
    equal(c.length, 3 * h * w);
    let rmax = 0;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const x = (2 * j) / (w - 1) - 1, y = (2 * i) / (h - 1) - 1;
        const p = i * w + j;
        const r = at(c, 2 * h * w + p);
        ok(Math.abs(at(c, p) - x) < 1e-7 && Math.abs(at(c, h * w + p) - y) < 1e-7);
        ok(Math.abs(r - Math.hypot(x, y) / Math.SQRT2) < 1e-7);
        rmax = Math.max(rmax, r);
      }
    }
    equal(rmax, 1);
    const off = coordChannels(h, w, { order: "official" });
    deepEqual(off.subarray(0, h * w), c.subarray(h * w, 2 * h * w));
    deepEqual(off.subarray(h * w, 2 * h * w), c.subarray(0, h * w));
    equal(coordChannels(h, w, { withRadius: false }).length, 2 * h * w);
  }
  throws(() => coordChannels(1, 64), RangeError);
  throws(() => coordChannels(64, 2.5), RangeError);
  throws(() => coordChannels(4, 4, { order: "yx" as "xy" }), TypeError);
});
