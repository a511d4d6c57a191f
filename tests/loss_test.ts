import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  awingLoss,
  type LossOptions,
  type LossResult,
  softWingLoss,
  weightMap,
  wingLoss,
} from "../src/loss/mod.ts";
import {
  awingConstants,
  awingPixel,
  baselinePixel,
  lossReference,
  weightMapReference,
} from "../src/reference/mod.ts";
import type { Shape4 } from "../src/types.ts";
import { heatmapPair } from "./_random.ts";
import { wasm } from "../src/_wasm.ts";
import { assertClose, at } from "./_assert.ts";
import { KINDS } from "./_losses.ts";
import { ODD_SHAPES } from "./_shapes.ts";

function compare(
  kind: (typeof KINDS)[number],
  shape: Shape4,
  options: Partial<LossOptions>,
  seed: number,
): void {
  const size = shape[0] * shape[1] * shape[2] * shape[3];
  const { pred, target } = heatmapPair(size, seed);
  for (const reduction of ["mean", "sum", "none"] as const) {
    const got = kind.run(pred, target, { ...options, shape, reduction });
    const ref = lossReference(pred, target, { ...options, shape, reduction, loss: kind.ref });
    const what = `${kind.name} ${JSON.stringify(shape)} ${reduction}`;
    const relLoss = Math.abs(got.loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-30);
    ok(relLoss <= 1e-5, `${what}: loss ${got.loss} vs reference ${ref.loss}`);
    const gscale = reduction === "mean" ? 1 / size : 1;
    // absolute floor: 1e-4 of the largest gradient in the batch ("absolute where tiny")
    assertClose(got.grad!, ref.grad, 1e-4, 1e-6 * gscale, `${what} grad`);
    if (reduction === "none") assertClose(got.lossMap!, ref.lossMap, 1e-4, 1e-6, `${what} loss`);
    else equal(got.lossMap, undefined);
  }
}

Deno.test("losses match the f64 reference for every length n = 1..33 and a large odd n", () => {
  for (const kind of KINDS) {
    for (let n = 1; n <= 33; n++) compare(kind, [1, 1, 1, n], {}, n);
    compare(kind, [1, 1, 1, 100_003], {}, 99);
  }
});

Deno.test("losses with the weight map match the reference when H*W is not a multiple of 4", () => {
  for (const kind of KINDS) {
    for (const [i, shape] of ODD_SHAPES.entries()) {
      compare(kind, shape, { mapWeight: 10 }, 100 + i);
      compare(kind, shape, { mapWeight: 3, mapThreshold: 0.05 }, 200 + i);
    }
  }
});

Deno.test("losses match the reference across chunks: many channels and one huge channel", () => {
  const awing = at(KINDS, 0);
  compare(awing, [3, 29, 64, 64], {}, 7);
  compare(awing, [1, 2, 301, 257], {}, 8);
});

Deno.test("per-landmark weights multiply each channel's loss and gradient", () => {
  const shape: Shape4 = [2, 3, 8, 9];
  const landmarkWeights = new Float32Array([1, 0, 2.5, 0.5, 1, 0]);
  for (const kind of KINDS) compare(kind, shape, { landmarkWeights, mapWeight: 10 }, 300);
  // a weight of 0 drops the channel entirely
  const { pred, target } = heatmapPair(2 * 3 * 72, 301);
  const { grad } = awingLoss(pred, target, { shape, landmarkWeights });
  ok(grad!.subarray(72, 144).every((g) => g === 0));
  ok(grad!.subarray(0, 72).some((g) => g !== 0));
});

Deno.test("fixtures: mmpose's AWing(0, 1) = 8.495946 and the paper's A(y), C(y)", () => {
  const one = (y: number, p: number): number =>
    awingLoss(new Float32Array([p]), new Float32Array([y]), { shape: [1, 1, 1, 1], mapWeight: 0 })
      .loss;
  ok(Math.abs(one(0, 1) - 8.495946) < 5e-6);
  const fixtures: [number, number, number][] = [
    [0, 0.01, 0.000883],
    [0, 0.1, 0.110767],
    [0, 0.25, 0.741731],
    [0, 0.5, 2.935235],
    [1, 1.01, 0.088057],
    [1, 1.1, 1.0701],
    [1, 1.25, 2.756777],
    [1, 1.5, 5.360458],
    [1, 2, 10.259383],
  ];
  for (const [y, p, want] of fixtures) {
    ok(Math.abs(one(y, p) - want) <= 1e-6 + 2e-6 * want, `AWing(${y}, ${p}) = ${one(y, p)}`);
  }
  const constants: [number, number, number][] = [
    [0, 11.121422, 2.625476],
    [0.5, 11.112673, 1.565127],
    [1, 9.79785, -0.461533],
  ];
  for (const [y, a, c] of constants) {
    const { A, C } = awingConstants(y);
    ok(Math.abs(A - a) < 1e-6 && Math.abs(C - c) < 1e-6, `A(${y}) = ${A}, C(${y}) = ${C}`);
    // the fused kernel's linear-branch slope is A(y): gradient beyond theta
    const { grad } = awingLoss(new Float32Array([y + 0.75]), new Float32Array([y]), {
      shape: [1, 1, 1, 1],
      mapWeight: 0,
      reduction: "sum",
    });
    const slope = at(grad!, 0);
    ok(Math.abs(slope - a) < 2e-5, `slope ${slope} vs A(${y}) = ${a}`);
  }
});

