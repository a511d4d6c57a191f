// Every branch of every loss is reached, on both sides of zero error, in the SIMD body and in
// the tail (lengths not multiples of 4): large errors and small w / theta. The WASM core
// (through the public API) and the CUDA host entry point are compared with the float64
// reference pixel by pixel, their gradients with finite differences of their own losses, and
// the reference's gradients with finite differences of the reference.
import { equal, ok } from "node:assert/strict";
import { awingLoss, l1Loss, mseLoss, softWingLoss, wingLoss } from "../src/loss/mod.ts";
import { lossReference, type LossReferenceOptions } from "../src/reference/mod.ts";
import { hostAwing } from "./_cuda_host.ts";
import { closeCuda } from "../src/gpu/mod.ts";
import { at } from "./_assert.ts";
import { cudaTestStatus } from "./_gpu.ts";
import { eachPixel, type LossFn, near } from "./_pixels.ts";

type RefLoss = NonNullable<LossReferenceOptions["loss"]>;

/** One loss with one parameter set, and error magnitudes for each of its branches. */
interface Config {
  name: string;
  ref: RefLoss;
  run: LossFn;
  /** Where the inner branch ends (|e| < edge), Infinity for single-branch losses. */
  edge: number;
  /** Error magnitudes inside and outside the edge (none at it: see boundaries_test.ts). */
  inner: number[];
  outer: number[];
  /** Relative tolerance of values and gradients against the reference. */
  tol: number;
  /** AWing only: its parameters, for the CUDA host entry point. */
  awing?: { alpha: number; omega: number; epsilon: number; theta: number };
}

// parameters exact in float32, so that the core and the reference use the same values
const AWING_DEFAULT = { alpha: 2.1, omega: 14, epsilon: 1, theta: 0.5 };
const AWING_SMALL = { alpha: 2.1, omega: 14, epsilon: 0.25, theta: 0.125 };
const WING_SMALL = { w: 0.5, epsilon: 0.25 };
const SOFT_SMALL = { w1: 0.25, w2: 2, epsilon: 0.125 };

const CONFIGS: Config[] = [
  {
    name: "awing",
    ref: { kind: "awing" },
    run: awingLoss,
    edge: 0.5,
    inner: [1e-3, 0.1, 0.3, 0.49],
    outer: [0.51, 1, 3, 30],
    tol: 2e-6,
    awing: AWING_DEFAULT,
  },
  {
    name: "awing (theta 0.125, epsilon 0.25)",
    ref: { kind: "awing", ...AWING_SMALL },
    run: (p, t, o) => awingLoss(p, t, { ...o, ...AWING_SMALL }),
    edge: 0.125,
    inner: [1e-3, 0.05, 0.12],
    outer: [0.13, 0.7, 5],
    tol: 2e-6,
    awing: AWING_SMALL,
  },
  {
    name: "wing",
    ref: { kind: "wing" },
    run: wingLoss,
    edge: 10,
    inner: [0.01, 1, 9.5],
    outer: [10.5, 25, 1000],
    tol: 2e-6,
  },
  {
    name: "wing (w 0.5, epsilon 0.25)",
    ref: { kind: "wing", ...WING_SMALL },
    run: (p, t, o) => wingLoss(p, t, { ...o, ...WING_SMALL }),
    edge: 0.5,
    inner: [0.01, 0.3, 0.49],
    outer: [0.51, 1.5, 7],
    tol: 2e-6,
  },
  {
    name: "soft-wing",
    ref: { kind: "soft-wing" },
    run: softWingLoss,
    edge: 2,
    inner: [0.01, 1, 1.99],
    outer: [2.01, 5, 500],
    tol: 2e-6,
  },
  {
    name: "soft-wing (w1 0.25, w2 2, epsilon 0.125)",
    ref: { kind: "soft-wing", ...SOFT_SMALL },
    run: (p, t, o) => softWingLoss(p, t, { ...o, ...SOFT_SMALL }),
    edge: 0.25,
    inner: [0.01, 0.2, 0.24],
    outer: [0.3, 1, 6],
    tol: 2e-6,
  },
  {
    name: "mse",
    ref: { kind: "mse" },
    run: mseLoss,
    edge: Infinity,
    inner: [0.01, 0.5, 3, 100],
    outer: [],
    tol: 1e-7,
  },
  {
    name: "l1",
    ref: { kind: "l1" },
    run: l1Loss,
    edge: Infinity,
    inner: [0.01, 0.5, 3, 100],
    outer: [],
    tol: 1e-7,
  },
];

const TARGETS = [0, 0.3, 1];

/**
 * The test pixels of a config: every target with every error magnitude, both signs, and exact
 * zero error; padded to a length of 4 m + 3, so that the last three pixels are a tail.
 */
function pixels(c: Config): { pred: Float32Array; target: Float32Array } {
  const p: number[] = [], t: number[] = [];
  for (const y of TARGETS) {
    for (const d of [0, ...c.inner, ...c.outer]) {
      for (const s of d === 0 ? [1] : [1, -1]) {
        t.push(y);
        p.push(y + s * d);
      }
    }
  }
  while (p.length % 4 !== 3) {
    t.push(0.5);
    p.push(0.5);
  }
  return { pred: Float32Array.from(p), target: Float32Array.from(t) };
}

