// Horizontal reductions: the four lanes of one f32x4 folded into a scalar (or into an f64x2
// accumulator). Every kernel that accumulates in f32x4 lanes ends with one of these.

// @ts-nocheck: AssemblyScript source, compiled by asc

/** The sum of the four f32 lanes of v in f64, added as (v0 + v1) + (v2 + v3). */
// @ts-ignore: decorator
@inline export function hsum_f64(v: v128): f64 {
  return <f64> f32x4.extract_lane(v, 0) + <f64> f32x4.extract_lane(v, 1) +
    (<f64> f32x4.extract_lane(v, 2) + <f64> f32x4.extract_lane(v, 3));
}

/** The largest of the four f32 lanes of v (NaN when any lane is NaN). */
// @ts-ignore: decorator
@inline export function hmax_f32(v: v128): f32 {
  const a = f32x4.max(v, f32x4.shuffle(v, v, 2, 3, 0, 1));
  const b = f32x4.max(a, f32x4.shuffle(a, a, 1, 0, 3, 2));
  return f32x4.extract_lane(b, 0);
}

/** The smallest of the four f32 lanes of v (NaN when any lane is NaN). */
// @ts-ignore: decorator
@inline export function hmin_f32(v: v128): f32 {
  const a = f32x4.min(v, f32x4.shuffle(v, v, 2, 3, 0, 1));
  const b = f32x4.min(a, f32x4.shuffle(a, a, 1, 0, 3, 2));
  return f32x4.extract_lane(b, 0);
}

/** Pixels a loss loop adds in f32x4 before it folds them into its f64x2 sum (8 per lane). */
export const FOLD: usize = 32;

/**
 * acc64 (an f64x2) plus the four f32 lanes of acc32, in f64: lanes 0 and 2 go to the low
 * half, 1 and 3 to the high one.
 */
// @ts-ignore: decorator
@inline export function fold_f64x2(acc64: v128, acc32: v128): v128 {
  const high = f64x2.promote_low_f32x4(f32x4.shuffle(acc32, acc32, 2, 3, 0, 1));
  return f64x2.add(acc64, f64x2.add(f64x2.promote_low_f32x4(acc32), high));
}

/** The sum of the two f64 lanes of v. */
// @ts-ignore: decorator
@inline export function hsum_f64x2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}
