// Fused per-pixel losses over batches of heatmaps: value, gradient with respect to the
// prediction, and the paper's weighted loss map, in one pass per channel.
//
// Pointer ABI (thi.ng/simd style): every array is a byte address into this module's memory,
// f32, row-major, no alignment requirement (v128.load/store accept any address; the
// TypeScript arena aligns to 16 anyway). Lengths of any size: the f32x4 body runs while
// i + 4 <= n and the last n % 4 pixels go through the same body on a zero-padded copy, so
// the tail uses exactly the same formula.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { __exp2_f32x4, __log1p_f32x4, __log2_f32x4, k, K_INF, K_MIN_NORMAL, K_ONE, K_SIGN } from "./_simd_math";

/** Loss kinds, mirrored by src/_wasm.ts. */
export const KIND_AWING: i32 = 0;
export const KIND_MSE: i32 = 1;
export const KIND_L1: i32 = 2;
export const KIND_WING: i32 = 3;
export const KIND_SOFT_WING: i32 = 4;

let kind: i32 = KIND_AWING;
// Wing: w, epsilon, C. Soft Wing: w1, w2, epsilon, B. (MSE and L1 have none.)
let P0: f32 = 2.1;
let P1: f32 = 14.0;
let P2: f32 = 1.0;
let P3: f32 = 0.5;
// AWing's constants as f32 in memory, read with k() inside its loops (see _simd_math.ts):
// alpha, omega, theta, 1 / epsilon, omega / epsilon, alpha - 1
const AW: usize = memory.data(24, 16);
const AW_ALPHA: usize = AW, AW_OMEGA: usize = AW + 4, AW_THETA: usize = AW + 8;
const AW_INV_EPS: usize = AW + 12, AW_OMEGA_EPS: usize = AW + 16, AW_ALPHA_M1: usize = AW + 20;

/**
 * Selects the loss and its parameters for the following {@link loss_batch} calls (AWing:
 * alpha, omega, epsilon, theta).
 */
export function set_loss(k: i32, p0: f32, p1: f32, p2: f32, p3: f32): void {
  kind = k;
  P0 = p0;
  P1 = p1;
  P2 = p2;
  P3 = p3;
  store<f32>(AW_ALPHA, p0);
  store<f32>(AW_OMEGA, p1);
  store<f32>(AW_THETA, p3);
  store<f32>(AW_INV_EPS, 1.0 / p2);
  store<f32>(AW_OMEGA_EPS, p1 / p2);
  store<f32>(AW_ALPHA_M1, p0 - 1.0);
}

// padded staging for the last n % 4 pixels: pred, target, weight, grad, loss
const TAIL: usize = memory.data(80, 16);

// Input check fused into the loss pass (the driver used to scan pred and target in a separate
// pass first). Every loop folds its pixels into three f32x4 accumulators kept here between
// calls: FIN (all lanes true while every |pred - target| < inf, so any NaN or infinite input
// clears it; a finite pair whose difference overflows clears it too, and the driver then
// rescans exactly), TMIN and TMAX (the target range). The loops read them once on entry and
// write them once on exit, never per pixel. AWing's loops skip FIN: a NaN or infinite
// prediction or target always makes its weighted loss NaN or infinite (d = inf gives
// S * inf or 0 * inf, and a NaN reaches S or the linear term), so a finite sum proves finite
// inputs. loss_batch resets the accumulators and {@link CHECK_OUT} receives
// (FIN and a finite sum ? 1 : 0, min target, max target) as f32; a sum that overflows also
// reads as 0, and the driver's exact rescan then finds nothing.
const RANGE: usize = memory.data(48, 16);
const CHECK_OUT: usize = memory.data(12, 16);

// sign(e) * m for m >= 0, and 0 where e == 0 (the derivative at zero error is taken as 0)
// @ts-ignore: decorator
@inline function sign_f32x4(e: v128, m: v128): v128 {
  const signed = v128.or(m, v128.and(e, k(K_SIGN)));
  return v128.andnot(signed, f32x4.eq(e, f32x4.splat(0.0)));
}