/** The branch and the side of zero error of a pixel, e.g. "outer-". */
function branchOf(c: Config, pred: number, target: number): string {
  const e = pred - target;
  const side = e > 0 ? "+" : e < 0 ? "-" : "0";
  return (Math.abs(e) < c.edge ? "inner" : "outer") + side;
}

/** Central differences of per-pixel losses: a step of about 2^-12 of the pixel's scale. */
function fdSteps(pred: Float32Array): { plus: Float32Array; minus: Float32Array } {
  const plus = new Float32Array(pred.length), minus = new Float32Array(pred.length);
  for (let i = 0; i < pred.length; i++) {
    const p = at(pred, i);
    const h = 2 ** (Math.floor(Math.log2(Math.max(1, Math.abs(p)))) - 12);
    plus[i] = p + h;
    minus[i] = p - h;
  }
  return { plus, minus };
}

for (const c of CONFIGS) {
  Deno.test(`${c.name}: every branch on both sides of zero error, SIMD body and tail, matches the reference`, () => {
    const { pred, target } = pixels(c);
    const body = new Set<string>(), tail = new Set<string>();
    for (const px of eachPixel(c.name, c.run, c.ref, pred, target, c.tol)) {
      (px.tail ? tail : body).add(branchOf(c, px.p, px.y));
    }
    const want = c.outer.length > 0
      ? ["inner+", "inner-", "inner0", "outer+", "outer-"]
      : ["inner+", "inner-", "inner0"];
    equal([...body].sort().join(), want.join(), "branches reached in the SIMD body");
    equal([...tail].sort().join(), want.join(), "branches reached in the tail");
  });

  Deno.test(`${c.name}: gradients agree with finite differences in every branch`, () => {
    const { pred, target } = pixels(c);
    const n = pred.length;
    const shape = [1, 1, 1, n] as const;
    const options = { shape, mapWeight: 0, reduction: "none" } as const;
    // the reference against its own float64 differences (steps exact in float64)
    const h = 1e-7;
    const p64 = Float64Array.from(pred);
    const ref = lossReference(p64, target, { ...options, loss: c.ref });
    const refP = lossReference(p64.map((p) => p + h), target, { ...options, loss: c.ref });
    const refM = lossReference(p64.map((p) => p - h), target, { ...options, loss: c.ref });
    for (let i = 0; i < n; i++) {
      const fd = (at(refP.lossMap, i) - at(refM.lossMap, i)) / (2 * h);
      const what = `${c.name} reference y=${at(target, i)} p=${at(pred, i)}`;
      ok(Math.abs(fd - at(ref.grad, i)) <= 1e-5 * Math.max(1, Math.abs(fd)), `${what}: ${fd}`);
    }
    // the core against differences of its own float32 losses
    const { plus, minus } = fdSteps(pred);
    const gPlus = c.run(plus, target, options).lossMap!;
    const gMinus = c.run(minus, target, options).lossMap!;
    const grad = c.run(pred, target, options).grad!;
    for (let i = 0; i < n; i++) {
      const fd = (at(gPlus, i) - at(gMinus, i)) / (at(plus, i) - at(minus, i));
      const what = `${c.name} WASM y=${at(target, i)} p=${at(pred, i)}`;
      ok(
        Math.abs(fd - at(grad, i)) <= 2e-3 * Math.max(1, Math.abs(fd)),
        `${what}: ${at(grad, i)} vs ${fd}`,
      );
    }
  });
}

const { haveLib, noLib } = cudaTestStatus();

for (const c of CONFIGS) {
  const params = c.awing;
  if (params === undefined) continue;
  Deno.test({
    name:
      `${c.name}: awl_host_awing reaches every branch, matches the reference and finite differences${noLib}`,
    ignore: !haveLib,
    fn(): void {
      try {
        const { pred, target } = pixels(c);
        const n = pred.length;
        const shape = [1, 1, 1, n] as const;
        const host = (p: Float32Array): { grad: Float32Array; lossMap: Float32Array } => {
          const grad = new Float32Array(n), lossMap = new Float32Array(n);
          hostAwing(p, target, { shape, ...params, mapWeight: 0, grad, lossMap, gradScale: 1 });
          return { grad, lossMap };
        };
        const got = host(pred);
        const ref = lossReference(pred, target, {
          shape,
          loss: c.ref,
          mapWeight: 0,
          reduction: "none",
        });
        const reached = new Set<string>();
        for (let i = 0; i < n; i++) {
          const b = branchOf(c, at(pred, i), at(target, i));
          reached.add(b);
          const what = `${c.name} host ${b} y=${at(target, i)} p=${at(pred, i)}`;
          near(at(got.lossMap, i), at(ref.lossMap, i), c.tol, `${what} loss`);
          near(at(got.grad, i), at(ref.grad, i), c.tol, `${what} grad`);
        }
        equal([...reached].sort().join(), "inner+,inner-,inner0,outer+,outer-");
        const { plus, minus } = fdSteps(pred);
        const lPlus = host(plus).lossMap, lMinus = host(minus).lossMap;
        for (let i = 0; i < n; i++) {
          const fd = (at(lPlus, i) - at(lMinus, i)) / (at(plus, i) - at(minus, i));
          ok(
            Math.abs(fd - at(got.grad, i)) <= 2e-3 * Math.max(1, Math.abs(fd)),
            `${c.name} host y=${at(target, i)} p=${at(pred, i)}: ${at(got.grad, i)} vs ${fd}`,
          );
        }
      } finally {
        closeCuda();
      }
    },
  });
}