Deno.test("the gradient agrees with central finite differences of the loss", () => {
  const h = 1e-6;
  for (let i = 0; i < 400; i++) {
    const y = (i % 20) / 19;
    const p = y + ((i * 0.618034) % 1) * 1.6 - 0.8;
    if (Math.abs(Math.abs(p - y) - 0.5) < 1e-3 || Math.abs(p - y) < 1e-3) continue;
    const fd = (awingPixel(p + h, y).loss - awingPixel(p - h, y).loss) / (2 * h);
    const analytic = awingPixel(p, y).grad;
    ok(Math.abs(fd - analytic) <= 1e-6 * Math.max(1, Math.abs(analytic)), `y=${y} p=${p}`);
    const wasm = at(
      awingLoss(new Float32Array([p]), new Float32Array([y]), {
        shape: [1, 1, 1, 1],
        mapWeight: 0,
        reduction: "sum",
      }).grad!,
      0,
    );
    ok(Math.abs(wasm - fd) <= 1e-4 * Math.abs(fd) + 1e-6, `WASM y=${y} p=${p}: ${wasm} vs ${fd}`);
  }
});

Deno.test("value and slope are continuous at |y - p| = theta", () => {
  for (const y of [0, 0.25, 0.5, 0.75, 1]) {
    const lo = awingPixel(y + 0.5 - 1e-9, y), hi = awingPixel(y + 0.5, y);
    ok(Math.abs(lo.loss - hi.loss) < 1e-7, `value at y=${y}`);
    ok(Math.abs(lo.grad - hi.grad) < 1e-6, `slope at y=${y}`);
    const run = (p: number): LossResult =>
      awingLoss(new Float32Array([p]), new Float32Array([y]), {
        shape: [1, 1, 1, 1],
        mapWeight: 0,
        reduction: "sum",
      });
    const a = run(Math.fround(y + 0.5) - 1e-6), b = run(Math.fround(y + 0.5) + 1e-6);
    ok(Math.abs(a.loss - b.loss) < 1e-4 && Math.abs(at(a.grad!, 0) - at(b.grad!, 0)) < 1e-3);
  }
});

Deno.test("the gradient vanishes as the prediction reaches the target, with sign symmetry", () => {
  for (let k = 0; k <= 10; k++) {
    const y = k / 10;
    const errors = [1e-1, 1e-2, 1e-3, 1e-4];
    const target = new Float32Array(2 * errors.length + 1).fill(y);
    const pred = new Float32Array(target.length);
    errors.forEach((d, i) => {
      pred[2 * i] = y + d;
      pred[2 * i + 1] = y - d;
    });
    pred[target.length - 1] = y;
    const { grad, lossMap } = awingLoss(pred, target, {
      shape: [1, 1, 1, target.length],
      mapWeight: 0,
      reduction: "none",
    });
    const g = grad!, m = lossMap!;
    equal(g[target.length - 1], 0);
    ok(at(m, target.length - 1) < 1e-30);
    for (const [i, d] of errors.entries()) {
      const up = at(g, 2 * i), down = at(g, 2 * i + 1);
      ok(up > 0 && down < 0, `sign at y=${y}, d=${d}`);
      ok(Math.abs(up + down) <= 1e-3 * Math.abs(up), `symmetry at y=${y}, d=${d}`);
      const mUp = at(m, 2 * i), mDown = at(m, 2 * i + 1);
      ok(Math.abs(mUp - mDown) <= 1e-3 * mUp + 1e-12);
      const ref = awingPixel(y + d, y).grad;
      ok(Math.abs(up - ref) <= 1e-3 * ref + 1e-6, `y=${y} d=${d}: ${up} vs ${ref}`);
    }
    // below y = 0.7167 |grad| decreases monotonically towards 0 as the error shrinks
    if (y < 0.7) {
      for (let i = 1; i < errors.length; i++) ok(at(g, 2 * i) < at(g, 2 * i - 2));
    }
  }
});

