// The experiment's statistics: convergence of a validation curve, the paired bootstrap, the
// learning-rate sweep's choice and the summaries, against direct computations.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  checkConvergence,
  chooseLearningRate,
  pairedBootstrap,
  summarizeRuns,
} from "../src/train/mod.ts";
import { rng } from "./_random.ts";

const curve = (values: number[]): [number, number][] => values.map((v, i) => [100 * (i + 1), v]);

Deno.test("checkConvergence compares the best of the last 20% of the steps with the best before", () => {
  // 10 points: steps 900 and 1000 are the tail (after step 800)
  const c = checkConvergence(curve([0.9, 0.5, 0.3, 0.2, 0.15, 0.12, 0.1, 0.1, 0.095, 0.08]));
  equal(c.bestBefore, 0.1);
  equal(c.bestTail, 0.08);
  ok(Math.abs(c.improvement - 0.2) < 1e-12);
  equal(c.flattened, false);
  equal(c.plateau, false);
  // 9% better in the tail: flat; a worse tail is flat too
  equal(
    checkConvergence(curve([0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.091, 0.092])).flattened,
    true,
  );
  equal(
    checkConvergence(curve([0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3])).flattened,
    true,
  );
  // the option changes the threshold
  equal(
    checkConvergence(curve([0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.091, 0.1]), {
      tolerance: 0.05,
    }).flattened,
    false,
  );
  // a run on the plateau is flat and reported as such
  const stuck = checkConvergence(curve([0.8, 0.7, 0.72, 0.69, 0.7, 0.71, 0.7, 0.7, 0.69, 0.7]));
  deepEqual([stuck.flattened, stuck.plateau], [true, true]);
  // non-finite values count as worst; a curve without finite values before the tail is not flat
  equal(
    checkConvergence(curve([NaN, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, NaN, 0.1])).flattened,
    true,
  );
  equal(
    checkConvergence(curve([NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 0.1, 0.1])).flattened,
    false,
  );
});

Deno.test("checkConvergence refuses what is not a curve with a clear error", () => {
  throws(
    () => checkConvergence(null as never),
    /Cannot check convergence: "curve" must be an array but it is null/,
  );
  throws(
    () => checkConvergence([[2, 0.1], [1, 0.1]]),
    /increasing step order but element 1 is \[1,0.1\]/,
  );
  throws(() => checkConvergence([[1, "a"]] as never), TypeError);
  throws(() => checkConvergence([[100, 0.1]]), /needs points before and after step 80/);
  throws(() => checkConvergence(curve([1, 1]), { tail: 1 }), RangeError);
  throws(() => checkConvergence(curve([1, 1]), null as never), TypeError);
});

/** Per-face values of `seeds` seeds, `faces` faces. */
function table(seeds: number, faces: number, seed: number, shift = 0): number[][] {
  const u = rng(seed);
  return Array.from(
    { length: seeds },
    () => Array.from({ length: faces }, () => 0.05 + 0.1 * u() + shift),
  );
}

Deno.test("pairedBootstrap: the mean difference, and an interval like the normal one for many faces", () => {
  const b = table(3, 600, 1);
  const noise = rng(2);
  const a = b.map((s) => s.map((v) => v - 0.004 + 0.02 * (noise() - 0.5)));
  const c = pairedBootstrap(a, b, { resamples: 4000, seed: 9 });
  // float64 reference: the mean over seeds and faces, and the per-face seed means' spread
  let sum = 0;
  const d = new Float64Array(600);
  for (let s = 0; s < 3; s++) for (let i = 0; i < 600; i++) d[i]! += (a[s]![i]! - b[s]![i]!) / 3;
  for (const v of d) sum += v;
  const mean = sum / 600;
  ok(Math.abs(c.meanDiff - mean) < 1e-15);
  const sd = Math.sqrt(d.reduce((t, v) => t + (v - mean) ** 2, 0) / 599);
  const half = (1.96 * sd) / Math.sqrt(600);
  ok(Math.abs(c.ci[0] - (mean - half)) < 0.15 * half, `${c.ci} vs ${mean} +- ${half}`);
  ok(Math.abs(c.ci[1] - (mean + half)) < 0.15 * half, `${c.ci} vs ${mean} +- ${half}`);
  equal(c.perSeed.length, 3);
  ok(Math.abs(c.perSeed.reduce((t, v) => t + v, 0) / 3 - mean) < 1e-15);
  deepEqual([c.seeds, c.faces, c.resamples, c.seed, c.level], [3, 600, 4000, 9, 0.95]);
  // the same seed gives the same interval; a constant difference has a zero-width one
  deepEqual(pairedBootstrap(a, b, { resamples: 4000, seed: 9 }).ci, c.ci);
  const shifted = b.map((s) => s.map((v) => v + 0.25));
  const k = pairedBootstrap(shifted, b, { resamples: 100 });
  ok(Math.abs(k.ci[0] - 0.25) < 1e-12 && Math.abs(k.ci[1] - 0.25) < 1e-12);
});

