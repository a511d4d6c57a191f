// What every per-pixel loss shares: the sign of the error and the weighted finish.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { k, K_SIGN } from "./_simd_math";

/** sign(e) * m for m >= 0, and 0 where e == 0 (the derivative at zero error is taken as 0). */
// @ts-ignore: decorator
@inline export function sign_f32x4(e: v128, m: v128): v128 {
  const signed = v128.or(m, v128.and(e, k(K_SIGN)));
  return v128.andnot(signed, f32x4.eq(e, f32x4.splat(0.0)));
}

/**
 * The weighted loss w * l of 4 pixels; when g != 0 it also stores their weighted gradient
 * grad * w * gs at address g.
 */
// @ts-ignore: decorator
@inline export function finish(l: v128, grad: v128, w: v128, gs: v128, g: usize): v128 {
  if (g) v128.store(g, f32x4.mul(grad, f32x4.mul(w, gs)));
  return f32x4.mul(l, w);
}
