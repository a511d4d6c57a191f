// Channel-last batches: layout "nhwc" against the channel-first path (bit for bit per pixel)
// and against the float64 reference, with the transposes done here, in the test.
import { equal, ok, throws } from "node:assert/strict";
import { awingLoss, type LossOptions, weightMap } from "../src/loss/mod.ts";
import { lossReference } from "../src/reference/mod.ts";
import { resolveLossOptions } from "../src/loss/_options.ts";
import type { Shape4 } from "../src/types.ts";
import { assertClose, maxAbs } from "./_assert.ts";
import { heatmapPair, lossData, uniform } from "./_random.ts";
import { KINDS, type LossKind } from "./_losses.ts";
import { ODD_SHAPES } from "./_shapes.ts";

/** [N, K, H, W] data transposed to [N, H, W, K]. */
function toNhwc(a: ArrayLike<number>, [n, k, h, w]: Shape4): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          out[((i * h + y) * w + x) * k + c] = a[((i * k + c) * h + y) * w + x]!;
        }
      }
    }
  }
  return out;
}

/** Indices where two arrays differ bit for bit (NaN equal to NaN), at most a few. */
function bitDiff(a: Float32Array, b: Float32Array): number[] {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const diff: number[] = [];
  for (let i = 0; i < a.length && diff.length < 5; i++) if (ua[i] !== ub[i]) diff.push(i);
  return diff;
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** Every reduction of `kind` on `nchw`-shaped data, channel-first and channel-last. */
function compareLayouts(
  kind: LossKind,
  shape: Shape4,
  options: Partial<LossOptions>,
  seed: number,
): void {
  const [n, k, h, w] = shape;
  const size = n * k * h * w;
  const { pred, target } = lossData(size, seed);
  const lw = options.landmarkWeights;
  const pT = toNhwc(pred, shape), tT = toNhwc(target, shape);
  for (const reduction of ["mean", "sum", "none"] as const) {
    const what = `${kind.name} ${JSON.stringify(shape)} ${reduction} ${
      JSON.stringify({ ...options, landmarkWeights: lw ? "[...]" : undefined })
    }`;
    const first = kind.run(pred, target, { ...options, shape, reduction });
    const last = kind.run(pT, tT, { ...options, shape: [n, h, w, k], layout: "nhwc", reduction });
    ok(relErr(last.loss, first.loss) <= 1e-6, `${what}: ${last.loss} vs ${first.loss}`);
    equal(bitDiff(last.grad!, toNhwc(first.grad!, shape)).length, 0, `${what}: grad`);
    if (reduction === "none") {
      equal(bitDiff(last.lossMap!, toNhwc(first.lossMap!, shape)).length, 0, `${what}: lossMap`);
    } else equal(last.lossMap, undefined);
  }
}

const SHAPES: readonly Shape4[] = ODD_SHAPES;

Deno.test("nhwc equals nchw bit for bit per pixel, for every loss, reduction and odd size", () => {
  for (const kind of KINDS) {
    for (const [i, shape] of SHAPES.entries()) {
      compareLayouts(kind, shape, {}, 10 + i);
      compareLayouts(kind, shape, { mapWeight: 10 }, 20 + i);
      compareLayouts(kind, shape, { mapWeight: 3, mapThreshold: 0.05 }, 30 + i);
    }
  }
});

Deno.test("nhwc: landmark weights [N, K] vary along the innermost axis", () => {
  for (const kind of KINDS) {
    for (const [i, shape] of SHAPES.entries()) {
      const u = uniform(shape[0] * shape[1], 40 + i);
      // some zeros, some repeats (the kernel reuses a plane's weights when they repeat)
      const landmarkWeights = Float32Array.from(u, (v) => (v < 0.2 ? 0 : v < 0.4 ? 1 : 3 * v));
      compareLayouts(kind, shape, { landmarkWeights }, 50 + i);
      compareLayouts(kind, shape, { landmarkWeights, mapWeight: 0 }, 60 + i);
      compareLayouts(kind, shape, { landmarkWeights, mapWeight: 7 }, 70 + i);
    }
  }
});

Deno.test("nhwc: large batches in pieces (many images, bands of rows with a halo)", () => {
  const awing = KINDS[0]!, mse = KINDS[3]!;
  const landmarkWeights = Float32Array.from(uniform(3 * 68, 80), (v) => 0.5 + v);
  // many small images per piece, and a partial last piece
  compareLayouts(awing, [53, 3, 5, 7], {}, 81);
  // an image larger than a piece: bands of rows, halo rows above and below, a short last band
  compareLayouts(awing, [3, 68, 64, 64], { landmarkWeights }, 82);
  compareLayouts(mse, [1, 3, 301, 257], { mapWeight: 10 }, 83);
  compareLayouts(awing, [2, 1, 301, 257], { mapWeight: 4, mapThreshold: 0.01 }, 84);
  // fewer rows than a band, and one row, of a very wide image
  compareLayouts(awing, [2, 5, 3, 5000], {}, 85);
  compareLayouts(mse, [2, 4, 1, 9000], { mapWeight: 10 }, 86);
});

Deno.test("nhwc matches the float64 reference (transposed in the test)", () => {
  const shapes: Shape4[] = [[2, 5, 7, 9], [1, 3, 1, 13], [2, 68, 20, 18], [1, 2, 301, 257]];
  for (const kind of KINDS) {
    for (const [i, shape] of shapes.entries()) {
      const [n, k, h, w] = shape;
      const size = n * k * h * w;
      const { pred, target } = heatmapPair(size, 90 + i);
      const landmarkWeights = Float32Array.from(uniform(n * k, 95 + i), (v) => 2 * v);
      for (const extra of [{}, { landmarkWeights, mapWeight: 10 }]) {
        for (const reduction of ["mean", "sum", "none"] as const) {
          const got = kind.run(toNhwc(pred, shape), toNhwc(target, shape), {
            ...extra,
            shape: [n, h, w, k],
            layout: "nhwc",
            reduction,
          });
          const ref = lossReference(pred, target, { ...extra, shape, reduction, loss: kind.ref });
          const what = `${kind.name} ${JSON.stringify(shape)} ${reduction}`;
          ok(relErr(got.loss, ref.loss) <= 1e-5, `${what}: ${got.loss} vs ${ref.loss}`);
          const refGrad = toNhwc(ref.grad, shape);
          assertClose(got.grad!, refGrad, 1e-4, 1e-4 * maxAbs(refGrad), `${what} grad`);
          if (reduction === "none") {
            assertClose(got.lossMap!, toNhwc(ref.lossMap, shape), 1e-4, 1e-6, `${what} loss`);
          }
        }
      }
    }
  }
});

Deno.test("weightMap: nhwc equals the transposed nchw map", () => {
  const shapes: Shape4[] = [...SHAPES, [2, 3, 301, 257], [1, 5, 2, 4000]];
  for (const [i, shape] of shapes.entries()) {
    const [n, k, h, w] = shape;
    const { target } = heatmapPair(n * k * h * w, 100 + i);
    for (const [mapWeight, mapThreshold] of [[10, 0.2], [0, 0.2], [3, 0.01]] as const) {
      const first = weightMap(target, { shape, mapWeight, mapThreshold });
      const last = weightMap(toNhwc(target, shape), {
        shape: [n, h, w, k],
        layout: "nhwc",
        mapWeight,
        mapThreshold,
      });
      const what = `${JSON.stringify(shape)} ${mapWeight}`;
      equal(bitDiff(last, toNhwc(first, shape)).length, 0, what);
    }
  }
});

Deno.test("nhwc: the dilation stays inside each landmark's channel", () => {
  // one hot pixel in channel 1 of a 5x5 map with K = 3: channels 0 and 2 stay at weight 1
  const [h, w, k] = [5, 5, 3];
  const target = new Float32Array(h * w * k);
  target[(2 * w + 2) * k + 1] = 1;
  const map = weightMap(target, { shape: [1, h, w, k], layout: "nhwc" });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = Math.abs(y - 2) <= 1 && Math.abs(x - 2) <= 1;
      equal(map[(y * w + x) * k + 0], 1);
      equal(map[(y * w + x) * k + 1], inside ? 11 : 1, `(${y}, ${x})`);
      equal(map[(y * w + x) * k + 2], 1);
    }
  }
});

