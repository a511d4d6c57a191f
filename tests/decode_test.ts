// Decoders (WASM argmax, blur and soft-argmax sums) against the float64 reference, encode ->
// decode round trips with their oracle errors (unbiased and official targets), DARK's blur size
// and its non-positive blurred maximum against mmpose's, the official FAN pair, and bad input.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  decodeArgmax,
  decodeDark,
  decodeQuarterOffset,
  decodeSoftArgmax,
} from "../src/decode/mod.ts";
import { gaussianHeatmaps, toHeatmapCoords } from "../src/heatmap/mod.ts";
import { decodeReference } from "../src/reference/mod.ts";
import { wasm } from "../src/_wasm.ts";
import { at } from "./_assert.ts";
import { rng } from "./_random.ts";
import { ODD_SHAPES } from "./_shapes.ts";

type Shape = [number, number, number, number];

/** Gaussian blobs plus noise, with plateaus (ties) and negative values in some channels. */
function randomHeatmaps(shape: Shape, seed: number): Float32Array {
  const [n, k, h, w] = shape;
  const rand = rng(seed);
  const out = new Float32Array(n * k * h * w);
  for (let c = 0; c < n * k; c++) {
    const x = rand() * (w - 1), y = rand() * (h - 1), s = 0.7 + rand() * 2;
    const noise = rand() < 0.5 ? 0.05 : 0;
    const off = rand() < 0.2 ? -0.5 : 0;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const v = Math.exp(-((j - x) ** 2 + (i - y) ** 2) / (2 * s * s));
        out[c * h * w + i * w + j] = off + v + noise * (rand() - 0.5);
      }
    }
    if (c % 7 === 3) {
      // a plateau: several equal maxima, the first in row-major order wins
      const v = 2;
      out[c * h * w + (h - 1) * w + (w - 1)] = v;
      out[c * h * w + Math.floor(h / 2) * w + Math.floor(w / 2)] = v;
      out[c * h * w + Math.floor(h / 2) * w + (w - 1)] = v;
    }
    if (c % 11 === 5) out.fill(0.25, c * h * w, (c + 1) * h * w); // all equal: index 0
    if (c % 13 === 6) {
      // tiny values: DARK's 1e-10 clamp bites and the rescaling matters
      for (let p = c * h * w; p < (c + 1) * h * w; p++) out[p]! *= 1e-11;
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const SHAPES: readonly Shape[] = ODD_SHAPES;

Deno.test("decodeArgmax and decodeQuarterOffset match the reference (ties, tails 1..9)", () => {
  SHAPES.forEach((shape, s) => {
    const hm = randomHeatmaps(shape, 100 + s);
    const am = decodeArgmax(hm, { shape });
    const refA = decodeReference(hm, shape, { method: "argmax" });
    deepEqual(Array.from(am.landmarks), Array.from(refA.landmarks), `argmax ${shape}`);
    deepEqual(Array.from(am.confidence), Array.from(refA.confidence));
    for (const convention of ["fan", "mmpose"] as const) {
      for (const frame of ["pixel-centre", "native"] as const) {
        const q = decodeQuarterOffset(hm, { shape, convention, frame });
        const ref = decodeReference(hm, shape, { method: convention, native: frame === "native" });
        deepEqual(Array.from(q.landmarks), Array.from(ref.landmarks), `${convention} ${shape}`);
        deepEqual(Array.from(q.confidence), Array.from(ref.confidence));
      }
    }
  });
});

Deno.test("decodeDark matches the reference (2-D convolution, f64) for kernel sizes 3..17", () => {
  for (
    const [shape, seed] of [[[2, 17, 64, 64], 1], [[1, 9, 33, 47], 2], [[1, 6, 7, 9], 3]] as [
      Shape,
      number,
    ][]
  ) {
    const hm = randomHeatmaps(shape, seed);
    for (const kernelSize of [3, 5, 7, 9, 11, 17]) {
      const d = decodeDark(hm, { shape, kernelSize });
      const ref = decodeReference(hm, shape, { method: "dark", kernelSize });
      const err = maxAbsDiff(d.landmarks, ref.landmarks);
      ok(err < 2e-4, `${shape} k ${kernelSize}: ${err}`);
      deepEqual(Array.from(d.confidence), Array.from(ref.confidence));
    }
  }
});

Deno.test("decodeSoftArgmax matches the reference (softmax with several beta, linear)", () => {
  SHAPES.forEach((shape, s) => {
    const hm = randomHeatmaps(shape, 200 + s);
    for (const beta of [0.5, 1, 10, 100]) {
      const d = decodeSoftArgmax(hm, { shape, beta });
      const ref = decodeReference(hm, shape, { method: "softmax", beta });
      const err = maxAbsDiff(d.landmarks, ref.landmarks);
      ok(err < 2e-4 * Math.max(shape[2], shape[3]), `${shape} beta ${beta}: ${err}`);
      deepEqual(Array.from(d.confidence), Array.from(ref.confidence));
    }
    // linear needs a positive weight in every channel
    const pos = hm.map((v) => Math.abs(v) + 1e-3);
    const lin = decodeSoftArgmax(pos, { shape, normalize: "linear" });
    const refL = decodeReference(pos, shape, { method: "linear" });
    ok(maxAbsDiff(lin.landmarks, refL.landmarks) < 2e-4 * Math.max(shape[2], shape[3]));
  });
});

/** What {@link roundTrip} encodes: sigma, window and mode of the targets, i.i.d. noise. */
interface TripOptions {
  sigma: number;
  window?: "3sigma" | "full";
  mode?: "unbiased" | "official";
  /** Standard deviation of the Gaussian noise added to every pixel (default 0). */
  noise?: number;
  /** Seed of the landmarks and the noise (default from sigma and window). */
  seed?: number;
}

/** Errors of a round trip: mean Euclidean, max and mean absolute per axis, mean signed. */
interface TripErrors {
  meanPx: number;
  maxAxis: number;
  meanAxis: number;
  bias: number;
}

/**
 * Round trip of 392 random sub-pixel landmarks at least 8 px from every border of 64 x 64
 * maps: encode with `gaussianHeatmaps`, add noise, decode; errors against the landmarks.
 */
function roundTrip(
  options: TripOptions,
  decode: (hm: Float32Array, shape: Shape) => Float32Array,
): TripErrors {
  const { sigma, window = "3sigma", mode = "unbiased", noise = 0 } = options;
  const n = 4, k = 98, h = 64, w = 64, margin = 8;
  const rand = rng(options.seed ?? Math.round(sigma * 1000) + (window === "full" ? 1 : 0));
  const lm = new Float32Array(n * k * 2);
  for (let i = 0; i < lm.length; i++) lm[i] = margin + rand() * (w - 1 - 2 * margin);
  const shape: Shape = [n, k, h, w];
  const { heatmaps } = gaussianHeatmaps(
    lm,
    mode === "official" ? { shape, mode } : {
      shape,
      sigma,
      window,
    },
  );
  if (noise > 0) {
    for (let i = 0; i < heatmaps.length; i++) {
      // Box-Muller
      const r = Math.sqrt(-2 * Math.log(1 - rand()));
      heatmaps[i]! += noise * r * Math.cos(2 * Math.PI * rand());
    }
  }
  const got = decode(heatmaps, shape);
  let sum = 0, maxAxis = 0, sumAxis = 0, signed = 0;
  for (let i = 0; i < n * k; i++) {
    const ex = at(got, 2 * i) - at(lm, 2 * i), ey = at(got, 2 * i + 1) - at(lm, 2 * i + 1);
    sum += Math.hypot(ex, ey);
    maxAxis = Math.max(maxAxis, Math.abs(ex), Math.abs(ey));
    sumAxis += Math.abs(ex) + Math.abs(ey);
    signed += ex + ey;
  }
  return {
    meanPx: sum / (n * k),
    maxAxis,
    meanAxis: sumAxis / (2 * n * k),
    bias: signed / (2 * n * k),
  };
}

// inter-ocular distance of a typical face on a 64 x 64 map (about 96 px at 256, stride 4)
const IOD_64 = 24;

Deno.test("round trip encode -> decode: oracle errors of every decoder (sigma 1 and 2)", () => {
  const rows: string[] = [];
  for (const sigma of [1, 2]) {
    const argmax = roundTrip({ sigma }, (hm, shape) => decodeArgmax(hm, { shape }).landmarks);
    ok(argmax.maxAxis <= 0.5 + 1e-6, `argmax ${argmax.maxAxis}`);
    const fan = roundTrip(
      { sigma },
      (hm, shape) => decodeQuarterOffset(hm, { shape }).landmarks,
    );
    ok(fan.maxAxis <= 0.25 + 1e-5, `fan quarter ${fan.maxAxis}`);
    ok(fan.meanAxis < argmax.meanAxis);
    const mm = roundTrip(
      { sigma },
      (hm, shape) => decodeQuarterOffset(hm, { shape, convention: "mmpose" }).landmarks,
    );
    ok(mm.maxAxis <= 0.25 + 1e-5, `mmpose quarter ${mm.maxAxis}`);
    const dark = roundTrip(
      { sigma },
      (hm, shape) => decodeDark(hm, { shape, sigma }).landmarks,
    );
    ok(dark.meanPx <= 0.01, `DARK mean ${dark.meanPx}`);
    const darkFull = roundTrip(
      { sigma, window: "full" },
      (hm, shape) => decodeDark(hm, { shape, sigma }).landmarks,
    );
    ok(darkFull.meanPx <= 0.01, `DARK full mean ${darkFull.meanPx}`);
    // unbiased: the mean signed error of each pixel-centre decoder is sampling noise
    for (const r of [argmax, fan, mm]) ok(Math.abs(r.bias) < 0.03, `bias ${r.bias}`);
    for (const r of [dark, darkFull]) ok(Math.abs(r.bias) < 1e-3, `DARK bias ${r.bias}`);
    // the FAN native frame adds 0.5: the wrong frame for these targets
    const native = roundTrip(
      { sigma },
      (hm, shape) => decodeQuarterOffset(hm, { shape, frame: "native" }).landmarks,
    );
    ok(Math.abs(native.bias - 0.5) < 0.03, `native bias ${native.bias}`);
    const lin = roundTrip(
      { sigma, window: "full" },
      (hm, shape) => decodeSoftArgmax(hm, { shape, normalize: "linear" }).landmarks,
    );
    ok(lin.maxAxis <= 1e-3, `linear soft-argmax ${lin.maxAxis}`);
    const soft = roundTrip(
      { sigma, window: "full" },
      (hm, shape) => decodeSoftArgmax(hm, { shape, beta: 1 }).landmarks,
    );
    const soft30 = roundTrip(
      { sigma, window: "full" },
      (hm, shape) => decodeSoftArgmax(hm, { shape, beta: 30 }).landmarks,
    );
    for (
      const [name, r] of [
        ["argmax", argmax],
        ["quarter fan", fan],
        ["quarter fan, native frame", native],
        ["quarter mmpose", mm],
        ["DARK 3sigma", dark],
        ["DARK full", darkFull],
        ["soft-argmax linear (full)", lin],
        ["soft-argmax softmax beta 1 (full)", soft],
        ["soft-argmax softmax beta 30 (full)", soft30],
      ] as const
    ) {
      rows.push(
        `sigma ${sigma} ${name.padEnd(36)} mean ${r.meanPx.toFixed(5)} px, max/axis ${
          r.maxAxis.toFixed(5)
        } px, bias ${r.bias.toFixed(4)} px, oracle NME ${
          (100 * r.meanPx / IOD_64).toFixed(4)
        }% (IOD ${IOD_64} px)`,
      );
    }
  }
  console.log(
    `\nOracle errors on 64 x 64 maps, 392 random landmarks >= 8 px from the border:\n${
      rows.join("\n")
    }`,
  );
});

Deno.test("DARK blur for sigma 1: kernel 5 beats 3 (mmpose's comment) and 11 (its default)", () => {
  // noise-free maps favour the larger kernels 7 and 11; with i.i.d. Gaussian noise (sd 0.07
  // of a peak of 1; two draws of landmarks and noise) kernel 5, the default for sigma 1, is
  // the most accurate
  const sizes = [3, 5, 7, 11];
  const rows: string[] = [];
  for (const noise of [0, 0.07]) {
    for (const seed of [1, 2]) {
      const mean = sizes.map((kernelSize) =>
        roundTrip(
          { sigma: 1, noise, seed },
          (hm, shape) => decodeDark(hm, { shape, kernelSize }).landmarks,
        ).meanPx
      );
      const [k3, k5, k7, k11] = mean as [number, number, number, number];
      ok(k5 < k3, `noise ${noise} seed ${seed}: ${mean}`);
      if (noise > 0) ok(k5 < k7 && k5 < k11, `noise ${noise} seed ${seed}: ${mean}`);
      rows.push(
        `noise sd ${noise.toFixed(2)}, draw ${seed}: ` +
          sizes.map((size, i) => `kernel ${size} ${mean[i]!.toFixed(4)} px`).join(", "),
      );
    }
  }
  console.log(`\nDARK mean error on sigma 1 targets (392 landmarks):\n${rows.join("\n")}`);
});

Deno.test("round trip of official targets: unbiased only in the FAN native frame", () => {
  // the peak sits on floor(x) with equal neighbours: every pixel-centre decoder returns
  // floor(x) (errors in (-1, 0], mean -0.5 px), the native frame floor(x) + 0.5
  const decoders: [string, (hm: Float32Array, shape: Shape) => Float32Array][] = [
    ["argmax", (hm, shape) => decodeArgmax(hm, { shape }).landmarks],
    ["quarter fan", (hm, shape) => decodeQuarterOffset(hm, { shape }).landmarks],
    [
      "quarter mmpose",
      (hm, shape) => decodeQuarterOffset(hm, { shape, convention: "mmpose" }).landmarks,
    ],
    [
      "DARK (sigma 1.75: kernel 9)",
      (hm, shape) => decodeDark(hm, { shape, sigma: 1.75 }).landmarks,
    ],
    [
      "soft-argmax linear",
      (hm, shape) => decodeSoftArgmax(hm, { shape, normalize: "linear" }).landmarks,
    ],
  ];
  const rows: string[] = [];
  const row = (name: string, r: TripErrors): void => {
    rows.push(
      `${name.padEnd(28)} mean ${r.meanPx.toFixed(4)} px, max/axis ${r.maxAxis.toFixed(4)} px, ` +
        `bias ${r.bias.toFixed(4)} px`,
    );
  };
  for (const [name, decode] of decoders) {
    const r = roundTrip({ sigma: 1, mode: "official", seed: 12 }, decode);
    ok(Math.abs(r.bias + 0.5) < 0.03, `${name}: bias ${r.bias}`);
    ok(Math.abs(r.bias + r.meanAxis) < 1e-3, `${name}: an error > 0`);
    ok(r.maxAxis < 1, `${name}: max ${r.maxAxis}`);
    row(name, r);
  }
  const native = roundTrip(
    { sigma: 1, mode: "official", seed: 12 },
    (hm, shape) => decodeQuarterOffset(hm, { shape, frame: "native" }).landmarks,
  );
  ok(Math.abs(native.bias) < 0.03, `native bias ${native.bias}`);
  ok(native.maxAxis <= 0.5, `native max ${native.maxAxis}`);
  ok(Math.abs(native.meanAxis - 0.25) < 0.02, `native mean/axis ${native.meanAxis}`);
  row("quarter fan, native frame", native);
  console.log(
    `\nOfficial targets (sigma 1), 392 random landmarks >= 8 px from the border:\n${
      rows.join("\n")
    }`,
  );
});

Deno.test("official pair: FAN targets decode (native frame, x 4) to the cell centre", () => {
  const shape: Shape = [1, 2, 64, 64];
  const image = new Float32Array([130.9, 101.3, 128, 128]);
  const hm = toHeatmapCoords(image, { stride: 4, convention: "msra" });
  const { heatmaps } = gaussianHeatmaps(hm, { shape, mode: "official" });
  const { landmarks } = decodeQuarterOffset(heatmaps, { shape, frame: "native" });
  deepEqual(Array.from(landmarks, (v) => v * 4), [130, 102, 130, 130]);
  const centre = decodeQuarterOffset(heatmaps, { shape }).landmarks;
  deepEqual(Array.from(centre), [32, 25, 32, 32]);
});

Deno.test("DARK: no refinement at the border or on an all-zero channel; confidence is the max", () => {
  const shape: Shape = [1, 3, 16, 16];
  const hm = new Float32Array(3 * 256);
  hm[1 * 16 + 8] = 1; // row 1: too close to the border
  hm[256 + 8 * 16 + 8] = 1;
  hm[256 + 8 * 16 + 9] = 0.5;
  const { landmarks, confidence } = decodeDark(hm, { shape });
  deepEqual(Array.from(landmarks.subarray(0, 2)), [8, 1]);
  ok(at(landmarks, 2) > 8 && at(landmarks, 2) < 9);
  deepEqual(Array.from(landmarks.subarray(4, 6)), [0, 0]);
  deepEqual(Array.from(confidence), [1, 1, 0]);
});

/**
 * mmpose's `refine_keypoints_dark` on one channel with its maximum at (x, y), in float64:
 * `gaussian_blur` (zero padding, then times max / blurred max, whatever their signs), the
 * clamp to 1e-10, the log and one Taylor step (skipped only when the determinant is 0).
 */
function mmposeDark(hm: Float32Array, h: number, w: number, x: number, y: number): number[] {
  const kern = [1, 4, 6, 4, 1].map((v) => v / 16); // cv2.getGaussianKernel(5, 0)
  const blur = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      for (let a = -2; a <= 2; a++) {
        for (let b = -2; b <= 2; b++) {
          const ii = i + a, jj = j + b;
          if (ii >= 0 && ii < h && jj >= 0 && jj < w) {
            blur[i * w + j]! += kern[a + 2]! * kern[b + 2]! * at(hm, ii * w + jj);
          }
        }
      }
    }
  }
  const scale = Math.max(...hm) / Math.max(...blur);
  // np.maximum and np.log propagate NaN as Math.max and Math.log do
  const D = (di: number, dj: number): number =>
    Math.log(Math.max(at(blur, (y + di) * w + x + dj) * scale, 1e-10));
  const dx = 0.5 * (D(0, 1) - D(0, -1)), dy = 0.5 * (D(1, 0) - D(-1, 0));
  const dxx = 0.25 * (D(0, 2) - 2 * D(0, 0) + D(0, -2));
  const dyy = 0.25 * (D(2, 0) - 2 * D(0, 0) + D(-2, 0));
  const dxy = 0.25 * (D(1, 1) - D(-1, 1) - D(1, -1) + D(-1, -1));
  const det = dxx * dyy - dxy * dxy;
  if (det === 0) return [x, y];
  return [x - (dyy * dx - dxy * dy) / det, y - (dxx * dy - dxy * dx) / det];
}

