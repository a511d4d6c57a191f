// Fused per-pixel losses over batches of heatmaps: value, gradient with respect to the
// prediction, and the paper's weighted loss map, in one pass per channel.
//
// Pointer ABI (thi.ng/simd style): every array is a byte address into this module's memory,
// f32, row-major, no alignment requirement (v128.load/store accept any address; the
// TypeScript arena aligns to 16 anyway). Lengths of any size: the f32x4 body runs while
// i + 4 <= n and the last n % 4 pixels go through the same body on a zero-padded copy, so
// the tail uses exactly the same formula.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { __exp_f32x4, __log_f32x4, __log1p_f32x4 } from "./_simd_math";

/** Loss kinds, mirrored by src/_wasm.ts. */
export const KIND_AWING: i32 = 0;
export const KIND_MSE: i32 = 1;
export const KIND_L1: i32 = 2;
export const KIND_WING: i32 = 3;
export const KIND_SOFT_WING: i32 = 4;

let kind: i32 = KIND_AWING;
// AWing: alpha, omega, epsilon, theta. Wing: w, epsilon, C. Soft Wing: w1, w2, epsilon, B.
let P0: f32 = 2.1;
let P1: f32 = 14.0;
let P2: f32 = 1.0;
let P3: f32 = 0.5;

/** Selects the loss and its parameters for the following {@link loss_batch} calls. */
export function set_loss(k: i32, p0: f32, p1: f32, p2: f32, p3: f32): void {
  kind = k;
  P0 = p0;
  P1 = p1;
  P2 = p2;
  P3 = p3;
}

// zero-padded staging for the last n % 4 pixels: pred, target, weight, grad, loss
const TAIL: usize = memory.data(80, 16);

// sign(e) as -1, 0, +1
// @ts-ignore: decorator
@inline function sign_f32x4(e: v128): v128 {
  const one = f32x4.splat(1.0);
  const pos = v128.and(f32x4.gt(e, f32x4.splat(0.0)), one);
  const neg = v128.and(f32x4.lt(e, f32x4.splat(0.0)), one);
  return f32x4.sub(pos, neg);
}

// AWing on 4 pixels. With d = |y - p|, q = alpha - y, u = min(d, theta) / eps:
//   loss = omega * log1p(u^q) + S * max(d - theta, 0)
//   |grad| = S = omega * q * u^(q-1) / (eps * (1 + u^q))
// S at u = theta / eps is the paper's A(y), so the linear branch A*d - C is the second term.
// u^(q-1) = exp((q-1) log u) is 0 at u = 0 (q > 1 is checked by the caller): one log, one exp
// and one log1p per pixel. Returns the loss; writes sign(p - y) * |grad| to GRAD_OUT.
let GRAD_OUT: v128 = f32x4.splat(0.0);

// @ts-ignore: decorator
@inline function awing_f32x4(p: v128, y: v128): v128 {
  const alpha = f32x4.splat(P0), omega = f32x4.splat(P1);
  const eps = f32x4.splat(P2), theta = f32x4.splat(P3);
  const e = f32x4.sub(p, y);
  const d = f32x4.abs(e);
  const q = f32x4.sub(alpha, y);
  const u = f32x4.div(f32x4.min(d, theta), eps);
  const uq1 = __exp_f32x4(f32x4.mul(f32x4.sub(q, f32x4.splat(1.0)), __log_f32x4(u)));
  const uq = f32x4.mul(uq1, u);
  const s = f32x4.div(f32x4.mul(f32x4.mul(omega, q), uq1), f32x4.mul(eps, f32x4.add(uq, f32x4.splat(1.0))));
  const over = f32x4.max(f32x4.sub(d, theta), f32x4.splat(0.0));
  GRAD_OUT = f32x4.mul(sign_f32x4(e), s);
  return f32x4.add(f32x4.mul(omega, __log1p_f32x4(uq)), f32x4.mul(s, over));
}

// @ts-ignore: decorator
@inline function mse_f32x4(p: v128, y: v128): v128 {
  const e = f32x4.sub(p, y);
  GRAD_OUT = f32x4.add(e, e);
  return f32x4.mul(e, e);
}

// @ts-ignore: decorator
@inline function l1_f32x4(p: v128, y: v128): v128 {
  const e = f32x4.sub(p, y);
  GRAD_OUT = sign_f32x4(e);
  return f32x4.abs(e);
}

