// Horizontal reductions: the four lanes of one f32x4 folded into a scalar. Every kernel that
// accumulates in f32x4 lanes ends with one of these.

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
