// The driver of the fused per-pixel losses over batches of heatmaps: value, gradient with
// respect to the prediction, and the paper's weighted loss map, in one pass per channel.
//
// Pointer ABI (thi.ng/simd style): every array is a byte address into this module's memory,
// f32, row-major, no alignment requirement (v128.load/store accept any address; the
// TypeScript arena aligns to 16 anyway). Lengths of any size: the f32x4 body runs while
// i + 4 <= n and the last n % 4 pixels go through the same body on a zero-padded copy, so
// the tail uses exactly the same formula.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { check_reset, check_store } from "./_input_check";
import { hsum_f64 } from "./_lanes";
import { Run, set_run } from "./_run";
import { loop_any } from "./loss_loops";
import { weight_map } from "./weight_map";

// padded staging for the last n % 4 pixels: pred, target, weight, grad, loss
const TAIL: usize = memory.data(80, 16);
// the run of the current channel, and the one of its padded tail
const RUN: Run = changetype<Run>(memory.data(offsetof<Run>(), 16));
const TAIL_RUN: Run = changetype<Run>(memory.data(offsetof<Run>(), 16));

/**
 * The selected loss over n pixels of run (any n); returns the sum of the weighted loss. The
 * last n % 4 pixels go through the same loop on a padded copy.
 */
export function run_pixels(run: Run, n: usize): f64 {
  const n4 = n & ~(<usize> 3);
  let acc = loop_any(run, n4);
  if (n4 < n) {
    // Padding lanes have weight 0 and repeat the last target as both prediction and target:
    // zero error, a finite loss, and the target range of the input check unchanged.
    const last = f32x4.splat(load<f32>(run.target + ((n - 1) << 2)));
    v128.store(TAIL, last);
    v128.store(TAIL, last, 16);
    memory.fill(TAIL + 32, 0, 48);
    const rest = (n - n4) << 2, o = n4 << 2;
    memory.copy(TAIL, run.pred + o, rest);
    memory.copy(TAIL + 16, run.target + o, rest);
    memory.copy(TAIL + 32, run.wt + o, rest);
    set_run(TAIL_RUN, TAIL, TAIL + 16, TAIL + 32, TAIL + 48, TAIL + 64, run.gs);
    acc = f32x4.add(acc, loop_any(TAIL_RUN, 4));
    if (run.grad) memory.copy(run.grad + o, TAIL + 48, rest);
    if (run.lmap) memory.copy(run.lmap + o, TAIL + 64, rest);
  }
  return hsum_f64(acc);
}

/**
 * The selected loss over `channels` channels of h x w pixels, contiguous from pred/target.
 * Per channel c the weight is chanW[c] (1 when chanW is 0), times (mapW * M + 1) when
 * mapW != 0. The gradient (times gscale) goes to grad and the weighted per-pixel loss to
 * lmap when those are non-zero. scratch holds 2*h*w floats. Returns the weighted sum; the
 * fused input check of pred and target lands at {@link check_out}.
 */
export function loss_batch(
  pred: usize,
  target: usize,
  grad: usize,
  lmap: usize,
  channels: i32,
  h: i32,
  w: i32,
  chanW: usize,
  mapW: f32,
  thr: f32,
  gscale: f32,
  scratch: usize,
): f64 {
  const hw = <usize> h * <usize> w;
  const bytes = hw << 2;
  const wt = scratch, rm = scratch + bytes;
  let total: f64 = 0;
  let lastCw: f32 = NaN;
  check_reset();
  for (let c: i32 = 0; c < channels; c++) {
    const off = <usize> c * bytes;
    const cw: f32 = chanW ? load<f32>(chanW + (<usize> c << 2)) : 1.0;
    if (mapW != 0) {
      weight_map(wt, target + off, rm, h, w, mapW, thr, cw);
    } else if (cw != lastCw) {
      // constant weight: fill once and reuse while it does not change
      const v = f32x4.splat(cw);
      let i: usize = 0;
      for (; i + 4 <= hw; i += 4) v128.store(wt + (i << 2), v);
      for (; i < hw; i++) store<f32>(wt + (i << 2), cw);
      lastCw = cw;
    }
    const g = grad ? grad + off : 0, lm = lmap ? lmap + off : 0;
    total += run_pixels(set_run(RUN, pred + off, target + off, wt, g, lm, gscale), hw);
  }
  check_store(total);
  return total;
}
