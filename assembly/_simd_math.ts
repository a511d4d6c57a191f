// Vector transcendental functions over f32x4 (WASM SIMD has none).
//
// exp is the Cephes single-precision approximation (S. Moshier) and log follows musl's logf
// (atanh reduction, minimax polynomial); both are accurate to a few ulp over the domains
// stated below (tests/simd_math_test.ts measures it). They are written for the hot loops: no
// NaN or infinity handling beyond what is stated, pseudo-min/max (one instruction each) for
// the clamps, and the 1.5 * 2^23 rounding trick instead of trunc_sat. log1p reuses the log
// reduction with the argument itself as the reduced value whenever 1 + x < sqrt(2), so it is
// exact-domain for tiny x without a compensating division.

// @ts-nocheck: AssemblyScript source, compiled by asc

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const ROUNDER: f32 = 12582912.0; // 1.5 * 2^23: adding it rounds to an integer held in the low bits
const EXP_HI: f32 = 88.0; // keeps round(x * log2(e)) <= 127
// Below -87 the result is flushed to 0: exp(-87) = 1.6e-38 is the smallest normal result, so no
// intermediate is ever subnormal (subnormal arithmetic is many times slower on x86).
const EXP_LO: f32 = -87.0;

/** The smallest normal f32; clamp arguments of {@link __log_f32x4} to at least this. */
export const MIN_NORMAL: f32 = 1.17549435e-38;

/**
 * exp(x) per lane, for finite x: exact to about 2 ulp on [-87, 88], 0 below -87 (no subnormal
 * results or intermediates), exp(88) above 88. NaN in gives NaN out.
 */
// @ts-ignore: decorator
@inline export function __exp_f32x4(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  // t = round(xc * log2(e)) + 1.5 * 2^23; its low mantissa bits hold the integer k
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const fx = f32x4.sub(t, f32x4.splat(ROUNDER));
  let r = f32x4.sub(xc, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), f32x4.splat(1.0));
  // 2^k from the bits of t: bits(t) = 0x4B400000 + k, so (bits(t) - 0x4B400000 + 127) << 23
  const pow2 = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4B400000)), 23);
  return v128.and(f32x4.mul(y, pow2), f32x4.ge(x, f32x4.splat(EXP_LO)));
}

// ln(1 + f) + e ln 2 for f in [sqrt(1/2) - 1, sqrt(2) - 1] (musl's logf reduction):
// with s = f / (2 + f), ln(1 + f) = 2 atanh(s) = f - f^2/2 + s (f^2/2 + R(s^2)), R a minimax
// polynomial (Lg1..Lg4); e ln 2 is added in two parts. Error below 1 ulp before rounding.
// @ts-ignore: decorator
@inline function __log_reduced(f: v128, ef: v128): v128 {
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2.0)));
  const z = f32x4.mul(s, s);
  let r = f32x4.splat(0.24279078841);
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(0.28498786688));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(0.40000972152));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(0.66666662693));
  r = f32x4.mul(r, z);
  const hfsq = f32x4.mul(f32x4.mul(f32x4.splat(0.5), f), f);
  const lo = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, r)), f32x4.mul(ef, f32x4.splat(LN2_LO)));
  return f32x4.add(f32x4.add(f32x4.sub(lo, hfsq), f), f32x4.mul(ef, f32x4.splat(LN2_HI)));
}

// The exponent e of x = m * 2^e with m in [sqrt(1/2), sqrt(2)), as i32 lanes.
// @ts-ignore: decorator
@inline function __exponent(x: v128): v128 {
  const e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  // the mantissa of x as a float in [0.5, 1) is below sqrt(1/2) exactly when its bits are
  return i32x4.add(e, i32x4.lt_s(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x003504f3)));
}

// m - 1 for the m of {@link __exponent}: x with its exponent replaced, minus 1.
// @ts-ignore: decorator
@inline function __mantissa_m1(x: v128, e: v128): v128 {
  const m = i32x4.sub(x, i32x4.shl(e, 23));
  return f32x4.sub(m, f32x4.splat(1.0));
}

/**
 * Natural log per lane, for positive normal x (>= MIN_NORMAL, finite): about 2 ulp.
 * Zero, subnormal, negative, infinite or NaN arguments give unspecified results; callers
 * clamp first.
 */
// @ts-ignore: decorator
@inline export function __log_f32x4(x: v128): v128 {
  const e = __exponent(x);
  return __log_reduced(__mantissa_m1(x, e), f32x4.convert_i32x4_s(e));
}

/**
 * log(1 + x) per lane for finite x >= 0, accurate for tiny x as well: when 1 + x < sqrt(2)
 * the reduced argument is x itself (exact), otherwise the rounding of 1 + x is negligible
 * against a result above 0.34.
 */
// @ts-ignore: decorator
@inline export function __log1p_f32x4(x: v128): v128 {
  const u = f32x4.add(x, f32x4.splat(1.0));
  const e = __exponent(u);
  const f = v128.bitselect(x, __mantissa_m1(u, e), i32x4.eq(e, i32x4.splat(0)));
  return __log_reduced(f, f32x4.convert_i32x4_s(e));
}
