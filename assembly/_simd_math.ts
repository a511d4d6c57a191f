// Vector transcendental functions over f32x4 (WASM SIMD has none): exp (Cephes, S. Moshier),
// exp2 (r in [-1/2, 1/2] exactly, a degree-6 minimax polynomial fitted for this module), log2
// and log1p (musl's logf: atanh reduction, minimax polynomial; log1p takes the argument itself
// as the reduced value while 1 + x < sqrt(2), exact for tiny x). All are accurate to a few ulp
// over the domains stated below (tests/simd_math_test.ts measures it) and written for the hot
// loops: no NaN or infinity handling beyond what is stated, pseudo-min/max for the clamps, the
// 1.5 * 2^23 rounding trick instead of trunc_sat.
//
// Constants are f32 (or i32) static data read with k(), one vbroadcastss from L1, never
// f32x4.splat(literal): asc folds that into a v128.const, which V8 (x64) materialises where it
// is used, inside the loop, as three instructions (one a GPR -> XMM transfer), unhoisted.

// @ts-nocheck: AssemblyScript source, compiled by asc

/** The 4-lane splat of the 32-bit constant stored at `addr` (see the note above). */
// @ts-ignore: decorator
@inline export function k(addr: usize): v128 {
  return v128.load32_splat(addr);
}

// constants the loss kernels read too (K_MIN_NORMAL below as well)
export const K_ONE: usize = memory.data<f32>([1.0]);
export const K_SIGN: usize = memory.data<f32>([-0.0]);
export const K_INF: usize = memory.data<f32>([Infinity]);

const K_TWO: usize = memory.data<f32>([2.0]);
const K_HALF: usize = memory.data<f32>([0.5]);

const K_LOG2E: usize = memory.data<f32>([1.44269504088896341]);
const K_LN2_HI: usize = memory.data<f32>([0.693359375]);
const K_LN2_LO: usize = memory.data<f32>([-2.12194440e-4]);
// 1.5 * 2^23: adding it rounds to an integer held in the low bits
const K_ROUNDER: usize = memory.data<f32>([12582912.0]);
const K_EXP_HI: usize = memory.data<f32>([88.0]); // keeps round(x * log2(e)) <= 127
// Below -87 the result is flushed to 0: exp(-87) = 1.6e-38 is the smallest normal result, so no
// intermediate is ever subnormal (subnormal arithmetic is many times slower on x86).
const K_EXP_LO: usize = memory.data<f32>([-87.0]);
// Cephes' P of exp(r) = 1 + r + r^2 P(r), in ascending powers of r
const K_EXP_P: usize = memory.data<f32>([
  5.0000001201e-1,
  1.6666665459e-1,
  4.1665795894e-2,
  8.3334519073e-3,
  1.3981999507e-3,
  1.9875691500e-4,
]);
const K_EXP_BIAS: usize = memory.data<i32>([127 - 0x4B400000]);
// R(z) / z ~ Lg1 + Lg2 z + Lg3 z^2 for z = s^2 in [0, 0.0295] (see __log_lo): refitted for
// f32 (Lawson's weighted least squares, relative error 8e-10 of ln(1 + f)); musl's four
// coefficients reach 5e-12, more than f32 can hold
const K_LG3: usize = memory.data<f32>([0.298706978559494]);
const K_LG2: usize = memory.data<f32>([0.39977583289146423]);
const K_LG1: usize = memory.data<f32>([0.6666677594184875]);
const K_MANT: usize = memory.data<i32>([0x007fffff]);
const K_SQRTH: usize = memory.data<i32>([0x3f3504f3]); // the bits of sqrt(1/2)

/** The smallest normal f32; clamp arguments of {@link __log2_f32x4} to at least this. */
export const MIN_NORMAL: f32 = 1.17549435e-38;
export const K_MIN_NORMAL: usize = memory.data<f32>([MIN_NORMAL]);

