// The per-pixel math of the baseline losses: MSE, L1, Wing and Soft Wing. Each function takes
// 4 predictions p, 4 targets y, their weights w and the gradient scale gs, reads its
// parameters from loss_params.ts, returns the weighted loss w * L and, when g != 0, stores the
// weighted gradient w * gs * dL/dp at address g (see {@link finish}).

// @ts-nocheck: AssemblyScript source, compiled by asc
import { finish, sign_f32x4 } from "./_pixel";
import { __log1p_f32x4, k, K_ONE } from "./_simd_math";
import { P0, P1, P2, P3 } from "./loss_params";

/** (p - y)^2. */
// @ts-ignore: decorator
@inline export function mse_f32x4(p: v128, y: v128, w: v128, gs: v128, g: usize): v128 {
  const e = f32x4.sub(p, y);
  return finish(f32x4.mul(e, e), f32x4.add(e, e), w, gs, g);
}

/** |p - y|. */
// @ts-ignore: decorator
@inline export function l1_f32x4(p: v128, y: v128, w: v128, gs: v128, g: usize): v128 {
  const e = f32x4.sub(p, y);
  return finish(f32x4.abs(e), sign_f32x4(e, k(K_ONE)), w, gs, g);
}

/** Wing (Feng et al. 2018), P0..P2 = w, epsilon, C: w * log1p(d / eps) for d < w, else d - C. */
// @ts-ignore: decorator
@inline export function wing_f32x4(p: v128, y: v128, wt: v128, gs: v128, g: usize): v128 {
  const w = k(P0), eps = k(P1), c = k(P2);
  const e = f32x4.sub(p, y);
  const d = f32x4.abs(e);
  const inner = f32x4.lt(d, w);
  const grad = sign_f32x4(e, v128.bitselect(f32x4.div(w, f32x4.add(eps, d)), k(K_ONE), inner));
  const l = v128.bitselect(f32x4.mul(w, __log1p_f32x4(f32x4.div(d, eps))), f32x4.sub(d, c), inner);
  return finish(l, grad, wt, gs, g);
}

/**
 * Soft Wing (Lin et al. 2021), P0..P3 = w1, w2, epsilon, B: d for d < w1, else
 * w2 * log1p(d / eps) + B.
 */
// @ts-ignore: decorator
@inline export function soft_wing_f32x4(p: v128, y: v128, w: v128, gs: v128, g: usize): v128 {
  const w1 = k(P0), w2 = k(P1), eps = k(P2), b = k(P3);
  const e = f32x4.sub(p, y);
  const d = f32x4.abs(e);
  const inner = f32x4.lt(d, w1);
  const grad = sign_f32x4(e, v128.bitselect(k(K_ONE), f32x4.div(w2, f32x4.add(eps, d)), inner));
  const l = v128.bitselect(d, f32x4.add(f32x4.mul(w2, __log1p_f32x4(f32x4.div(d, eps))), b), inner);
  return finish(l, grad, w, gs, g);
}
