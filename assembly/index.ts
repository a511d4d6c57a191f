// Entry point of the awing WASM core: every export of the module.
// @ts-nocheck: AssemblyScript source, compiled by asc
import { __exp2_f32x4, __exp_f32x4, __log1p_f32x4, __log2_f32x4 } from "./_simd_math";
export { check_out, loss_batch, set_loss, weight_map } from "./loss";
export { gauss_channels } from "./heatmap";
export { argmax_channels, blur_block5, blur_channel, softargmax_channels } from "./decode";

/** First free byte after static data: the TypeScript arena starts here (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// min and max of n floats at ptr, written to RANGE_OUT (f32 min, f32 max); both are NaN when
// any value is NaN. Pseudo-min/max are single instructions; NaNs are tracked by a separate
// x != x mask, so one cheap pass answers "any NaN or Inf?" and "max?".
const RANGE_OUT: usize = memory.data(8, 16);

/** Address where {@link range_f32} writes its (min, max) pair. */
export function range_out(): usize {
  return RANGE_OUT;
}

/** Scans n floats at ptr for their minimum and maximum (NaN if any is NaN). */
export function range_f32(ptr: usize, n: usize): void {
  let lo = f32x4.splat(Infinity), hi = f32x4.splat(-Infinity), nan = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(ptr + (i << 2));
    lo = f32x4.pmin(lo, v);
    hi = f32x4.pmax(hi, v);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  for (; i < n; i++) {
    const v = f32x4.splat(load<f32>(ptr + (i << 2)));
    lo = f32x4.pmin(lo, v);
    hi = f32x4.pmax(hi, v);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  let mn = min(min(f32x4.extract_lane(lo, 0), f32x4.extract_lane(lo, 1)), min(f32x4.extract_lane(lo, 2), f32x4.extract_lane(lo, 3)));
  let mx = max(max(f32x4.extract_lane(hi, 0), f32x4.extract_lane(hi, 1)), max(f32x4.extract_lane(hi, 2), f32x4.extract_lane(hi, 3)));
  if (v128.any_true(nan)) {
    mn = NaN;
    mx = NaN;
  }
  store<f32>(RANGE_OUT, mn);
  store<f32>(RANGE_OUT + 4, mx);
}

// @ts-ignore: decorator
@inline function math_f32x4(kind: i32, x: v128): v128 {
  if (kind == 0) return __exp_f32x4(x);
  if (kind == 1) return __log2_f32x4(x);
  if (kind == 2) return __log1p_f32x4(x);
  return __exp2_f32x4(x);
}

/**
 * exp, log2, log1p and exp2 of the vector core over n floats (for accuracy tests): kind 0, 1,
 * 2 and 3.
 */
export function math_f32(kind: i32, src: usize, dst: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (i << 2), math_f32x4(kind, v128.load(src + (i << 2))));
  for (; i < n; i++) {
    const y = math_f32x4(kind, f32x4.splat(load<f32>(src + (i << 2))));
    store<f32>(dst + (i << 2), f32x4.extract_lane(y, 0));
  }
}
