// Vector transcendental functions over f32x4 (WASM SIMD has none), with scalar twins that use
// the same polynomials so that the vector body and the scalar tail agree bit for bit.
//
// exp and log are the Cephes single-precision approximations (Moshier), accurate to about
// 2 ulp over their domains. log1p uses the compensated identity
// log1p(x) = log(1 + x) * x / ((1 + x) - 1), exact to a few ulp for tiny x as well.

// @ts-nocheck: AssemblyScript source, compiled by asc

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const SQRTHF: f32 = 0.707106781186547524;
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -87.3365447505531; // below this the result is 0 (no subnormals)

/** exp(x) for each lane; 0 below EXP_LO (and for -inf), +inf above EXP_HI, NaN stays NaN. */
// @ts-ignore: decorator
@inline export function __exp_f32x4(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
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
  // 2^fx built from the exponent bits; fx is in [-126, 128] after the clamp
  const k = i32x4.trunc_sat_f32x4_s(fx);
  const pow2 = i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
  // fx = 128 only when x is near EXP_HI: split the scale in two to avoid overflowing the bits
  const big = i32x4.eq(k, i32x4.splat(128));
  const scale = v128.bitselect(f32x4.splat(1.7014118346046923e38), pow2, big);
  y = f32x4.mul(y, scale);
  y = v128.bitselect(f32x4.mul(y, f32x4.splat(2.0)), y, big);
  y = v128.bitselect(f32x4.splat(0.0), y, f32x4.lt(x, f32x4.splat(EXP_LO)));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(EXP_HI)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/** Scalar twin of {@link __exp_f32x4}. */
// @ts-ignore: decorator
@inline export function __exp_f32(x: f32): f32 {
  return f32x4.extract_lane(__exp_f32x4(f32x4.splat(x)), 0);
}

/** Natural log for each lane; -inf at 0, NaN below 0, +inf at +inf. Subnormals read as 0. */
// @ts-ignore: decorator
@inline export function __log_f32x4(x: v128): v128 {
  const bits = x;
  // exponent and mantissa in [0.5, 1)
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(SQRTHF));
  e = i32x4.add(e, small); // small is -1 where true
  m = f32x4.sub(f32x4.add(m, v128.and(m, small)), f32x4.splat(1.0));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(ef, f32x4.splat(LN2_HI)));
  // special cases: x <= min normal (0 and subnormals) -> -inf, x < 0 -> NaN, +inf -> +inf, NaN -> NaN
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.lt(x, f32x4.splat(1.17549435e-38)));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0.0)));
  r = v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(x, r, f32x4.ne(x, x));
}

/** Scalar twin of {@link __log_f32x4}. */
// @ts-ignore: decorator
@inline export function __log_f32(x: f32): f32 {
  return f32x4.extract_lane(__log_f32x4(f32x4.splat(x)), 0);
}

/** log(1 + x) for x >= 0 (and x > -1), accurate for tiny x. */
// @ts-ignore: decorator
@inline export function __log1p_f32x4(x: v128): v128 {
  const u = f32x4.add(x, f32x4.splat(1.0));
  const um1 = f32x4.sub(u, f32x4.splat(1.0));
  const lu = __log_f32x4(u);
  // u == 1 means x is below half an ulp of 1: log1p(x) = x to within f32 rounding
  const r = f32x4.div(f32x4.mul(lu, x), um1);
  const exact = f32x4.eq(um1, f32x4.splat(0.0));
  const inf = f32x4.eq(u, f32x4.splat(Infinity));
  return v128.bitselect(lu, v128.bitselect(x, r, exact), inf);
}

/** Scalar twin of {@link __log1p_f32x4}. */
// @ts-ignore: decorator
@inline export function __log1p_f32(x: f32): f32 {
  return f32x4.extract_lane(__log1p_f32x4(f32x4.splat(x)), 0);
}
