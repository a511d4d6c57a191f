// The paper's weight map of one plane: per pixel (mapW * M + 1) * cw with M the 3x3 grey
// dilation of target > thr, computed separably (a 3-max along each row, then down the
// columns). A plane is h rows of w pixels of s channels each: channel-first batches have
// planes of one channel (s = 1), channel-last ones planes of one image with its K channels
// interleaved (s = K), so a channel's neighbours along a row are s floats away and those down
// a column one row away. The per-channel weights cw come in as two rows, hi = (mapW + 1) * cw
// and lo = cw (see _weight_rows.ts).
//
// Pointer ABI: byte addresses into this module's memory, f32, row-major, no alignment
// requirement.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { weight_row_bytes, weight_rows } from "./_weight_rows";

/** Halo flags: the target has one more row above / below the plane (a band of a larger one). */
export const HALO_ABOVE: i32 = 1;
export const HALO_BELOW: i32 = 2;

// dst[i] = max(a[i], b[i]) for i in [0, n)
function max2(dst: usize, a: usize, b: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    v128.store(dst + o, f32x4.pmax(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = i << 2;
    store<f32>(dst + o, max(load<f32>(a + o), load<f32>(b + o)));
  }
}

// dst[i] = max(src[i - s], src[i], src[i + s]) for i in [0, n)
function max3(dst: usize, src: usize, s: usize, n: usize): void {
  const sb = s << 2;
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    const m = f32x4.pmax(
      f32x4.pmax(v128.load(src + o - sb), v128.load(src + o)),
      v128.load(src + o + sb),
    );
    v128.store(dst + o, m);
  }
  for (; i < n; i++) {
    const o = i << 2;
    store<f32>(
      dst + o,
      max(max(load<f32>(src + o - sb), load<f32>(src + o)), load<f32>(src + o + sb)),
    );
  }
}

// dst[i] = max(rm[i+up], rm[i], rm[i+down]) > thr ? hi[i] : lo[i] for i in [0, n): one row.
// With T = u8 (planes of one channel, whose rows are constant) hi[0] : lo[0] instead, held in
// registers, over any number of rows; T selects the loop at compile time.
// @ts-ignore: decorator
@inline function weight_row<T>(
  dst: usize,
  rm: usize,
  up: isize,
  down: isize,
  hi: usize,
  lo: usize,
  n: usize,
  thr: f32,
): void {
  const th = f32x4.splat(thr);
  const hs = v128.load32_splat(hi), ls = v128.load32_splat(lo);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i << 2;
    const m = f32x4.pmax(
      f32x4.pmax(v128.load(rm + o + up), v128.load(rm + o)),
      v128.load(rm + o + down),
    );
    let h4 = hs, l4 = ls;
    if (!isInteger<T>()) {
      h4 = v128.load(hi + o);
      l4 = v128.load(lo + o);
    }
    v128.store(dst + o, v128.bitselect(h4, l4, f32x4.gt(m, th)));
  }
  for (; i < n; i++) {
    const o = i << 2, c = isInteger<T>() ? 0 : o;
    const m = max(max(load<f32>(rm + o + up), load<f32>(rm + o)), load<f32>(rm + o + down));
    store<f32>(dst + o, m > thr ? load<f32>(hi + c) : load<f32>(lo + c));
  }
}

/**
 * The row maxima of a plane of h rows of w pixels of s channels into rows 0 .. h - 1 at rm0:
 * rm[x][c] = max(target[x-1][c], target[x][c], target[x+1][c]), neighbours outside the row
 * ignored. Rows -1 and h get the maxima of the target's halo rows (halo flags) or, without
 * them, copies of rows 0 and h - 1, so that the maximum over rows r - 1, r, r + 1 is the
 * dilation's at every row r (see weight_map). The rows go in one pass, as if one long row,
 * whose pixels at the ends of each row are then redone.
 */
export function row_maxima(rm0: usize, target: usize, h: i32, w: i32, s: i32, halo: i32): void {
  const n = <usize> w * <usize> s, row = n << 2, sb = <usize> s << 2;
  const above = (halo & HALO_ABOVE) != 0, below = (halo & HALO_BELOW) != 0;
  const first: i32 = above ? -1 : 0, rows = <usize> ((below ? h + 1 : h) - first);
  const o0 = <usize> (<isize> first * <isize> row), dst = rm0 + o0, src = target + o0;
  if (w == 1) memory.copy(dst, src, rows * row);
  else {
    max3(dst + sb, src + sb, <usize> s, rows * n - (<usize> s << 1));
    const last = row - sb;
    for (let o: usize = 0; o < rows * row; o += row) {
      max2(dst + o, src + o, src + o + sb, <usize> s);
      max2(dst + o + last, src + o + last - sb, src + o + last, <usize> s);
    }
  }
  if (!above) memory.copy(rm0 - row, rm0, row);
  if (!below) memory.copy(rm0 + <usize> h * row, rm0 + <usize> (h - 1) * row, row);
}

/**
 * The weight map of one plane of h rows of w pixels of s channels into dst: hi[i] where the
 * 3x3 dilation of target exceeds thr, else lo[i] (i the index within the row). With halo
 * flags the target has one more row above (at target minus one row) or below the plane,
 * which the dilation reads. rm holds h + 2 rows of scratch.
 */
export function weight_map(
  dst: usize,
  target: usize,
  rm: usize,
  h: i32,
  w: i32,
  s: i32,
  halo: i32,
  hi: usize,
  lo: usize,
  thr: f32,
): void {
  const n = <usize> w * <usize> s;
  const row = <isize> (n << 2);
  // rm's row r (r = -1 .. h, relative to the plane) is at rm0 + r * row; rows -1 and h stand
  // in for missing neighbours (see row_maxima)
  const rm0 = rm + <usize> row;
  row_maxima(rm0, target, h, w, s, halo);
  // one channel (constant rows): all rows in one pass
  if (s == 1) weight_row<u8>(dst, rm0, -row, row, hi, lo, n * <usize> h, thr);
  else {
    for (let r: i32 = 0; r < h; r++) {
      const o = <usize> (<isize> r * row);
      weight_row<f32>(dst + o, rm0 + o, -row, row, hi, lo, n, thr);
    }
  }
}

/**
 * The weight maps mapW * M + 1 of `planes` planes of h x w x s floats, contiguous from target
 * into dst (halo flags with one plane only). scratch holds {@link scratch_floats} floats.
 */
export function weight_maps(
  dst: usize,
  target: usize,
  planes: i32,
  h: i32,
  w: i32,
  s: i32,
  halo: i32,
  mapW: f32,
  thr: f32,
  scratch: usize,
): void {
  const rowB = (<usize> w * <usize> s) << 2, planeB = <usize> h * rowB;
  const hi = scratch, lo = hi + weight_row_bytes(w, s), rm = lo + weight_row_bytes(w, s);
  weight_rows(hi, lo, 0, w, s, mapW);
  for (let p: i32 = 0; p < planes; p++) {
    const off = <usize> p * planeB;
    weight_map(dst + off, target + off, rm, h, w, s, halo, hi, lo, thr);
  }
}
