import { checkOptions } from "../_validate.ts";
import { Rng } from "../data/_rng.ts";
import { _checkArray, _checkNumbers } from "./_check_records.ts";

/** Options of {@link pairedBootstrap}. */
export interface PairedBootstrapOptions {
  /** Bootstrap resamples. Defaults to 10,000. */
  resamples?: number;
  /** Seed of the resampling (the same seed gives the same interval). Defaults to 0. */
  seed?: number;
  /** Coverage of the interval. Defaults to 0.95. */
  level?: number;
}

/** What {@link pairedBootstrap} returns. */
export interface PairedComparison {
  /** Mean of a - b over seeds and faces (negative: a has the lower values). */
  meanDiff: number;
  /** The percentile bootstrap interval of `meanDiff` at `level`, over faces (seeds averaged). */
  ci: [number, number];
  /**
   * The same over seeds and faces: each resample also draws the seeds with replacement, so the
   * interval covers the spread between seeds too (for one seed, it is over faces alone, like `ci`).
   */
  ciSeeds: [number, number];
  /** The mean difference of each seed. */
  perSeed: number[];
  /** Seeds and faces compared. */
  seeds: number;
  /** Faces per seed. */
  faces: number;
  /** Resamples and seed of the bootstrap. */
  resamples: number;
  /** See `resamples`. */
  seed: number;
  /** Coverage of `ci`. */
  level: number;
}

/**
 * Compares two configurations face by face: `a[s][i]` and `b[s][i]` are the per-face errors
 * (e.g. NMEs) of seed s on the same face i. The mean difference a - b over seeds and faces,
 * and a percentile interval from a paired bootstrap over faces: each resample draws the faces
 * with replacement (the same draw for every seed, as every seed sees the same faces) and
 * takes the mean difference over seeds and drawn faces. That interval (`ci`) covers the
 * variation over faces with the seeds averaged; `ciSeeds` draws the seeds with replacement too
 * (a two-level bootstrap), so it also covers the spread between seeds, which `perSeed` shows.
 *
 * @example A is better than B on every face by 0.01
 * ```ts
 * import { pairedBootstrap } from "@facealign/awing/train";
 * import { equal, ok } from "node:assert/strict";
 * const b = [[0.05, 0.08, 0.06, 0.07], [0.06, 0.07, 0.05, 0.09]];
 * const a = b.map((seed) => seed.map((v) => v - 0.01));
 * const c = pairedBootstrap(a, b, { resamples: 1000 });
 * equal(c.meanDiff.toFixed(4), "-0.0100");
 * ok(c.ci[0] <= c.meanDiff && c.meanDiff <= c.ci[1] && c.ci[1] < 0);
 * ok(c.ciSeeds[0] <= c.meanDiff && c.meanDiff <= c.ciSeeds[1]);
 * ```
 *
 * @param a Per-face values of configuration a, one array per seed.
 * @param b Per-face values of configuration b, the same seeds and faces in the same order.
 * @param options Resamples, seed, level.
 * @returns The mean difference, its intervals, the per-seed means.
 * @throws {TypeError} When a or b is not an array of arrays of finite numbers of matching sizes.
 * @throws {RangeError} When resamples is not a whole number >= 1, level not in (0, 1), or seed
 * not a whole number.
 */
export function pairedBootstrap(
  a: readonly (ArrayLike<number>)[],
  b: readonly (ArrayLike<number>)[],
  options: PairedBootstrapOptions = {},
): PairedComparison {
  const action = "compare paired runs";
  checkOptions(options, action);
  _checkArray(a, "a", action);
  _checkArray(b, "b", action);
  const resamples = options.resamples ?? 10000, seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  if (!(Number.isInteger(resamples) && resamples >= 1)) {
    throw new RangeError(
      `Cannot ${action} as resamples must be a whole number >= 1: current value is ${resamples}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(
      `Cannot ${action} as seed must be a whole number: current value is ${seed}`,
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`Cannot ${action} as level must be in (0, 1): current value is ${level}`);
  }
  const seeds = a.length;
  if (seeds < 1 || b.length !== seeds) {
    throw new TypeError(
      `Cannot ${action}: "a" and "b" must hold the same number (>= 1) of seeds but they hold ${seeds} and ${b.length}`,
    );
  }
  a.forEach((s, i) => _checkNumbers(s, `a[${i}]`, action));
  b.forEach((s, i) => _checkNumbers(s, `b[${i}]`, action));
  const faces = a[0]!.length;
  for (let s = 0; s < seeds; s++) {
    if (faces < 1 || a[s]!.length !== faces || b[s]!.length !== faces) {
      throw new TypeError(
        `Cannot ${action}: every seed must have the same faces (>= 1) in a and b but seed ${s} has ${
          a[s]!.length
        } and ${b[s]!.length} where seed 0 of a has ${faces}`,
      );
    }
  }
  // the per-face difference of each seed, and averaged over seeds: the statistic is the mean
  // over drawn faces (and, for ciSeeds, drawn seeds)
  const d = new Float64Array(faces), bySeed = new Float64Array(seeds * faces);
  const perSeed = [];
  for (let s = 0; s < seeds; s++) {
    let sum = 0;
    for (let i = 0; i < faces; i++) {
      const v = a[s]![i]! - b[s]![i]!;
      bySeed[s * faces + i] = v;
      d[i]! += v / seeds;
      sum += v;
    }
    perSeed.push(sum / faces);
  }
  const meanDiff = d.reduce((s, v) => s + v, 0) / faces;
  const rng = new Rng(seed);
  const tail = (1 - level) / 2;
  const interval = (means: Float64Array): [number, number] => {
    means.sort();
    const at = (q: number) =>
      means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
    return [at(tail), at(1 - tail)];
  };
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < faces; i++) sum += d[rng.int(faces)]!;
    means[r] = sum / faces;
  }
  const ci = interval(means);
  const weights = new Float64Array(seeds);
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let k = 0; k < seeds; k++) weights[rng.int(seeds)]! += 1 / seeds;
    let sum = 0;
    for (let j = 0; j < faces; j++) {
      const i = rng.int(faces);
      for (let s = 0; s < seeds; s++) sum += weights[s]! * bySeed[s * faces + i]!;
    }
    means[r] = sum / faces;
  }
  const ciSeeds = interval(means);
  return {
    meanDiff,
    ci,
    ciSeeds,
    perSeed,
    seeds,
    faces,
    resamples,
    seed,
    level,
  };
}