// Every pixel function below takes 4 predictions p, 4 targets y, their weights w and the
// gradient scale gs; it returns the weighted loss w * L and, when g != 0, stores the weighted
// gradient w * gs * dL/dp at address g. AWing has its own blocked loops further down.

// @ts-ignore: decorator
@inline function finish(l: v128, grad: v128, w: v128, gs: v128, g: usize): v128 {
  if (g) v128.store(g, f32x4.mul(grad, f32x4.mul(w, gs)));
  return f32x4.mul(l, w);
}

// @ts-ignore: decorator
@inline function mse_f32x4(k0: v128, k1: v128, k2: v128, k3: v128, p: v128, y: v128, w: v128, gs: v128, g: usize): v128 {
  const e = f32x4.sub(p, y);
  return finish(f32x4.mul(e, e), f32x4.add(e, e), w, gs, g);
}

// @ts-ignore: decorator
@inline function l1_f32x4(k0: v128, k1: v128, k2: v128, k3: v128, p: v128, y: v128, w: v128, gs: v128, g: usize): v128 {
  const e = f32x4.sub(p, y);
  return finish(f32x4.abs(e), sign_f32x4(e, f32x4.splat(1.0)), w, gs, g);
}

// Wing (Feng et al. 2018): w * log1p(d / eps) for d < w, else d - C.
// @ts-ignore: decorator
@inline function wing_f32x4(k0: v128, k1: v128, k2: v128, k3: v128, p: v128, y: v128, w8: v128, gs: v128, g: usize): v128 {
  const w = k0, eps = k1, c = k2;
  const e = f32x4.sub(p, y);
  const d = f32x4.abs(e);
  const inner = f32x4.lt(d, w);
  const one = f32x4.splat(1.0);
  const grad = sign_f32x4(e, v128.bitselect(f32x4.div(w, f32x4.add(eps, d)), one, inner));
  const l = v128.bitselect(f32x4.mul(w, __log1p_f32x4(f32x4.div(d, eps))), f32x4.sub(d, c), inner);
  return finish(l, grad, w8, gs, g);
}

// Soft Wing (Lin et al. 2021): d for d < w1, else w2 * log1p(d / eps) + B.
// @ts-ignore: decorator
@inline function soft_wing_f32x4(k0: v128, k1: v128, k2: v128, k3: v128, p: v128, y: v128, w: v128, gs: v128, g: usize): v128 {
  const w1 = k0, w2 = k1, eps = k2, b = k3;
  const e = f32x4.sub(p, y);
  const d = f32x4.abs(e);
  const inner = f32x4.lt(d, w1);
  const one = f32x4.splat(1.0);
  const grad = sign_f32x4(e, v128.bitselect(one, f32x4.div(w2, f32x4.add(eps, d)), inner));
  const l = v128.bitselect(d, f32x4.add(f32x4.mul(w2, __log1p_f32x4(f32x4.div(d, eps))), b), inner);
  return finish(l, grad, w, gs, g);
}

// The fused input check of one f32x4 of pixels (see RANGE); its ops hang off the loss's long
// dependency chain, so they cost next to nothing in these latency-bound loops.
// @ts-ignore: decorator
@inline function check_f32x4(fin: v128, p: v128, y: v128): v128 {
  return v128.and(fin, f32x4.lt(f32x4.abs(f32x4.sub(p, y)), k(K_INF)));
}

