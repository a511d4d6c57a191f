// The driver of the fused per-pixel losses over batches of heatmaps in either layout: value,
// gradient with respect to the prediction, and the paper's weighted loss map, in one pass per
// plane (a channel, or an image's H x W x K).
//
// Pointer ABI (thi.ng/simd style): every array is a byte address into this module's memory,
// f32, row-major, no alignment requirement (v128.load/store accept any address; the
// TypeScript arena aligns to 16 anyway). Lengths of any size: the f32x4 body runs while
// i + 4 <= n and the last n % 4 pixels go through the same body on a zero-padded copy, so
// the tail uses exactly the same formula.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { check_reset, check_store } from "./_input_check";
import { hsum_f64x2 } from "./_lanes";
import { Run, set_map, set_run, tail_weights } from "./_run";
import { loop_any } from "./loss_loops";
import { same_weights, tile, weight_row_bytes, weight_rows } from "./_weight_rows";
import { kind, KIND_AWING } from "./loss_params";
import { row_maxima, weight_map } from "./weight_map";

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
    if (run.rm) tail_weights(TAIL + 32, run, n4, n);
    else memory.copy(TAIL + 32, run.wt + o, rest);
    set_run(TAIL_RUN, TAIL, TAIL + 16, TAIL + 32, TAIL + 48, TAIL + 64, run.gs);
    acc = f64x2.add(acc, loop_any(TAIL_RUN, 4));
    if (run.grad) memory.copy(run.grad + o, TAIL + 48, rest);
    if (run.lmap) memory.copy(run.lmap + o, TAIL + 64, rest);
  }
  return hsum_f64x2(acc);
}

/**
 * The selected loss over `planes` planes of h rows of w pixels of s channels, contiguous from
 * pred/target: a channel-first batch is N*K planes of H x W x 1, a channel-last one N planes
 * of H x W x K (or one band of rows of a plane, with the halo flags of {@link weight_map}).
 * Plane p's channel c has the weight chanW[p * s + c] (1 when chanW is 0), times
 * (mapW * M + 1) when mapW != 0. The gradient (times gscale) goes to grad and the weighted
 * per-pixel loss to lmap when those are non-zero. scratch holds {@link scratch_floats}
 * floats. Returns the weighted sum; the fused input check of pred and target lands at
 * {@link check_out}.
 */
export function loss_batch(
  pred: usize,
  target: usize,
  grad: usize,
  lmap: usize,
  planes: i32,
  h: i32,
  w: i32,
  s: i32,
  halo: i32,
  chanW: usize,
  mapW: f32,
  thr: f32,
  gscale: f32,
  scratch: usize,
): f64 {
  const rowB = (<usize> w * <usize> s) << 2, planeB = <usize> h * rowB;
  const wrB = weight_row_bytes(w, s);
  const wt = scratch, hi = wt + planeB, lo = hi + wrB, rm0 = lo + wrB + rowB;
  // The map's weights are taken inside the loss loops from the row maxima (see _run.ts), but for
  // the baselines over several channels: their loops are light enough that the extra loads and
  // the channel phase cost about what a separate pass over the plane's weights (weight_map)
  // saves (measured 0.99-1.05x its time on 8 x 64 x 64 x 68 and x 98).
  const fuse = mapW != 0 && (s == 1 || kind == KIND_AWING);
  let total: f64 = 0;
  let fresh = false;
  check_reset();
  for (let p: i32 = 0; p < planes; p++) {
    const off = <usize> p * planeB;
    const cw = chanW ? chanW + ((<usize> p * <usize> s) << 2) : 0;
    // the weight rows (and, without a map, the weights) are rebuilt only when cw changes
    if (!fresh || (cw && !same_weights(lo, cw, s))) {
      weight_rows(hi, lo, cw, w, s, mapW);
      if (mapW == 0) {
        memory.copy(wt, lo, rowB);
        tile(wt, rowB, planeB);
      }
      fresh = true;
    }
    const g = grad ? grad + off : 0, lm = lmap ? lmap + off : 0;
    set_run(RUN, pred + off, target + off, wt, g, lm, gscale);
    if (fuse) {
      row_maxima(rm0, target + off, h, w, s, halo);
      set_map(RUN, rm0, hi, lo, rowB, s, thr);
    } else if (mapW != 0) weight_map(wt, target + off, rm0 - rowB, h, w, s, halo, hi, lo, thr);
    total += run_pixels(RUN, planeB >> 2);
  }
  check_store(total);
  return total;
}