Deno.test("pairedBootstrap: ciSeeds covers seeds that disagree, where ci over faces does not", () => {
  const b = table(3, 600, 4);
  // every face differs by the seed's shift: the seeds disagree in sign, the faces not at all
  const shifts = [0.01, -0.02, 0.005];
  const a = b.map((s, k) => s.map((v) => v + shifts[k]!));
  const c = pairedBootstrap(a, b, { resamples: 4000, seed: 3 });
  const mean = (0.01 - 0.02 + 0.005) / 3;
  ok(Math.abs(c.meanDiff - mean) < 1e-12);
  ok(Math.abs(c.ci[0] - mean) < 1e-12 && Math.abs(c.ci[1] - mean) < 1e-12, `${c.ci}`);
  // drawing the seeds: the means of 3 draws from {0.01, -0.02, 0.005}, from -0.02 to 0.01
  ok(c.ciSeeds[0] < 0 && c.ciSeeds[1] > 0, `${c.ciSeeds}`);
  ok(c.ciSeeds[0] >= -0.02 - 1e-12 && c.ciSeeds[1] <= 0.01 + 1e-12, `${c.ciSeeds}`);
  // seeds that agree: both intervals exclude 0
  const agree = pairedBootstrap(b.map((s) => s.map((v) => v - 0.01)), b, { resamples: 1000 });
  ok(agree.ci[1] < 0 && agree.ciSeeds[1] < 0);
});

Deno.test("pairedBootstrap refuses mismatched or non-numeric runs with a TypeError", () => {
  const b = table(2, 5, 1);
  throws(
    () => pairedBootstrap(null as never, b),
    /Cannot compare paired runs: "a" must be an array but it is null/,
  );
  throws(
    () => pairedBootstrap(b, b.slice(1)),
    /the same number \(>= 1\) of seeds but they hold 2 and 1/,
  );
  throws(() => pairedBootstrap(b, [b[0]!, b[1]!.slice(1)]), /seed 1 has 5 and 4/);
  throws(
    () => pairedBootstrap([[NaN, 1]], [[1, 1]]),
    /"a\[0\]" must hold finite numbers but element 0 is NaN/,
  );
  throws(() => pairedBootstrap([[1]], [[1]], { resamples: 0 }), RangeError);
  throws(() => pairedBootstrap([[1]], [[1]], { level: 1 }), RangeError);
  throws(() => pairedBootstrap([], []), TypeError);
});

Deno.test("chooseLearningRate extends the range until the best rate is inside it", () => {
  const t = (learningRate: number, valNme: number | null) => ({ learningRate, valNme });
  // best at the top: try the next rate up; at the bottom: the next one down
  deepEqual(chooseLearningRate([t(1e-3, 0.2), t(3e-3, 0.1), t(1e-2, 0.05)]), {
    learningRate: 1e-2,
    next: 3e-2,
    status: "extend",
  });
  deepEqual(chooseLearningRate([t(1e-3, 0.05), t(3e-3, 0.1), t(1e-2, 0.2)]), {
    learningRate: 1e-3,
    next: 3e-4,
    status: "extend",
  });
  deepEqual(chooseLearningRate([t(1e-3, 0.2), t(3e-3, 0.1), t(1e-2, 0.15)]), {
    learningRate: 3e-3,
    next: undefined,
    status: "inside",
  });
  // the edge above diverged: final; the range limit: final
  deepEqual(chooseLearningRate([t(1e-3, 0.2), t(3e-3, 0.1), t(1e-2, null)]).status, "diverges");
  deepEqual(chooseLearningRate([t(1e-3, 0.2), t(1e-2, 0.1)], { max: 1e-2 }), {
    learningRate: 1e-2,
    next: undefined,
    status: "limit",
  });
  // all diverged: go lower; order of the trials does not matter
  deepEqual(chooseLearningRate([t(1e-2, null), t(3e-3, null)]).next, 1e-3);
  deepEqual(chooseLearningRate([t(3e-3, 0.1), t(1e-2, 0.15), t(1e-3, 0.2)]).status, "inside");
  throws(
    () => chooseLearningRate(null as never),
    /Cannot choose learning rate: "trials" must be an array/,
  );
  throws(() => chooseLearningRate([]), /"trials" is empty/);
  throws(() => chooseLearningRate([t(0, 0.1)]), RangeError);
  throws(() => chooseLearningRate([{ learningRate: 1 }] as never), TypeError);
});

Deno.test("summarizeRuns answers what is not a list of runs with a TypeError", () => {
  throws(
    () => summarizeRuns(null as never),
    /Cannot summarize runs: "records" must be an array but it is null/,
  );
  throws(
    () => summarizeRuns([{ name: "a" }] as never),
    /must hold \{ name, seed, nme, fr, auc \} runs but element 0/,
  );
  throws(() => summarizeRuns([null] as never), TypeError);
  const [s] = summarizeRuns([
    { name: "a", seed: 0, nme: 0.1, fr: 0, auc: 0.5, epochs: 30 },
    { name: "a", seed: 1, nme: 0.2, fr: 0, auc: 0.5, epochs: 32 },
  ]);
  deepEqual(s!.epochs, { mean: 31, std: Math.SQRT2 });
});
