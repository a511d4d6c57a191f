// The per-pixel weights of the losses and the weight map along one row: a plane's channel
// weights cw repeated over the row's pixels, without (lo) and with (hi) the map's factor.

// @ts-nocheck: AssemblyScript source, compiled by asc

/** Repeats the first `part` bytes of dst until it holds `total` bytes (doubling copies). */
export function tile(dst: usize, part: usize, total: usize): void {
  while (part < total) {
    const m = min(part, total - part);
    memory.copy(dst + part, dst, m);
    part += m;
  }
}

/** Bytes of the rows hi and lo: max(w, 4) pixels of s channels (see Run.per in _run.ts). */
export function weight_row_bytes(w: i32, s: i32): usize {
  return (<usize> max(w, 4) * <usize> s) << 2;
}

/**
 * One row of max(w, 4) pixels of s channels: lo[x][c] = cw[c] (1 when cw is 0) and
 * hi[x][c] = (mapW + 1) * cw[c].
 */
export function weight_rows(hi: usize, lo: usize, cw: usize, w: i32, s: i32, mapW: f32): void {
  for (let c: usize = 0; c < <usize> s; c++) {
    const v: f32 = cw ? load<f32>(cw + (c << 2)) : 1.0;
    store<f32>(lo + (c << 2), v);
    store<f32>(hi + (c << 2), (mapW + 1.0) * v);
  }
  const total = weight_row_bytes(w, s);
  tile(lo, <usize> s << 2, total);
  tile(hi, <usize> s << 2, total);
}

/** Whether the s weights at cw equal, bit for bit, the first s of lo (see weight_rows). */
export function same_weights(lo: usize, cw: usize, s: i32): bool {
  for (let c: usize = 0; c < <usize> s; c++) {
    if (load<u32>(lo + (c << 2)) != load<u32>(cw + (c << 2))) return false;
  }
  return true;
}

/**
 * Scratch floats loss_batch and weight_maps need for planes of h rows of w pixels of s
 * channels: the weights of a plane, rows hi and lo, and h + 2 rows for the dilation.
 */
export function scratch_floats(h: i32, w: i32, s: i32): usize {
  return (<usize> h * 2 + 2) * <usize> w * <usize> s + (weight_row_bytes(w, s) >> 1);
}
