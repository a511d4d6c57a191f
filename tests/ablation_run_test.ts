// runAblation with a fake trainer: the sweep extends its range, runs that have not flattened
// are trained longer, recorded runs are skipped on a second call, at most `jobs` at a time.
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import {
  type AblationJob,
  type AblationJobResult,
  type AblationRecord,
  runAblation,
  type RunAblationOptions,
} from "../src/train/mod.ts";

/** A fake run: validation NME falls as 1/step to `floor(lr)`; lr 1e-1 diverges. */
function fake(
  log: AblationJob[],
  active = { now: 0, max: 0 },
): (job: AblationJob) => Promise<AblationJobResult> {
  return async (job: AblationJob): Promise<AblationJobResult> => {
    log.push(job);
    active.now++;
    active.max = Math.max(active.max, active.now);
    await new Promise((r) => setTimeout(r, 1));
    active.now--;
    if (job.learningRate >= 0.1) return { diverged: true, message: "the loss is NaN at step 3" };
    // best rate 1e-2 for mse, 1e-3 otherwise; "slow" configurations flatten only at 400 steps
    const best = job.config.loss === "mse" ? 1e-2 : 1e-3;
    const floor = 0.05 + Math.abs(Math.log10(job.learningRate / best)) * 0.01;
    const slow = job.config.name === "slow" && job.steps < 400;
    const valCurve = Array.from({ length: 10 }, (_, i) => {
      const step = ((i + 1) * job.steps) / 10;
      return [
        step,
        slow ? floor * (1 + 5 * (1 - step / job.steps)) : floor + (i < 5 ? 1 / step : 0),
      ] as [number, number];
    });
    const nme = valCurve[9]![1];
    return {
      diverged: false,
      metrics: {
        loss: job.config.loss,
        seed: job.seed,
        steps: job.steps,
        learningRate: job.learningRate,
        nme,
        fr: 0,
        auc: 0.5,
        peak: 0.8,
        nmeUntrained: 1,
        lossFirst: 1,
        lossLast: 0.1,
        valNme: nme,
        valCurve,
        evalSeed: 7,
        seconds: 1,
        secondsPerStep: 0.01,
        params: 10,
        model: {} as never,
        nmes: [nme, nme],
        epochs: job.steps / 100,
      },
    };
  };
}

const BASE: Omit<RunAblationOptions, "train"> = {
  configs: [
    { name: "mse", loss: "mse" },
    { name: "awing", loss: "awing" },
    { name: "slow", loss: "awing", coordConv: true },
  ],
  seeds: 2,
  steps: 100,
  maxSteps: 400,
  sweepSteps: 50,
  sweepRates: [1e-3, 3e-3, 1e-2],
  validationPoints: 10,
  jobs: 2,
};

Deno.test("runAblation sweeps, extends, trains longer what has not flattened, and resumes", async () => {
  const log: AblationJob[] = [], active = { now: 0, max: 0 };
  const written: number[] = [];
  const result = await runAblation({
    ...BASE,
    train: fake(log, active),
    onRun: (all) => Promise.resolve(void written.push(all.length)),
  });
  equal(active.max, 2);
  deepEqual(result.errors, []);
  // mse: best at the top edge 1e-2, 3e-2 worse: inside; awing: best at the bottom, 3e-4 worse
  deepEqual(result.rates.mse, { learningRate: 1e-2, next: undefined, status: "inside" });
  deepEqual(result.rates.awing, { learningRate: 1e-3, next: undefined, status: "inside" });
  deepEqual(
    result.sweep.filter((r) => r.loss === "mse").map((r) => r.learningRate).sort(),
    [1e-3, 3e-3, 1e-2, 3e-2].sort(),
  );
  ok(result.sweep.every((r) => r.steps === 50 && r.seed === 0));
  // 3 configurations x 2 seeds; "slow" needed 100 -> 200 -> 400 steps
  equal(result.runs.length, 6);
  deepEqual(written, [1, 2, 3, 4, 5, 6]);
  const slow = result.runs.filter((r) => r.name === "slow") as AblationRecord[];
  for (const r of slow) {
    equal(r.steps, 400);
    equal(r.extended, true);
    deepEqual(r.attempts.map((a) => [a.steps, a.flattened]), [[100, false], [200, false], [
      400,
      true,
    ]]);
  }
  const plain = result.runs.find((r) => r.name === "awing") as AblationRecord;
  deepEqual([plain.steps, plain.extended, plain.flattened, plain.plateau], [
    100,
    false,
    true,
    false,
  ]);
  deepEqual(plain.testNmes.length, 2);
  equal(plain.epochs, 1);
  ok(log.every((j) => j.validateEvery === Math.ceil(j.steps / 10)));

  // a second call with the records trains nothing; without one run, only that run
  const again: AblationJob[] = [];
  await runAblation({ ...BASE, train: fake(again), sweep: result.sweep, runs: result.runs });
  deepEqual(again, []);
  const fewer = result.runs.filter((r) => !(r.name === "mse" && r.seed === 1));
  const redoLog: AblationJob[] = [];
  const redo = await runAblation({
    ...BASE,
    train: fake(redoLog),
    sweep: result.sweep,
    runs: fewer,
  });
  deepEqual(redoLog.map((j) => [j.kind, j.config.name, j.seed]), [["run", "mse", 1]]);
  equal(redo.runs.length, 6);
});

Deno.test("runAblation records divergence, reports other failures, and stops on abort", async () => {
  // the sweep reaches 1e-1, which diverges: the choice stops there
  const log: AblationJob[] = [];
  const up = await runAblation({
    ...BASE,
    configs: [{ name: "mse", loss: "mse" }],
    sweepRates: [1e-2, 3e-2],
    seeds: 1,
    train: async (job) => {
      const r = await fake(log)(job);
      // rate 3e-2 is best for this sweep
      if (!r.diverged && job.kind === "sweep") {
        r.metrics.valNme = job.learningRate === 3e-2 ? 0.01 : 0.5;
      }
      return r;
    },
  });
  deepEqual(up.rates.mse, { learningRate: 3e-2, next: undefined, status: "diverges" });
  equal(up.sweep.find((r) => r.learningRate === 0.1)!.diverged, "the loss is NaN at step 3");
  // a trainer that throws: reported, nothing recorded for that loss
  const failed = await runAblation({
    ...BASE,
    configs: [{ name: "mse", loss: "mse" }],
    train: () => Promise.reject(new Error("out of memory")),
  });
  equal(failed.errors.length, 3);
  equal(failed.errors[0]!.error.message, "out of memory");
  deepEqual(failed.runs, []);
  // aborted before the start: nothing is trained
  const stopped: AblationJob[] = [];
  await runAblation({ ...BASE, train: fake(stopped), signal: AbortSignal.abort() });
  deepEqual(stopped, []);
  await rejects(runAblation(null as never), TypeError);
  await rejects(runAblation({ ...BASE, configs: [], train: fake([]) }), /"configs" is empty/);
  await rejects(runAblation({ ...BASE, steps: 0, train: fake([]) }), RangeError);
});