Deno.test("nhwc: bad values are found at their index, in any band, and the options checked", () => {
  const shape: Shape4 = [2, 301, 257, 3];
  const size = 2 * 301 * 257 * 3;
  const { pred, target } = heatmapPair(size, 110);
  for (const at of [0, 257 * 3 * 21 - 1, 257 * 3 * 21, 257 * 3 * 150 + 2, size - 1]) {
    for (const array of ["pred", "target"] as const) {
      const p = pred.slice(), t = target.slice();
      (array === "pred" ? p : t)[at] = NaN;
      throws(() => awingLoss(p, t, { shape, layout: "nhwc" }), {
        name: "RangeError",
        message: `Cannot compute loss: "${array}" has a NaN at index ${at}`,
      });
    }
    const t = target.slice();
    t[at] = 1.5;
    throws(() => awingLoss(pred, t, { shape, layout: "nhwc" }), {
      name: "RangeError",
      message: /alpha must be > 1 \+ max\(target\) = 2\.5/,
    });
  }
  const a = new Float32Array(12);
  throws(() => awingLoss(a, a.slice(), { shape: [1, 2, 2, 3], layout: "NHWC" as "nhwc" }), {
    name: "TypeError",
    message: 'Cannot compute loss: "layout" must be "nchw" or "nhwc" but it is "NHWC"',
  });
  throws(() => awingLoss(a, a.slice(), { shape: [1, 2, 2] as unknown as Shape4, layout: "nhwc" }), {
    name: "TypeError",
    message: 'Cannot compute loss: "shape" must be [N, H, W, K] but it is [1,2,2]',
  });
  // landmark weights are [N, K] = [1, 3] whatever the layout
  throws(
    () =>
      awingLoss(a, a.slice(), {
        shape: [1, 2, 2, 3],
        layout: "nhwc",
        landmarkWeights: new Float32Array(2),
      }),
    {
      name: "TypeError",
      message: 'Cannot compute loss: "landmarkWeights" has 2 elements but [N, K] = [1, 3] has 3',
    },
  );
  throws(() => weightMap(a, { shape: [1, 2, 2, 3], layout: "hwc" as "nhwc" }), TypeError);
});

Deno.test("the CUDA backend's option path rejects nhwc with a clear error", () => {
  throws(() => resolveLossOptions({ layout: "nhwc" }, 1, 1, 10), {
    name: "TypeError",
    message:
      'Cannot compute loss: layout "nhwc" is not supported by the CUDA backend yet: pass "nchw"',
  });
  equal(resolveLossOptions({ layout: "nchw" }, 1, 1, 10).layout, "nchw");
  equal(resolveLossOptions({}, 1, 1, 10).layout, "nchw");
  equal(resolveLossOptions({ layout: "nhwc" }, 1, 1, 10, true).layout, "nhwc");
});