// The last step of exp and exp2: y * 2^k, with t = k + 1.5 * 2^23 from the rounding trick
// (bits(t) = 0x4B400000 + k, so 2^k has the bits (bits(t) - 0x4B400000 + 127) << 23), and 0
// where x is below the flush limit lo (or NaN).
// @ts-ignore: decorator
@inline function __scale_pow2(y: v128, t: v128, x: v128, lo: v128): v128 {
  const pow2 = i32x4.shl(i32x4.add(t, k(K_EXP_BIAS)), 23);
  return v128.and(f32x4.mul(y, pow2), f32x4.ge(x, lo));
}

/**
 * c[0] + c[1] r + ... + c[5] r^5 per lane by Estrin's scheme (three independent linear terms
 * combined with r2 = r^2 and r4 = r^4), the 6 coefficients read with k() from c onward.
 */
// @ts-ignore: decorator
@inline function __estrin5(r: v128, r2: v128, r4: v128, c: usize): v128 {
  const a = f32x4.add(f32x4.mul(k(c + 4), r), k(c));
  const b = f32x4.add(f32x4.mul(k(c + 12), r), k(c + 8));
  const d = f32x4.add(f32x4.mul(k(c + 20), r), k(c + 16));
  return f32x4.add(f32x4.add(a, f32x4.mul(r2, b)), f32x4.mul(r4, d));
}

/**
 * exp(x) per lane, for finite x: exact to about 2 ulp on [-87, 88], 0 below -87 (no subnormal
 * results or intermediates), exp(88) above 88. NaN in gives NaN out.
 */
