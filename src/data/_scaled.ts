// Sums of products without spurious overflow or underflow: each number is split into a
// mantissa in [0.5, 1) and a power of two, the mantissas are multiplied and added, and the
// powers of two are applied once at the end. Scaling by a power of two is exact, so a result
// that float64 can hold is the same, bit for bit, as the plain `a * b + c * d`; one it cannot
// hold comes out Infinity or 0 instead of going wrong half-way (1e200 * 1e200 - 1e200 * 0).

/** A number as `m * 2^e` (the pair the helpers below pass around). */
export type Scaled = readonly [m: number, e: number];

/** `x = m * 2^e` with `0.5 <= |m| < 1` (`[x, 0]` for 0 and non-finite `x`). */
export function frexp(x: number): Scaled {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  let m = ldexp(x, -e);
  // Math.log2 may be off by one next to a power of two
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  return [m, e];
}

/** `m * 2^e`, in steps so that no power of two on the way overflows or underflows. */
export function ldexp(m: number, e: number): number {
  let x = m, k = e;
  while (k > 1023 && Number.isFinite(x) && x !== 0) {
    x *= 2 ** 1023;
    k -= 1023;
  }
  while (k < -1022 && Number.isFinite(x) && x !== 0) {
    x *= 2 ** -1022;
    k += 1022;
  }
  return x * 2 ** Math.max(-1074, Math.min(1023, k));
}

/** The product `x * y`, scaled. */
export function product(x: number, y: number): Scaled {
  const [mx, ex] = frexp(x), [my, ey] = frexp(y);
  return [mx * my, ex + ey];
}

/** The sum of scaled terms, added in order (as `t0 + t1 + ...` is), scaled. */
export function sum(...terms: readonly Scaled[]): Scaled {
  let top = -Infinity;
  for (const [m, e] of terms) if (m !== 0 && e > top) top = e;
  if (top === -Infinity) return [0, 0];
  let s = 0;
  for (const [m, e] of terms) s += ldexp(m, e - top);
  return [s, top];
}

/** The value of a scaled number (Infinity or 0 where float64 cannot hold it). */
export function value([m, e]: Scaled): number {
  return ldexp(m, e);
}

/** `num / den` (`den` non-zero), with the division done on the mantissas. */
export function ratio([nm, ne]: Scaled, [dm, de]: Scaled): number {
  return ldexp(nm / dm, ne - de);
}

/** The determinant `a e - b d` of the linear part of an affine `[a, b, c, d, e, f]`, scaled. */
export function determinant(m: readonly number[]): Scaled {
  return sum(product(m[0]!, m[4]!), product(-m[1]!, m[3]!));
}
