// The timing rule of the benchmarks: one warm-up run, then the best of `reps` runs, the time
// least disturbed by other load on the machine.

/** Best time of `run` in ms over `reps` runs after one warm-up run. */
export function best(reps: number, run: () => void): number {
  run(); // warm-up (and JIT tier-up)
  let ms = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}
