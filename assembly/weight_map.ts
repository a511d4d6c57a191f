// The paper's weight map of one channel: (mapW * M + 1) * cw with M the 3x3 grey dilation
// of target > thr, computed separably (a 3-max along each row, then down the columns).
//
// Pointer ABI: byte addresses into this module's memory, f32, row-major, no alignment
// requirement.

// @ts-nocheck: AssemblyScript source, compiled by asc

// dst[x] = max(src[x-1], src[x], src[x+1]) over one row of w pixels (out-of-row ignored)
function hmax3_row(dst: usize, src: usize, w: i32): void {
  if (w == 1) {
    store<f32>(dst, load<f32>(src));
    return;
  }
  store<f32>(dst, max(load<f32>(src), load<f32>(src + 4)));
  let x: i32 = 1;
  for (; x + 4 <= w - 1; x += 4) {
    const o = <usize> x << 2;
    const m = f32x4.pmax(
      f32x4.pmax(v128.load(src + o - 4), v128.load(src + o)),
      v128.load(src + o + 4),
    );
    v128.store(dst + o, m);
  }
  for (; x < w - 1; x++) {
    const o = <usize> x << 2;
    store<f32>(
      dst + o,
      max(max(load<f32>(src + o - 4), load<f32>(src + o)), load<f32>(src + o + 4)),
    );
  }
  const o = <usize> (w - 1) << 2;
  store<f32>(dst + o, max(load<f32>(src + o - 4), load<f32>(src + o)));
}

// dst[i] = (mapW * [max(rm[i+up], rm[i], rm[i+down]) > thr] + 1) * cw for i in [0, n)
function weight_rows(
  dst: usize,
  rm: usize,
  n: i32,
  up: isize,
  down: isize,
  mapW: f32,
  thr: f32,
  cw: f32,
): void {
  const hi = f32x4.splat((mapW + 1.0) * cw), lo = f32x4.splat(cw), th = f32x4.splat(thr);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize> i << 2;
    const m = f32x4.pmax(
      f32x4.pmax(v128.load(rm + o + up), v128.load(rm + o)),
      v128.load(rm + o + down),
    );
    v128.store(dst + o, v128.bitselect(hi, lo, f32x4.gt(m, th)));
  }
  for (; i < n; i++) {
    const o = <usize> i << 2;
    const m = max(max(load<f32>(rm + o + up), load<f32>(rm + o)), load<f32>(rm + o + down));
    store<f32>(dst + o, m > thr ? (mapW + 1.0) * cw : cw);
  }
}

/**
 * The weight map of one h x w channel into dst: (mapW * M + 1) * cw with
 * M = [3x3 grey dilation of target > thr]. The dilation is separable: a 3-max along each
 * row into rm (h*w floats of scratch), then a 3-max down the columns.
 */
export function weight_map(
  dst: usize,
  target: usize,
  rm: usize,
  h: i32,
  w: i32,
  mapW: f32,
  thr: f32,
  cw: f32,
): void {
  const row = <usize> w << 2;
  for (let r: i32 = 0; r < h; r++) hmax3_row(rm + <usize> r * row, target + <usize> r * row, w);
  const down: isize = h > 1 ? <isize> row : 0;
  weight_rows(dst, rm, w, 0, down, mapW, thr, cw);
  if (h > 2) {
    weight_rows(dst + row, rm + row, (h - 2) * w, -<isize> row, <isize> row, mapW, thr, cw);
  }
  if (h > 1) {
    const last = <usize> (h - 1) * row;
    weight_rows(dst + last, rm + last, w, -<isize> row, 0, mapW, thr, cw);
  }
}
