// The timing rule of the benchmarks: one warm-up run, then the best of `reps` runs, the time
// least disturbed by other load on the machine.

/**
 * Best time in ms of each of `runs` over `reps` rounds after one warm-up round; each round runs
 * them all in turn, so that compared runs see the same load.
 */
export function bestEach(reps: number, runs: readonly (() => void)[]): number[] {
  for (const run of runs) run(); // warm-up (and JIT tier-up)
  const ms = runs.map(() => Infinity);
  for (let r = 0; r < reps; r++) {
    runs.forEach((run, i) => {
      const t0 = performance.now();
      run();
      ms[i] = Math.min(ms[i]!, performance.now() - t0);
    });
  }
  return ms;
}

/** Best time of `run` in ms over `reps` runs after one warm-up run. */
export function best(reps: number, run: () => void): number {
  return bestEach(reps, [run])[0]!;
}
