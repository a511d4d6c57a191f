// The input check fused into the loss passes. Every loop folds its pixels into three f32x4
// accumulators kept in RANGE between calls: FIN (all lanes true while every
// |pred - target| < inf, so any NaN or infinite input clears it; a finite pair whose
// difference overflows clears it too, and the driver then rescans exactly), TMIN and TMAX (the
// target range). The loops read them once on entry and write them once on exit, never per
// pixel. AWing's loops skip FIN: a NaN or infinite prediction or target always makes its
// weighted loss NaN or infinite (d = inf gives S * inf or 0 * inf, and a NaN reaches S or the
// linear term), so a finite sum proves finite inputs. loss_batch resets the accumulators and
// CHECK_OUT receives (FIN and a finite sum ? 1 : 0, min target, max target) as f32; a sum
// that overflows also reads as 0, and the driver's exact rescan then finds nothing.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { hmax_f32, hmin_f32 } from "./_lanes";
import { k, K_INF } from "./_simd_math";

/** FIN, TMIN and TMAX, one f32x4 each. */
export const RANGE: usize = memory.data(48, 16);
const CHECK_OUT: usize = memory.data(12, 16);

/** FIN of 4 more pixels; its ops hang off the loss's long dependency chain (nearly free). */
// @ts-ignore: decorator
@inline export function check_f32x4(fin: v128, p: v128, y: v128): v128 {
  return v128.and(fin, f32x4.lt(f32x4.abs(f32x4.sub(p, y)), k(K_INF)));
}

/** Starts a check: FIN all true, an empty target range. */
export function check_reset(): void {
  v128.store(RANGE, i32x4.splat(-1));
  v128.store(RANGE, f32x4.splat(Infinity), 16);
  v128.store(RANGE, f32x4.splat(-Infinity), 32);
}

/** Ends a check whose loss sum is total: writes the verdict and the target range. */
export function check_store(total: f64): void {
  const fin = v128.load(RANGE), tmin = v128.load(RANGE, 16), tmax = v128.load(RANGE, 32);
  store<f32>(CHECK_OUT, v128.all_true<i32>(fin) && isFinite(total) ? 1.0 : 0.0);
  store<f32>(CHECK_OUT, hmin_f32(tmin), 4);
  store<f32>(CHECK_OUT, hmax_f32(tmax), 8);
}

/**
 * Address of the input check of the last {@link loss_batch}: f32 (1 when every
 * |pred - target| was finite, else 0; 0 means "rescan exactly"), then the minimum and the
 * maximum of the targets.
 */
export function check_out(): usize {
  return CHECK_OUT;
}
