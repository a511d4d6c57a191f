// Internal: composite Simpson integration with scipy.integrate.simpson semantics (SciPy >= 1.11).

function basic(y: ArrayLike<number>, x: ArrayLike<number>, last: number): number {
  // Simpson over points 0..last (last even), non-uniform formula of scipy's _basic_simpson.
  let sum = 0;
  for (let i = 0; i + 2 <= last; i += 2) {
    const h0 = x[i + 1]! - x[i]!;
    const h1 = x[i + 2]! - x[i + 1]!;
    const hsum = h0 + h1;
    const ratio = h0 / h1;
    sum += (hsum / 6) *
      (y[i]! * (2 - 1 / ratio) + y[i + 1]! * (hsum * hsum / (h0 * h1)) + y[i + 2]! * (2 - ratio));
  }
  return sum;
}

/**
 * Integrates samples y(x) (x strictly increasing, at least 3 points) like
 * `scipy.integrate.simpson(y, x=x)`: composite Simpson for an odd number of points; for an even
 * number, Simpson on all but the last interval plus Cartwright's correction for the last one.
 */
export function _simpson(y: ArrayLike<number>, x: ArrayLike<number>): number {
  const n = y.length;
  if (n % 2 === 1) return basic(y, x, n - 1);
  let result = basic(y, x, n - 2);
  const h0 = x[n - 2]! - x[n - 3]!;
  const h1 = x[n - 1]! - x[n - 2]!;
  const alpha = (2 * h1 * h1 + 3 * h0 * h1) / (6 * (h1 + h0));
  const beta = (h1 * h1 + 3 * h0 * h1) / (6 * h0);
  const eta = (h1 * h1 * h1) / (6 * h0 * (h0 + h1));
  result += alpha * y[n - 1]! + beta * y[n - 2]! - eta * y[n - 3]!;
  return result;
}