// One loop per kind, so that no kind test remains inside a loop.
// @ts-ignore: decorator
@inline function loop_kind(k: i32, pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n4: usize, gs: v128): v128 {
  let acc = f32x4.splat(0.0);
  let fin = v128.load(RANGE), tmin = v128.load(RANGE, 16), tmax = v128.load(RANGE, 32);
  // parameters splatted once, outside the loop
  const k0 = f32x4.splat(P0), k1 = f32x4.splat(P1), k2 = f32x4.splat(P2), k3 = f32x4.splat(P3);
  for (let i: usize = 0; i < n4; i += 4) {
    const o = i << 2;
    const p = v128.load(pred + o), y = v128.load(target + o), w = v128.load(wt + o);
    const g = grad ? grad + o : 0;
    let l: v128;
    if (k == KIND_MSE) l = mse_f32x4(k0, k1, k2, k3, p, y, w, gs, g);
    else if (k == KIND_L1) l = l1_f32x4(k0, k1, k2, k3, p, y, w, gs, g);
    else if (k == KIND_WING) l = wing_f32x4(k0, k1, k2, k3, p, y, w, gs, g);
    else l = soft_wing_f32x4(k0, k1, k2, k3, p, y, w, gs, g);
    acc = f32x4.add(acc, l);
    if (lmap) v128.store(lmap + o, l);
    fin = check_f32x4(fin, p, y);
    tmin = f32x4.pmin(tmin, y);
    tmax = f32x4.pmax(tmax, y);
  }
  v128.store(RANGE, fin);
  v128.store(RANGE, tmin, 16);
  v128.store(RANGE, tmax, 32);
  return acc;
}

// AWing, the hot loop. With d = |y - p|, q = alpha - y, u = min(d, theta) / eps:
//   loss = omega * log1p(u^q) + S * max(d - theta, 0)
//   |grad| = S = omega * q * u^(q-1) / (eps * (1 + u^q))
// S at u = theta / eps is the paper's A(y), so the linear branch A*d - C is the second term.
// u^(q-1) = 2^((q-1) log2 u) is 0 at u = 0 (q > 1 is checked by the caller): one log2, one
// exp2 and one log1p per pixel.
//
// Each pixel is one long dependency chain (log2 -> exp2 -> log1p, two divisions), about 200
// cycles, so a fused loop is bound by latency: the out-of-order window holds only about two
// groups of 4 pixels (unrolling into independent chains did not help). The work is split
// instead into three loops over a block of BLK pixels (loop fission), each loop's iterations
// independent of each other, so each is bound by throughput: pass 1 stores u in BUF_U and
// t = (q-1) log2(u) in BUF, pass 2 turns t into u^(q-1) = 2^t in place, pass 3 finishes the
// loss, the gradient and the weights. The buffers (4 KB each) stay in L1. Measured 1.7x the
// fused loop; reading u back instead of recomputing it shortens pass 3's chain (+10%).
const BLK: usize = 1024;
const BUF: usize = memory.data(<i32>BLK << 2, 16);
const BUF_U: usize = memory.data(<i32>BLK << 2, 16);

// One block of m pixels (m a multiple of 4, at most BLK). The target range of the input check
// is folded in pass 1; non-finite inputs show in the returned sum (see loss_batch).
function awing_block(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, m: usize, gs: v128): v128 {
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
  let acc = f32x4.splat(0.0);
  for (let i: usize = 0; i < m; i += 4) {
    const o = i << 2;
    const p = v128.load(pred + o), y = v128.load(target + o);
    const e = f32x4.sub(p, y);
    const d = f32x4.abs(e);
    const q = f32x4.sub(k(AW_ALPHA), y);
    const uq1 = v128.load(BUF + o);
    const uq = f32x4.mul(uq1, v128.load(BUF_U + o));
    const s = f32x4.div(f32x4.mul(f32x4.mul(k(AW_OMEGA_EPS), q), uq1), f32x4.add(uq, k(K_ONE)));
    const over = f32x4.pmax(f32x4.sub(d, k(AW_THETA)), f32x4.splat(0.0));
    const l = f32x4.add(f32x4.mul(k(AW_OMEGA), __log1p_f32x4(uq)), f32x4.mul(s, over));
    const lw = finish(l, sign_f32x4(e, s), v128.load(wt + o), gs, grad ? grad + o : 0);
    if (lmap) v128.store(lmap + o, lw);
    acc = f32x4.add(acc, lw);
  }
  return acc;
}

