// The minimum and maximum of an array in one pass, NaN-aware.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { hmax_f32, hmin_f32 } from "./_lanes";

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
  let mn = hmin_f32(lo);
  let mx = hmax_f32(hi);
  if (v128.any_true(nan)) {
    mn = NaN;
    mx = NaN;
  }
  store<f32>(RANGE_OUT, mn);
  store<f32>(RANGE_OUT + 4, mx);
}
