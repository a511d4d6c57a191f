// The arrays one loss loop works on, and the weights it reads per 4 pixels.

// @ts-nocheck: AssemblyScript source, compiled by asc

/**
 * One contiguous run of pixels, as byte addresses into this module's memory: predictions,
 * targets, per-pixel weights, the weighted gradient times gs (grad) and the weighted loss
 * (lmap); grad and lmap are 0 when not wanted. With the weight map (rm != 0, see set_map)
 * the weights come from the map's row maxima instead of wt.
 */
@unmanaged
export class Run {
  pred: usize;
  target: usize;
  wt: usize;
  grad: usize;
  lmap: usize;
  gs: f32;
  rm: usize;
  hi: usize;
  lo: usize;
  row: usize;
  per: usize;
  thr: f32;
}

/** Sets every field of run but the map's (rm = 0: weights from wt); returns it. */
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
  run.rm = 0;
  return run;
}

/**
 * Weights from the map instead of wt: pixel i's weight is hi[i % per] where the maximum of
 * rm[i - row], rm[i], rm[i + row] (the row maxima of the target, byte offsets relative to the
 * run's pixels) exceeds thr, else lo[i % per]; per is 16 s bytes (4 s floats, s channels).
 */
export function set_map(
  run: Run,
  rm: usize,
  hi: usize,
  lo: usize,
  row: usize,
  s: i32,
  thr: f32,
): void {
  run.rm = rm;
  run.hi = hi;
  run.lo = lo;
  run.row = row;
  run.per = <usize> s << 4;
  run.thr = thr;
}

/** Where a loop takes its weights: wt, or the map with one channel, or with s channels. */
export const W_PLAIN: i32 = 0;
export const W_MAP1: i32 = 1;
export const W_MAPS: i32 = 2;

/** The weight mode of run (see weights_f32x4). */
// @ts-ignore: decorator
@inline export function weight_mode(run: Run): i32 {
  return run.rm == 0 ? W_PLAIN : run.per == 16 ? W_MAP1 : W_MAPS;
}

/**
 * The weights of 4 pixels at byte offset o (a multiple of 16) by mode, a constant:
 * v128.load(wt + o) (W_PLAIN), else from the row maxima at rm (run.rm plus the loop's base
 * offset) and hs/ls, hi and lo splat (W_MAP1), or with c the byte phase of o in hi and lo
 * (W_MAPS, see set_map and next_phase).
 */
// @ts-ignore: decorator
@inline export function weights_f32x4(
  mode: i32,
  wt: usize,
  rm: usize,
  row: usize,
  o: usize,
  hs: v128,
  ls: v128,
  run: Run,
  c: usize,
  th: v128,
): v128 {
  if (mode == W_PLAIN) return v128.load(wt + o);
  const r = rm + o;
  const m = f32x4.gt(
    f32x4.pmax(f32x4.pmax(v128.load(r - row), v128.load(r)), v128.load(r + row)),
    th,
  );
  if (mode == W_MAP1) return v128.bitselect(hs, ls, m);
  return v128.bitselect(v128.load(run.hi + c), v128.load(run.lo + c), m);
}

/** The phase of the next 4 pixels after phase c (see weights_f32x4), by mode. */
// @ts-ignore: decorator
@inline export function next_phase(mode: i32, c: usize, per: usize): usize {
  if (mode != W_MAPS) return 0;
  const n = c + 16;
  return select<usize>(0, n, n >= per);
}

/** The weights of pixels n4 .. n - 1 of run with the map (see weights_f32x4), to dst. */
export function tail_weights(dst: usize, run: Run, n4: usize, n: usize): void {
  const row = run.row;
  for (let i = n4; i < n; i++) {
    const o = i << 2, r = run.rm + o, c = o % run.per;
    const m = max(max(load<f32>(r - row), load<f32>(r)), load<f32>(r + row));
    const v = m > run.thr ? load<f32>(run.hi + c) : load<f32>(run.lo + c);
    store<f32>(dst + ((i - n4) << 2), v);
  }
}
