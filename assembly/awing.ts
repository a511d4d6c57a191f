// AWing, the hot loop. With d = |y - p|, q = alpha - y, u = min(d, theta) / eps:
//   loss = omega * log1p(u^q) + S * max(d - theta, 0)
//   |grad| = S = omega * q * u^(q-1) / (eps * (1 + u^q))
// S at u = theta / eps is the paper's A(y), so the linear branch A*d - C is the second term.
// u^(q-1) = 2^((q-1) log2 u) is 0 at u = 0 (q > 1 is checked by the caller): one log2, one
// exp2 and one log1p per pixel.
//
// Each pixel is one long dependency chain (log2 -> exp2 -> log1p, two divisions), about 200
// cycles, so a fused loop is bound by latency: the out-of-order window holds only about two
// groups of 4 pixels (unrolling into independent chains does not help). The work is split
// instead into three loops over a block of BLK pixels (loop fission), each loop's iterations
// independent of each other, so each is bound by throughput: pass 1 stores u in BUF_U and
// t = (q-1) log2(u) in BUF, pass 2 turns t into u^(q-1) = 2^t in place, pass 3 finishes the
// loss, the gradient and the weights. The buffers (4 KB each) stay in L1. Measured 1.7x a
// fused loop; reading u back instead of recomputing it shortens pass 3's chain (+10%). With
// the weight map, pass 3 also takes the map's column maximum of the row maxima and the
// threshold (weights_f32x4 in _run.ts), so no plane of weights is written and read back.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { RANGE } from "./_input_check";
import { FOLD, fold_f64x2 } from "./_lanes";
import { finish, sign_f32x4 } from "./_pixel";
import { next_phase, Run, W_MAP1, W_MAPS, W_PLAIN, weight_mode, weights_f32x4 } from "./_run";
import { __exp2_f32x4, __log1p_f32x4, __log2_f32x4, k, K_MIN_NORMAL, K_ONE } from "./_simd_math";
import { AW_ALPHA, AW_ALPHA_M1, AW_INV_EPS, AW_OMEGA, AW_OMEGA_EPS, AW_THETA } from "./loss_params";

const BLK: usize = 1024;
const BUF: usize = memory.data(<i32> BLK << 2, 16);
const BUF_U: usize = memory.data(<i32> BLK << 2, 16);

// Passes 1 and 2 over one block of m pixels of run from byte offset ob (m a multiple of 4, at
// most BLK). The target range of the input check is folded in pass 1.
function awing_pre(run: Run, ob: usize, m: usize): void {
  const pred = run.pred + ob, target = run.target + ob;
  let tmin = v128.load(RANGE, 16), tmax = v128.load(RANGE, 32);
  for (let i: usize = 0; i < m; i += 4) {
    const o = i << 2;
    const y = v128.load(target + o);
    const d = f32x4.abs(f32x4.sub(v128.load(pred + o), y));
    // u >= MIN_NORMAL keeps log2 in its exact domain; at d = 0 that leaves u^q ~ 1e-38 u^(q-1),
    // a loss below 1e-36, and pass 3 zeroes the gradient through the sign
    const u = f32x4.pmax(f32x4.mul(f32x4.pmin(d, k(AW_THETA)), k(AW_INV_EPS)), k(K_MIN_NORMAL));
    v128.store(BUF_U + o, u);
    v128.store(BUF + o, f32x4.mul(f32x4.sub(k(AW_ALPHA_M1), y), __log2_f32x4(u)));
    tmin = f32x4.pmin(tmin, y);
    tmax = f32x4.pmax(tmax, y);
  }
  v128.store(RANGE, tmin, 16);
  v128.store(RANGE, tmax, 32);
  for (let i: usize = 0; i < m; i += 4) {
    const o = i << 2;
    v128.store(BUF + o, __exp2_f32x4(v128.load(BUF + o)));
  }
}

// Pass 3 over the block of awing_pre, its weights by mode (a constant, see _run.ts). Non-finite
// inputs show in the returned sum (see _input_check.ts), an f64x2 of f32 partial sums of FOLD
// pixels.
// @ts-ignore: decorator
@inline function awing_finish(mode: i32, run: Run, ob: usize, m: usize): v128 {
  const pred = run.pred + ob, target = run.target + ob, wt = run.wt + ob;
  const grad = run.grad ? run.grad + ob : 0, lmap = run.lmap ? run.lmap + ob : 0;
  const gs = f32x4.splat(run.gs), rm = run.rm + ob, row = run.row, th = f32x4.splat(run.thr);
  const hs = v128.load32_splat(run.hi), ls = v128.load32_splat(run.lo), per = run.per;
  let sum = f64x2.splat(0.0), c: usize = mode == W_MAPS ? ob % per : 0;
  for (let i0: usize = 0; i0 < m; i0 += FOLD) {
    const end = min(i0 + FOLD, m);
    let acc = f32x4.splat(0.0);
    for (let i = i0; i < end; i += 4) {
      const o = i << 2;
      const p = v128.load(pred + o), y = v128.load(target + o);
      const e = f32x4.sub(p, y);
      const d = f32x4.abs(e);
      const q = f32x4.sub(k(AW_ALPHA), y);
      const uq1 = v128.load(BUF + o);
      const uq = f32x4.mul(uq1, v128.load(BUF_U + o));
      const s = f32x4.div(
        f32x4.mul(f32x4.mul(k(AW_OMEGA_EPS), q), uq1),
        f32x4.add(uq, k(K_ONE)),
      );
      const over = f32x4.pmax(f32x4.sub(d, k(AW_THETA)), f32x4.splat(0.0));
      const l = f32x4.add(f32x4.mul(k(AW_OMEGA), __log1p_f32x4(uq)), f32x4.mul(s, over));
      const w = weights_f32x4(mode, wt, rm, row, o, hs, ls, run, c, th);
      c = next_phase(mode, c, per);
      const lw = finish(l, sign_f32x4(e, s), w, gs, grad ? grad + o : 0);
      if (lmap) v128.store(lmap + o, lw);
      acc = f32x4.add(acc, lw);
    }
    sum = fold_f64x2(sum, acc);
  }
  return sum;
}

// AWing over n4 pixels of run in blocks of BLK, the weights by mode (a constant).
// @ts-ignore: decorator
@inline function awing_blocks(mode: i32, run: Run, n4: usize): v128 {
  let sum = f64x2.splat(0.0);
  for (let b: usize = 0; b < n4; b += BLK) {
    const m = min(BLK, n4 - b);
    awing_pre(run, b << 2, m);
    sum = f64x2.add(sum, awing_finish(mode, run, b << 2, m));
  }
  return sum;
}

/**
 * AWing over n4 pixels of run (n4 a multiple of 4) in blocks of BLK; returns the loss sum as
 * an f64x2 (f32 partial sums of FOLD pixels, see loss_loops.ts).
 */
export function loop_awing(run: Run, n4: usize): v128 {
  const mode = weight_mode(run);
  if (mode == W_PLAIN) return awing_blocks(W_PLAIN, run, n4);
  if (mode == W_MAP1) return awing_blocks(W_MAP1, run, n4);
  return awing_blocks(W_MAPS, run, n4);
}