// @ts-ignore: decorator
@inline export function __exp_f32x4(x: v128): v128 {
  const lo = k(K_EXP_LO);
  const xc = f32x4.pmin(f32x4.pmax(x, lo), k(K_EXP_HI));
  // t = round(xc * log2(e)) + 1.5 * 2^23; its low mantissa bits hold the integer k
  const rounder = k(K_ROUNDER);
  const t = f32x4.add(f32x4.mul(xc, k(K_LOG2E)), rounder);
  const fx = f32x4.sub(t, rounder);
  let r = f32x4.sub(xc, f32x4.mul(fx, k(K_LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, k(K_LN2_LO)));
  // exp(r) = 1 + r + r^2 P(r), P of degree 5 evaluated by Estrin's scheme: three independent
  // linear terms combined with r^2 and r^4, about half the latency of Horner's 5 steps
  const z = f32x4.mul(r, r);
  const z2 = f32x4.mul(z, z);
  const y0 = __estrin5(r, z, z2, K_EXP_P);
  return __scale_pow2(f32x4.add(f32x4.add(f32x4.mul(y0, z), r), k(K_ONE)), t, x, lo);
}

// 2^x stays normal on [-126, 127]; below -126 it is flushed to 0 like exp below -87
const K_EXP2_HI: usize = memory.data<f32>([127.0]);
const K_EXP2_LO: usize = memory.data<f32>([-126.0]);
// (2^r - 1) / r ~ C0 + C1 r + ... + C5 r^5 on [-1/2, 1/2], minimax in relative error of 2^r
// (Lawson's weighted least squares, then rounded to f32): 2e-9 before rounding
const K_EXP2_C: usize = memory.data<f32>([
  0.6931471824645996,
  0.24022647738456726,
  0.055503323674201965,
  0.009618437848985195,
  0.0013398872688412666,
  0.00015353341586887836,
]);

/**
 * 2^x per lane for finite x: about 2 ulp on [-126, 127], 0 below -126 (no subnormal results
 * or intermediates), 2^127 above; NaN in gives 0. With x = k + r, k = round(x) and r in
 * [-1/2, 1/2] exact (no Cody-Waite split needed, unlike exp), 2^r = 1 + r P(r), P of degree 5
 * by Estrin's scheme.
 */
// @ts-ignore: decorator
@inline export function __exp2_f32x4(x: v128): v128 {
  const lo = k(K_EXP2_LO);
  const xc = f32x4.pmin(f32x4.pmax(x, lo), k(K_EXP2_HI));
  const rounder = k(K_ROUNDER);
  const t = f32x4.add(xc, rounder);
  const r = f32x4.sub(xc, f32x4.sub(t, rounder));
  const r2 = f32x4.mul(r, r);
  const r4 = f32x4.mul(r2, r2);
  const p = __estrin5(r, r2, r4, K_EXP2_C);
  return __scale_pow2(f32x4.add(f32x4.mul(r, p), k(K_ONE)), t, x, lo);
}

// ln(1 + f) for f in [sqrt(1/2) - 1, sqrt(2) - 1] (musl's logf reduction): with
// s = f / (2 + f), ln(1 + f) = 2 atanh(s) = f - f^2/2 + s (f^2/2 + R(s^2)), R a minimax
// polynomial (Lg1..Lg3). Given hfsq = f^2/2 it returns lo = s (f^2/2 + R), so that
// ln(1 + f) = (lo - hfsq) + f; the callers add e ln 2 (or e) where it costs no accuracy.
// @ts-ignore: decorator
@inline function __log_lo(f: v128, hfsq: v128): v128 {
  const s = f32x4.div(f, f32x4.add(f, k(K_TWO)));
  const z = f32x4.mul(s, s);
  // R(z) = z (Lg1 + Lg2 z + Lg3 z^2) by Estrin's scheme (z^2 beside Lg1 + Lg2 z)
  const w = f32x4.mul(z, z);
  const r12 = f32x4.add(f32x4.mul(k(K_LG2), z), k(K_LG1));
  const r = f32x4.mul(f32x4.add(r12, f32x4.mul(w, k(K_LG3))), z);
  return f32x4.mul(s, f32x4.add(hfsq, r));
}

// ln(1 + f) + e ln 2, e ln 2 added in two parts. Error below 1 ulp before rounding.
// @ts-ignore: decorator
@inline function __log_reduced(f: v128, ef: v128): v128 {
  const hfsq = f32x4.mul(f32x4.mul(k(K_HALF), f), f);
  const lo = f32x4.add(__log_lo(f, hfsq), f32x4.mul(ef, k(K_LN2_LO)));
  return f32x4.add(f32x4.add(f32x4.sub(lo, hfsq), f), f32x4.mul(ef, k(K_LN2_HI)));
}

// x = m * 2^e with m in [sqrt(1/2), sqrt(2)), the reduction of musl's logf: subtracting the
// bits of sqrt(1/2) moves the interval boundary onto an exponent boundary, so e is one
// arithmetic shift and m's bits are the low 23 bits put back on top of sqrt(1/2)'s: two
// integer ops on the path to e and three to f = m - 1.
// @ts-ignore: decorator
@inline function __exponent(ix: v128): v128 {
  return i32x4.shr_s(ix, 23);
}
// @ts-ignore: decorator
@inline function __mantissa_m1(ix: v128): v128 {
  return f32x4.sub(i32x4.add(v128.and(ix, k(K_MANT)), k(K_SQRTH)), k(K_ONE));
}

/**
 * Base-2 log per lane, for positive normal x (>= MIN_NORMAL, finite): ln(m) / ln 2 + e with
 * x = m 2^e, about 2 ulp. Zero, subnormal, negative, infinite or NaN arguments give
 * unspecified results; callers clamp first.
 */
// @ts-ignore: decorator
@inline export function __log2_f32x4(x: v128): v128 {
  const ix = i32x4.sub(x, k(K_SQRTH));
  const f = __mantissa_m1(ix);
  const hfsq = f32x4.mul(f32x4.mul(k(K_HALF), f), f);
  const ln = f32x4.add(f32x4.sub(__log_lo(f, hfsq), hfsq), f);
  return f32x4.add(f32x4.mul(ln, k(K_LOG2E)), f32x4.convert_i32x4_s(__exponent(ix)));
}

/**
 * log(1 + x) per lane for finite x >= 0, accurate for tiny x as well: when 1 + x < sqrt(2)
 * the reduced argument is x itself (exact), otherwise the rounding of 1 + x is negligible
 * against a result above 0.34.
 */
// @ts-ignore: decorator
@inline export function __log1p_f32x4(x: v128): v128 {
  const u = f32x4.add(x, k(K_ONE));
  const iu = i32x4.sub(u, k(K_SQRTH));
  const e = __exponent(iu);
  const f = v128.bitselect(x, __mantissa_m1(iu), i32x4.eq(e, i32x4.splat(0)));
  return __log_reduced(f, f32x4.convert_i32x4_s(e));
}
