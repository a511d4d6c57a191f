// DARK's Taylor step (Zhang et al., CVPR 2020), shared by decodeDark and the plain TypeScript
// baseline of the benchmark. The float64 reference (src/reference/decode_reference.ts) keeps
// its own copy on purpose: it is the independent oracle.

/**
 * Refines an integer peak (x, y): `D(di, dj)` is the log of the smoothed map at row y + di,
 * column x + dj. With the gradient and Hessian from central differences,
 * mu = m - H^-1 grad. Returns the peak itself when the Hessian is singular.
 */
export function darkStep(
  D: (di: number, dj: number) => number,
  x: number,
  y: number,
): [x: number, y: number] {
  const d0 = D(0, 0);
  const dx = 0.5 * (D(0, 1) - D(0, -1));
  const dy = 0.5 * (D(1, 0) - D(-1, 0));
  const dxx = 0.25 * (D(0, 2) - 2 * d0 + D(0, -2));
  const dyy = 0.25 * (D(2, 0) - 2 * d0 + D(-2, 0));
  const dxy = 0.25 * (D(1, 1) - D(-1, 1) - D(1, -1) + D(-1, -1));
  const det = dxx * dyy - dxy * dxy;
  if (det === 0) return [x, y];
  return [x - (dyy * dx - dxy * dy) / det, y - (dxx * dy - dxy * dx) / det];
}
