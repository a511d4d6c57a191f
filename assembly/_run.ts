// The arrays one loss loop works on.

// @ts-nocheck: AssemblyScript source, compiled by asc

/**
 * One contiguous run of pixels, as byte addresses into this module's memory: predictions,
 * targets, per-pixel weights, the weighted gradient times gs (grad) and the weighted loss
 * (lmap); grad and lmap are 0 when not wanted.
 */
@unmanaged
export class Run {
  pred: usize;
  target: usize;
  wt: usize;
  grad: usize;
  lmap: usize;
  gs: f32;
}

/** Sets every field of run; returns it. */
// @ts-ignore: decorator
@inline export function set_run(
  run: Run,
  pred: usize,
  target: usize,
  wt: usize,
  grad: usize,
  lmap: usize,
  gs: f32,
): Run {
  run.pred = pred;
  run.target = target;
  run.wt = wt;
  run.grad = grad;
  run.lmap = lmap;
  run.gs = gs;
  return run;
}