// Wing (Feng et al. 2018): w * log1p(d / eps) for d < w, else d - C.
// @ts-ignore: decorator
@inline function wing_f32x4(p: v128, y: v128): v128 {
  const w = f32x4.splat(P0), eps = f32x4.splat(P1), c = f32x4.splat(P2);
  const e = f32x4.sub(p, y);
  const d = f32x4.abs(e);
  const inner = f32x4.lt(d, w);
  const sg = sign_f32x4(e);
  GRAD_OUT = v128.bitselect(f32x4.div(f32x4.mul(sg, w), f32x4.add(eps, d)), sg, inner);
  return v128.bitselect(f32x4.mul(w, __log1p_f32x4(f32x4.div(d, eps))), f32x4.sub(d, c), inner);
}

// Soft Wing (Lin et al. 2021): d for d < w1, else w2 * log1p(d / eps) + B.
// @ts-ignore: decorator
@inline function soft_wing_f32x4(p: v128, y: v128): v128 {
  const w1 = f32x4.splat(P0), w2 = f32x4.splat(P1), eps = f32x4.splat(P2), b = f32x4.splat(P3);
  const e = f32x4.sub(p, y);
  const d = f32x4.abs(e);
  const inner = f32x4.lt(d, w1);
  const sg = sign_f32x4(e);
  GRAD_OUT = v128.bitselect(sg, f32x4.div(f32x4.mul(sg, w2), f32x4.add(eps, d)), inner);
  return v128.bitselect(d, f32x4.add(f32x4.mul(w2, __log1p_f32x4(f32x4.div(d, eps))), b), inner);
}

// @ts-ignore: decorator
@inline function pixel_f32x4(p: v128, y: v128): v128 {
  if (kind == KIND_AWING) return awing_f32x4(p, y);
  if (kind == KIND_MSE) return mse_f32x4(p, y);
  if (kind == KIND_L1) return l1_f32x4(p, y);
  if (kind == KIND_WING) return wing_f32x4(p, y);
  return soft_wing_f32x4(p, y);
}

// One contiguous run of n pixels with per-pixel weights wt. Writes grad * wt * gscale when
// grad != 0 and loss * wt when lmap != 0; returns the sum of loss * wt.
function run_pixels(pred: usize, target: usize, wt: usize, grad: usize, lmap: usize, n: usize, gscale: f32): f64 {
  const gs = f32x4.splat(gscale);
  let acc = f32x4.splat(0.0);
  let i: usize = 0;
  const n4 = n & ~(<usize>3);
  if (kind == KIND_AWING) {
    // the hot path, specialised so that no kind test remains in the loop
    for (; i < n4; i += 4) {
      const o = i << 2;
      const w = v128.load(wt + o);
      const l = f32x4.mul(awing_f32x4(v128.load(pred + o), v128.load(target + o)), w);
      acc = f32x4.add(acc, l);
      if (grad) v128.store(grad + o, f32x4.mul(GRAD_OUT, f32x4.mul(w, gs)));
      if (lmap) v128.store(lmap + o, l);
    }
  } else {
    for (; i < n4; i += 4) {
      const o = i << 2;
      const w = v128.load(wt + o);
      const l = f32x4.mul(pixel_f32x4(v128.load(pred + o), v128.load(target + o)), w);
      acc = f32x4.add(acc, l);
      if (grad) v128.store(grad + o, f32x4.mul(GRAD_OUT, f32x4.mul(w, gs)));
      if (lmap) v128.store(lmap + o, l);
    }
  }
  if (i < n) {
    // tail: zero-padded copy through the same body (padding lanes have weight 0)
    v128.store(TAIL, f32x4.splat(0.0));
    v128.store(TAIL + 16, f32x4.splat(0.0));
    v128.store(TAIL + 32, f32x4.splat(0.0));
    const rest = n - i;
    memory.copy(TAIL, pred + (i << 2), rest << 2);
    memory.copy(TAIL + 16, target + (i << 2), rest << 2);
    memory.copy(TAIL + 32, wt + (i << 2), rest << 2);
    const w = v128.load(TAIL + 32);
    const l = f32x4.mul(pixel_f32x4(v128.load(TAIL), v128.load(TAIL + 16)), w);
    acc = f32x4.add(acc, l);
    v128.store(TAIL + 48, f32x4.mul(GRAD_OUT, f32x4.mul(w, gs)));
    v128.store(TAIL + 64, l);
    if (grad) memory.copy(grad + (i << 2), TAIL + 48, rest << 2);
    if (lmap) memory.copy(lmap + (i << 2), TAIL + 64, rest << 2);
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
    const m = f32x4.max(f32x4.max(v128.load(src + o - 4), v128.load(src + o)), v128.load(src + o + 4));
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
    const m = f32x4.max(f32x4.max(v128.load(rm + o + up), v128.load(rm + o)), v128.load(rm + o + down));
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
 * lmap when those are non-zero. scratch holds 2*h*w floats. Returns the weighted sum.
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
  return total;
}