Deno.test("weightMap matches the naive 3x3 reference", () => {
  for (
    const shape of [[1, 1, 1, 1], [1, 1, 1, 7], [1, 1, 6, 1], [2, 3, 7, 9], [
      1,
      2,
      64,
      64,
    ]] as Shape4[]
  ) {
    const size = shape[0] * shape[1] * shape[2] * shape[3];
    const { target } = heatmapPair(size, 5);
    for (const [mapWeight, mapThreshold] of [[10, 0.2], [0, 0.2], [3, 0.01]] as const) {
      const got = weightMap(target, { shape, mapWeight, mapThreshold });
      const ref = weightMapReference(target, shape, { mapWeight, mapThreshold });
      assertClose(got, ref, 0, 0, `weightMap ${JSON.stringify(shape)}`);
    }
  }
});

Deno.test("caller-provided outputs are used, and gradient: false computes the value alone", () => {
  const shape: Shape4 = [1, 2, 4, 5];
  const { pred, target } = heatmapPair(40, 9);
  const grad = new Float32Array(40), lossMap = new Float32Array(40);
  const r = awingLoss(pred, target, { shape, reduction: "none", out: { grad, lossMap } });
  ok(r.grad === grad && r.lossMap === lossMap);
  const v = awingLoss(pred, target, { shape, gradient: false });
  equal(v.grad, undefined);
  const m = awingLoss(pred, target, { shape });
  equal(v.loss, m.loss);
});

Deno.test("bad input throws clear errors", () => {
  const shape: Shape4 = [1, 1, 2, 2];
  const a = new Float32Array(4), b = new Float32Array(4);
  throws(
    () => awingLoss(a, new Float32Array(3), { shape }),
    { name: "TypeError", message: 'Cannot compute loss: "pred" has 4 elements but "target" has 3' },
  );
  throws(
    () => awingLoss(new Float32Array(5), new Float32Array(5), { shape }),
    {
      name: "TypeError",
      message: 'Cannot compute loss: "pred" has 5 elements but shape [1,1,2,2] has 4',
    },
  );
  throws(() => awingLoss(a, b, { shape: [1, 2, 2] as unknown as Shape4 }), TypeError);
  throws(() => awingLoss(a, b, { shape: [1, 1, 2.5, 2] }), TypeError);
  throws(() => awingLoss(a, b, {} as LossOptions), TypeError);
  throws(() => awingLoss(new Float32Array(0), new Float32Array(0), { shape: [1, 1, 0, 4] }), {
    name: "RangeError",
    message: /empty/,
  });
  throws(() => awingLoss(a, b, { shape, omega: 0 }), {
    name: "RangeError",
    message: "Cannot compute loss as omega must be > 0: current value is 0",
  });
  throws(() => awingLoss(a, b, { shape, epsilon: -1 }), RangeError);
  throws(() => awingLoss(a, b, { shape, theta: NaN }), RangeError);
  throws(() => awingLoss(a, b, { shape, mapWeight: -1 }), RangeError);
  throws(() => awingLoss(a, new Float32Array([0, 0, 1.2, 0]), { shape }), {
    name: "RangeError",
    message: /alpha must be > 1 \+ max\(target\) = 2\.2.*unbounded/,
  });
  throws(() => awingLoss(a, b, { shape, alpha: 0.9 }), RangeError);
  throws(() => awingLoss(new Float32Array([0, 0, NaN, 0]), b, { shape }), {
    name: "RangeError",
    message: 'Cannot compute loss: "pred" has a NaN at index 2',
  });
  throws(() => awingLoss(a, new Float32Array([0, -Infinity, 0, 0]), { shape }), {
    name: "RangeError",
    message: 'Cannot compute loss: "target" has an infinite value at index 1',
  });
  // validate: false skips the scan (for hot loops over clean data)
  const r = awingLoss(new Float32Array([0, 0, NaN, 0]), b, { shape, validate: false });
  ok(Number.isNaN(r.loss));
  throws(() => awingLoss(a, b, { shape, reduction: "avg" as "mean" }), TypeError);
  throws(() => awingLoss(a, b, { shape, landmarkWeights: new Float32Array(2) }), TypeError);
  throws(() => awingLoss(a, b, { shape, landmarkWeights: new Float32Array([-1]) }), RangeError);
  throws(() => awingLoss(a, b, { shape, out: { grad: new Float32Array(3) } }), TypeError);
  throws(() => awingLoss([0, 0, 0, 0] as unknown as Float32Array, b, { shape }), TypeError);
  throws(() => wingLoss(a, b, { shape, w: 0 }), RangeError);
  throws(() => softWingLoss(a, b, { shape, epsilon: 0 }), RangeError);
  throws(() => weightMap(new Float32Array(3), { shape }), TypeError);
});

