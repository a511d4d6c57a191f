// The vector transcendental functions of _simd_math.ts over arrays, for the accuracy tests.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { __exp2_f32x4, __exp_f32x4, __log1p_f32x4, __log2_f32x4 } from "./_simd_math";

// @ts-ignore: decorator
@inline function math_f32x4(fn: i32, x: v128): v128 {
  if (fn == 0) return __exp_f32x4(x);
  if (fn == 1) return __log2_f32x4(x);
  if (fn == 2) return __log1p_f32x4(x);
  return __exp2_f32x4(x);
}

/**
 * exp, log2, log1p and exp2 of the vector core over n floats (for accuracy tests): fn 0, 1,
 * 2 and 3.
 */
export function math_f32(fn: i32, src: usize, dst: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (i << 2), math_f32x4(fn, v128.load(src + (i << 2))));
  for (; i < n; i++) {
    const y = math_f32x4(fn, f32x4.splat(load<f32>(src + (i << 2))));
    store<f32>(dst + (i << 2), f32x4.extract_lane(y, 0));
  }
}