function loop_awing(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n4: usize, gs: v128): v128 {
  let acc = f32x4.splat(0.0);
  for (let b: usize = 0; b < n4; b += BLK) {
    const o = b << 2;
    const m = min(BLK, n4 - b);
    acc = f32x4.add(acc, awing_block(pred + o, target + o, wt + o, grad ? grad + o : 0, lmap ? lmap + o : 0, m, gs));
  }
  return acc;
}
function loop_mse(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n4: usize, gs: v128): v128 {
  return loop_kind(KIND_MSE, pred, target, wt, grad, lmap, n4, gs);
}
function loop_l1(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n4: usize, gs: v128): v128 {
  return loop_kind(KIND_L1, pred, target, wt, grad, lmap, n4, gs);
}
function loop_wing(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n4: usize, gs: v128): v128 {
  return loop_kind(KIND_WING, pred, target, wt, grad, lmap, n4, gs);
}
function loop_soft_wing(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n4: usize, gs: v128): v128 {
  return loop_kind(KIND_SOFT_WING, pred, target, wt, grad, lmap, n4, gs);
}

function loop_any(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n4: usize, gs: v128): v128 {
  if (kind == KIND_AWING) return loop_awing(pred, target, wt, grad, lmap, n4, gs);
  if (kind == KIND_MSE) return loop_mse(pred, target, wt, grad, lmap, n4, gs);
  if (kind == KIND_L1) return loop_l1(pred, target, wt, grad, lmap, n4, gs);
  if (kind == KIND_WING) return loop_wing(pred, target, wt, grad, lmap, n4, gs);
  return loop_soft_wing(pred, target, wt, grad, lmap, n4, gs);
}

// One contiguous run of n pixels with per-pixel weights wt. Writes grad * wt * gscale when
// grad != 0 and loss * wt when lmap != 0; returns the sum of loss * wt.
function run_pixels(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n: usize, gscale: f32): f64 {
  const gs = f32x4.splat(gscale);
  const n4 = n & ~(<usize>3);
  let acc = loop_any(pred, target, wt, grad, lmap, n4, gs);
  if (n4 < n) {
    // tail: a padded copy through the same body. Padding lanes have weight 0 and repeat the
    // last target as both prediction and target: zero error, a finite loss, and the target
    // range of the input check unchanged.
    const last = f32x4.splat(load<f32>(target + ((n - 1) << 2)));
    v128.store(TAIL, last);
    v128.store(TAIL, last, 16);
    memory.fill(TAIL + 32, 0, 48);
    const rest = (n - n4) << 2, o = n4 << 2;
    memory.copy(TAIL, pred + o, rest);
    memory.copy(TAIL + 16, target + o, rest);
    memory.copy(TAIL + 32, wt + o, rest);
    acc = f32x4.add(acc, loop_any(TAIL, TAIL + 16, TAIL + 32, TAIL + 48, TAIL + 64, 4, gs));
    if (grad) memory.copy(grad + o, TAIL + 48, rest);
    if (lmap) memory.copy(lmap + o, TAIL + 64, rest);
  }
  return <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
    (<f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3));
}

// dst[x] = max(src[x-1], src[x], src[x+1]) over one row of w pixels (out-of-row ignored)
function hmax3_row(dst: usize, src: usize, w: i32): void {
  if (w == 1) {
    store<f32>(dst, load<f32>(src));
    return;
  }
  store<f32>(dst, max(load<f32>(src), load<f32>(src + 4)));
  let x: i32 = 1;
  for (; x + 4 <= w - 1; x += 4) {
    const o = <usize>x << 2;
    const m = f32x4.pmax(f32x4.pmax(v128.load(src + o - 4), v128.load(src + o)), v128.load(src + o + 4));
    v128.store(dst + o, m);
  }
  for (; x < w - 1; x++) {
    const o = <usize>x << 2;
    store<f32>(dst + o, max(max(load<f32>(src + o - 4), load<f32>(src + o)), load<f32>(src + o + 4)));
  }
  const o = <usize>(w - 1) << 2;
  store<f32>(dst + o, max(load<f32>(src + o - 4), load<f32>(src + o)));
}