Deno.test("DARK keeps the argmax when the blurred maximum is <= 0 (mmpose: a meaningless step)", () => {
  const h = 12, w = 12;
  // (a) background -0.5, a spike with a lower right neighbour: every blurred value is < 0
  const negative = new Float32Array(h * w).fill(-0.5);
  negative[5 * w + 5] = 1;
  negative[5 * w + 6] = 0.9;
  // (b) zeros around a small patch (found by search) whose blurred maximum is exactly 0,
  // reached at a pixel of the Taylor stencil around the maximum (column 7, row 5)
  const zero = new Float32Array(h * w);
  const patch = [[-3, -2, -2, -1], [-3, -2, 0, 1], [0, -3, -2, 0], [-2, 0, -3, -2]];
  patch.forEach((row, i) => row.forEach((v, j) => zero[(4 + i) * w + 4 + j] = v));
  const shape: Shape = [1, 2, h, w];
  const both = new Float32Array(2 * h * w);
  both.set(negative);
  both.set(zero, h * w);
  const { landmarks, confidence } = decodeDark(both, { shape });
  deepEqual(Array.from(landmarks), [5, 5, 7, 5]);
  deepEqual(Array.from(confidence), [1, 1]);
  const ref = decodeReference(both, shape, { method: "dark" });
  deepEqual(Array.from(ref.landmarks), [5, 5, 7, 5]);
  // what mmpose (and DarkPose, whose blur and step it copies) returns instead
  const [mx, my] = mmposeDark(negative, h, w, 5, 5) as [number, number];
  ok(Number.isFinite(mx) && Number.isFinite(my), `mmpose, negative: ${mx}, ${my}`);
  ok(Math.hypot(mx - 5, my - 5) > 0.1, `mmpose, negative: ${mx}, ${my}`);
  const [zx, zy] = mmposeDark(zero, h, w, 7, 5) as [number, number];
  ok(Number.isNaN(zx) && Number.isNaN(zy), `mmpose, zero: ${zx}, ${zy}`);
  console.log(
    `\nmmpose's DARK step there: (${mx.toFixed(4)}, ${my.toFixed(4)}) and (${zx}, ${zy})`,
  );
});

