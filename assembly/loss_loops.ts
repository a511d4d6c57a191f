// The loops of the selected loss over one run of n4 pixels (n4 a multiple of 4, see _run.ts):
// one loop per kind, so that no kind test remains inside a loop. Each folds the input check
// into RANGE (see _input_check.ts) and returns its loss sum as an f64x2.
//
// Sums keep float64's precision whatever the pixel count: every loop adds FOLD pixels (8 per
// lane) in f32x4, then folds these partial sums into an f64x2 accumulator. A lane's f32 sum of
// 8 non-negative losses is off by at most 7 units of 2^-24 (4.2e-7 relative), and the f64 sum
// of any number of folds adds next to nothing to that.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { check_f32x4, RANGE } from "./_input_check";
import { FOLD, fold_f64x2 } from "./_lanes";
import { Run, W_MAP1, W_PLAIN, weight_mode, weights_f32x4 } from "./_run";
import { loop_awing } from "./awing";
import { l1_f32x4, mse_f32x4, soft_wing_f32x4, wing_f32x4 } from "./baselines";
import { kind, KIND_AWING, KIND_L1, KIND_MSE, KIND_SOFT_WING, KIND_WING } from "./loss_params";

// The loop of one baseline kind and weight mode, W_PLAIN or W_MAP1 (constants, so each call site
// keeps one branch; see loss_batch for why the baselines have no W_MAPS).
// @ts-ignore: decorator
@inline function loop_baseline(lossKind: i32, mode: i32, run: Run, n4: usize): v128 {
  const pred = run.pred, target = run.target, wt = run.wt, grad = run.grad, lmap = run.lmap;
  const gs = f32x4.splat(run.gs), rm = run.rm, row = run.row, th = f32x4.splat(run.thr);
  const hs = v128.load32_splat(run.hi), ls = v128.load32_splat(run.lo);
  let sum = f64x2.splat(0.0);
  let fin = v128.load(RANGE), tmin = v128.load(RANGE, 16), tmax = v128.load(RANGE, 32);
  for (let i0: usize = 0; i0 < n4; i0 += FOLD) {
    const end = min(i0 + FOLD, n4);
    let acc = f32x4.splat(0.0);
    for (let i = i0; i < end; i += 4) {
      const o = i << 2;
      const p = v128.load(pred + o), y = v128.load(target + o);
      const w = weights_f32x4(mode, wt, rm, row, o, hs, ls, run, 0, th);
      const g = grad ? grad + o : 0;
      let l: v128;
      if (lossKind == KIND_MSE) l = mse_f32x4(p, y, w, gs, g);
      else if (lossKind == KIND_L1) l = l1_f32x4(p, y, w, gs, g);
      else if (lossKind == KIND_WING) l = wing_f32x4(p, y, w, gs, g);
      else l = soft_wing_f32x4(p, y, w, gs, g);
      acc = f32x4.add(acc, l);
      if (lmap) v128.store(lmap + o, l);
      fin = check_f32x4(fin, p, y);
      tmin = f32x4.pmin(tmin, y);
      tmax = f32x4.pmax(tmax, y);
    }
    sum = fold_f64x2(sum, acc);
  }
  v128.store(RANGE, fin);
  v128.store(RANGE, tmin, 16);
  v128.store(RANGE, tmax, 32);
  return sum;
}

// The loop of the loss selected by set_loss, for one weight mode (a constant).
// @ts-ignore: decorator
@inline function loop_mode(mode: i32, run: Run, n4: usize): v128 {
  if (kind == KIND_MSE) return loop_baseline(KIND_MSE, mode, run, n4);
  if (kind == KIND_L1) return loop_baseline(KIND_L1, mode, run, n4);
  if (kind == KIND_WING) return loop_baseline(KIND_WING, mode, run, n4);
  return loop_baseline(KIND_SOFT_WING, mode, run, n4);
}

/** The loop of the loss selected by set_loss over n4 pixels of run. */
export function loop_any(run: Run, n4: usize): v128 {
  if (kind == KIND_AWING) return loop_awing(run, n4);
  const mode = weight_mode(run);
  if (mode == W_PLAIN) return loop_mode(W_PLAIN, run, n4);
  return loop_mode(W_MAP1, run, n4);
}