// dst[i] = (mapW * [max(rm[i+up], rm[i], rm[i+down]) > thr] + 1) * cw for i in [0, n)
function weight_rows(dst: usize, rm: usize, n: i32, up: isize, down: isize, mapW: f32, thr: f32, cw: f32): void {
  const hi = f32x4.splat((mapW + 1.0) * cw), lo = f32x4.splat(cw), th = f32x4.splat(thr);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const m = f32x4.pmax(f32x4.pmax(v128.load(rm + o + up), v128.load(rm + o)), v128.load(rm + o + down));
    v128.store(dst + o, v128.bitselect(hi, lo, f32x4.gt(m, th)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const m = max(max(load<f32>(rm + o + up), load<f32>(rm + o)), load<f32>(rm + o + down));
    store<f32>(dst + o, m > thr ? (mapW + 1.0) * cw : cw);
  }
}

/**
 * The weight map of one h x w channel into dst: (mapW * M + 1) * cw with
 * M = [3x3 grey dilation of target > thr]. The dilation is separable: a 3-max along each
 * row into rm (h*w floats of scratch), then a 3-max down the columns.
 */
export function weight_map(dst: usize, target: usize, rm: usize, h: i32, w: i32, mapW: f32, thr: f32, cw: f32): void {
  const row = <usize>w << 2;
  for (let r: i32 = 0; r < h; r++) hmax3_row(rm + <usize>r * row, target + <usize>r * row, w);
  const down: isize = h > 1 ? <isize>row : 0;
  weight_rows(dst, rm, w, 0, down, mapW, thr, cw);
  if (h > 2) weight_rows(dst + row, rm + row, (h - 2) * w, -<isize>row, <isize>row, mapW, thr, cw);
  if (h > 1) {
    const last = <usize>(h - 1) * row;
    weight_rows(dst + last, rm + last, w, -<isize>row, 0, mapW, thr, cw);
  }
}

/**
 * The selected loss over `channels` channels of h x w pixels, contiguous from pred/target.
 * Per channel c the weight is chanW[c] (1 when chanW is 0), times (mapW * M + 1) when
 * mapW != 0. The gradient (times gscale) goes to grad and the weighted per-pixel loss to
 * lmap when those are non-zero. scratch holds 2*h*w floats. Returns the weighted sum; the
 * fused input check of pred and target lands at {@link check_out}.
 */
export function loss_batch(
  pred: usize, target: usize, grad: usize, lmap: usize, channels: i32, h: i32, w: i32,
  chanW: usize, mapW: f32, thr: f32, gscale: f32, scratch: usize,
): f64 {
  const hw = <usize>h * <usize>w;
  const bytes = hw << 2;
  const wt = scratch, rm = scratch + bytes;
  let total: f64 = 0;
  let lastCw: f32 = NaN;
  v128.store(RANGE, i32x4.splat(-1));
  v128.store(RANGE, f32x4.splat(Infinity), 16);
  v128.store(RANGE, f32x4.splat(-Infinity), 32);
  for (let c: i32 = 0; c < channels; c++) {
    const off = <usize>c * bytes;
    const cw: f32 = chanW ? load<f32>(chanW + (<usize>c << 2)) : 1.0;
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
    total += run_pixels(pred + off, target + off, wt, grad ? grad + off : 0, lmap ? lmap + off : 0, hw, gscale);
  }
  const fin = v128.load(RANGE), tmin = v128.load(RANGE, 16), tmax = v128.load(RANGE, 32);
  store<f32>(CHECK_OUT, v128.all_true<i32>(fin) && isFinite(total) ? 1.0 : 0.0);
  store<f32>(CHECK_OUT, min(min(f32x4.extract_lane(tmin, 0), f32x4.extract_lane(tmin, 1)), min(f32x4.extract_lane(tmin, 2), f32x4.extract_lane(tmin, 3))), 4);
  store<f32>(CHECK_OUT, max(max(f32x4.extract_lane(tmax, 0), f32x4.extract_lane(tmax, 1)), max(f32x4.extract_lane(tmax, 2), f32x4.extract_lane(tmax, 3))), 8);
  return total;
}

/**
 * Address of the input check of the last {@link loss_batch}: f32 (1 when every
 * |pred - target| was finite, else 0; 0 means "rescan exactly"), then the minimum and the
 * maximum of the targets.
 */
export function check_out(): usize {
  return CHECK_OUT;
}