Deno.test("decoders survive WASM memory growth and fill caller buffers", () => {
  const shape: Shape = [2, 5, 20, 24];
  const hm = randomHeatmaps(shape, 9);
  const before = decodeDark(hm, { shape }).landmarks;
  wasm().memory.grow(1);
  const landmarks = new Float32Array(20), confidence = new Float32Array(10);
  const res = decodeDark(hm, { shape, out: { landmarks, confidence } });
  equal(res.landmarks, landmarks);
  equal(res.confidence, confidence);
  deepEqual(landmarks, before);
});

Deno.test("decoders reject NaN, infinities, wrong shapes and bad options", () => {
  const shape: Shape = [1, 2, 8, 8];
  const hm = new Float32Array(128);
  hm[77] = NaN;
  for (
    const f of [
      () => decodeArgmax(hm, { shape }),
      () => decodeQuarterOffset(hm, { shape }),
      () => decodeDark(hm, { shape }),
      () => decodeSoftArgmax(hm, { shape }),
    ]
  ) {
    throws(
      f,
      (e: Error) =>
        e instanceof RangeError &&
        e.message === `Cannot decode heatmaps: "heatmaps" has a NaN at index 77`,
    );
  }
  hm[77] = -Infinity;
  throws(() => decodeArgmax(hm, { shape }), /an infinite value at index 77/);
  // in the scalar tail of a 9 x 9 channel (81 = one block of 64 + 17), and +inf in a block
  const odd: Shape = [1, 3, 9, 9];
  for (const [at, v, what] of [[81 + 75, NaN, "a NaN"], [162 + 3, Infinity, "an infinite value"]]) {
    const t = new Float32Array(243);
    t[at as number] = v as number;
    for (
      const f of [
        () => decodeArgmax(t, { shape: odd }),
        () => decodeDark(t, { shape: odd }),
        () => decodeSoftArgmax(t, { shape: odd }),
      ]
    ) {
      throws(f, new RegExp(`"heatmaps" has ${what} at index ${at}$`));
    }
  }
  const ok8 = new Float32Array(128);
  throws(
    () => decodeArgmax(new Float32Array(127), { shape }),
    (e: Error) => e instanceof TypeError && /"heatmaps" has 127 elements/.test(e.message),
  );
  throws(() => decodeArgmax(ok8, undefined as unknown as { shape: Shape }), TypeError);
  throws(() => decodeArgmax(ok8, { shape: [1, 2, 8, 0] }), RangeError);
  throws(() => decodeArgmax(Array.from(ok8) as unknown as Float32Array, { shape }), TypeError);
  throws(() => decodeArgmax(ok8, { shape, out: { landmarks: new Float32Array(3) } }), TypeError);
  throws(() => decodeArgmax(ok8, { shape, out: { confidence: new Float32Array(3) } }), TypeError);
  throws(() => decodeQuarterOffset(ok8, { shape, convention: "hrnet" as "fan" }), TypeError);
  throws(() => decodeQuarterOffset(ok8, { shape, frame: "cell" as "native" }), TypeError);
  throws(() => decodeDark(ok8, { shape, sigma: 0 }), RangeError);
  throws(() => decodeDark(ok8, { shape, kernelSize: 4 }), RangeError);
  throws(() => decodeDark(ok8, { shape, kernelSize: 1 }), RangeError);
  throws(() => decodeSoftArgmax(ok8, { shape, beta: 0 }), RangeError);
  throws(() => decodeSoftArgmax(ok8, { shape, normalize: "l1" as "linear" }), TypeError);
  throws(
    () => decodeSoftArgmax(ok8, { shape, normalize: "linear" }),
    /channel 0 has no positive weight/,
  );
});