Deno.test("a NaN or infinity anywhere is found, even in a channel of weight 0", () => {
  // AWing's kernel reads bad inputs from its sum (no per-pixel flag): check every kind of bad
  // value, in pred and in target, at block edges (1024 pixels), in the tail and in a channel
  // whose landmark weight is 0, for every loss and for theta = epsilon (log2 u = 0 at d = inf)
  const shape: Shape4 = [1, 2, 33, 37];
  const hw = 33 * 37;
  const { pred, target } = heatmapPair(2 * hw, 21);
  const where = [0, 3, 1023, 1024, 1027, hw - 1, hw + 5, 2 * hw - 1];
  const bad: [number, string][] = [[NaN, "a NaN"], [Infinity, "an infinite value"], [
    -Infinity,
    "an infinite value",
  ]];
  for (const { name, run } of KINDS) {
    for (const [value, what] of bad) {
      for (const at of where) {
        for (const array of ["pred", "target"] as const) {
          const p = pred.slice(), t = target.slice();
          (array === "pred" ? p : t)[at] = value;
          const zero = at < hw ? 0 : 1;
          const landmarkWeights = new Float32Array(2).fill(1);
          landmarkWeights[zero] = 0;
          for (const extra of [{}, { landmarkWeights }, { theta: 1, epsilon: 1 }]) {
            if (name !== "awing" && "theta" in extra) continue;
            throws(() => run(p, t, { shape, ...extra }), {
              name: "RangeError",
              message: `Cannot compute loss: "${array}" has ${what} at index ${at}`,
            }, `${name} ${value} in ${array} at ${at} ${JSON.stringify(extra)}`);
          }
        }
      }
    }
  }
});

Deno.test("results stay right after the WASM memory grows (views are re-derived)", () => {
  const shape: Shape4 = [2, 3, 17, 19];
  const { pred, target } = heatmapPair(2 * 3 * 17 * 19, 11);
  const before = awingLoss(pred, target, { shape, reduction: "none" });
  wasm().memory.grow(4); // detaches every view made before
  const after = awingLoss(pred, target, { shape, reduction: "none" });
  equal(after.loss, before.loss);
  assertClose(after.grad!, before.grad!, 0, 0, "grad after growth");
  assertClose(after.lossMap!, before.lossMap!, 0, 0, "loss after growth");
  // a batch that needs more memory than the arena has grows it in the middle of the session
  const big: Shape4 = [1, 1, 700, 700];
  const large = heatmapPair(700 * 700, 12);
  const ref = lossReference(large.pred, large.target, { shape: big });
  const got = awingLoss(large.pred, large.target, { shape: big });
  ok(Math.abs(got.loss - ref.loss) <= 1e-5 * ref.loss);
});

Deno.test("one vocabulary: weightMap takes mapWeight/mapThreshold, references take (pred, target)", () => {
  const shape: Shape4 = [1, 1, 3, 3];
  const target = new Float32Array(9);
  target[4] = 0.3;
  // the same options object drives the loss and the weight map
  const options = { shape, mapWeight: 3, mapThreshold: 0.25 };
  deepEqual(Array.from(weightMap(target, options)), new Array(9).fill(4));
  deepEqual(Array.from(weightMap(target, { ...options, mapThreshold: 0.3 })), new Array(9).fill(1));
  throws(() => weightMap(target, { shape, mapWeight: -1 }), {
    name: "RangeError",
    message: "Cannot compute weight map as mapWeight must be >= 0: current value is -1",
  });
  throws(() => weightMap(target, { shape, mapThreshold: NaN }), /mapThreshold must be finite/);
  const ref = weightMapReference(target, shape, { mapWeight: 3, mapThreshold: 0.25 });
  deepEqual(Array.from(ref), new Array(9).fill(4));
  // prediction first: AWing(y = 0, y_hat = 1) is mmpose's 8.4959, AWing(y = 1, y_hat = 0) is not
  ok(Math.abs(awingPixel(1, 0).loss - 8.495946) < 1e-6);
  ok(Math.abs(awingPixel(0, 1).loss - 10.259383) < 1e-6);
  ok(awingPixel(1, 0).grad > 0 && awingPixel(0, 1).grad < 0);
  equal(baselinePixel(3, 1, { kind: "mse" }).grad, 4);
  equal(baselinePixel(1, 3, { kind: "l1" }).grad, -1);
  // the batch reference agrees with the fast loss on the argument order
  const pred = new Float32Array([0.9, 0, 0, 0, 0.2, 0, 0, 0, 0]);
  const fast = awingLoss(pred, target, { shape, reduction: "sum", mapWeight: 0 });
  const slow = lossReference(pred, target, { shape, reduction: "sum", mapWeight: 0 });
  ok(Math.abs(fast.loss - slow.loss) <= 1e-5 * slow.loss);
});
