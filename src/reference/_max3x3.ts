// The 3x3 grey dilation of one pixel, written plainly: the reference weight map and the
// benchmark's scalar baseline share it.

/**
 * The largest of the (up to) 9 values around pixel (i, j) of the h x w plane that starts at
 * `off` in `values`; neighbours outside the plane are ignored.
 */
export function _max3x3(
  values: ArrayLike<number>,
  off: number,
  h: number,
  w: number,
  i: number,
  j: number,
): number {
  let m = -Infinity;
  for (let di = -1; di <= 1; di++) {
    for (let dj = -1; dj <= 1; dj++) {
      const ii = i + di, jj = j + dj;
      if (ii >= 0 && ii < h && jj >= 0 && jj < w) m = Math.max(m, values[off + ii * w + jj]!);
    }
  }
  return m;
}
