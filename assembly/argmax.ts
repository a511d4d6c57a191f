// The first maximum of each channel, with a finiteness check in the same pass.
//
// Pointer ABI: byte addresses into this module's memory, f32, row-major, no alignment
// requirement.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { hmax_f32 } from "./_lanes";

// First maximum of n floats at src: returns its index, writes the value to ARG_VAL and sets
// ARG_BAD when any value is NaN or infinite. One pass in blocks of 64 floats: a pseudo-max
// and a finiteness sum per 4 floats, a scalar test per block, then a scan of the first block
// that holds the maximum for its first occurrence.
export let ARG_VAL: f32 = 0;
export let ARG_BAD: bool = false;
const BLOCK: i32 = 64;

// @ts-ignore: decorator
@inline export function argmax_run(src: usize, n: i32): i32 {
  let best: f32 = -Infinity;
  let bestBlock: i32 = -1;
  // v - v is 0 for finite v and NaN for NaN or +-inf; NaN sticks in a sum
  let chk = f32x4.splat(0.0);
  let i: i32 = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    const p = src + (<usize> i << 2);
    let m0 = v128.load(p), m1 = v128.load(p + 16), m2 = v128.load(p + 32), m3 = v128.load(p + 48);
    let c0 = f32x4.sub(m0, m0), c1 = f32x4.sub(m1, m1);
    c0 = f32x4.add(c0, f32x4.sub(m2, m2));
    c1 = f32x4.add(c1, f32x4.sub(m3, m3));
    for (let o: usize = 64; o < 256; o += 64) {
      const a = v128.load(p + o), b = v128.load(p + o + 16);
      const c = v128.load(p + o + 32), d = v128.load(p + o + 48);
      // pseudo-max (one instruction); NaN is caught by chk instead
      m0 = f32x4.pmax(m0, a);
      m1 = f32x4.pmax(m1, b);
      m2 = f32x4.pmax(m2, c);
      m3 = f32x4.pmax(m3, d);
      c0 = f32x4.add(c0, f32x4.sub(a, a));
      c1 = f32x4.add(c1, f32x4.sub(b, b));
      c0 = f32x4.add(c0, f32x4.sub(c, c));
      c1 = f32x4.add(c1, f32x4.sub(d, d));
    }
    chk = f32x4.add(chk, f32x4.add(c0, c1));
    const m = hmax_f32(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
    if (m > best) {
      best = m;
      bestBlock = i;
    }
  }
  let idx: i32 = 0;
  if (bestBlock >= 0) {
    // the first occurrence of best in its block (it is there: max is exact)
    idx = bestBlock;
    while (load<f32>(src + (<usize> idx << 2)) != best) idx++;
  }
  // the tail: later indices, so only a strictly greater value replaces the maximum
  let tchk: f32 = 0;
  for (; i < n; i++) {
    const v = load<f32>(src + (<usize> i << 2));
    if (v > best) {
      best = v;
      idx = i;
    }
    tchk += v - v;
  }
  const all = hmax_f32(chk) + tchk;
  ARG_BAD = all != all;
  ARG_VAL = best;
  return idx;
}

/**
 * For each of `nch` channels of n floats from `src`, the first maximum in row-major order:
 * writes (i32 index, f32 value) pairs, 8 bytes per channel, to `out`. Returns the first
 * channel that holds a NaN or an infinite value, or -1 (its pair is then meaningless).
 */
export function argmax_channels(src: usize, nch: i32, n: i32, out: usize): i32 {
  const bytes = <usize> n << 2;
  let firstBad: i32 = -1;
  for (let c: i32 = 0; c < nch; c++) {
    const idx = argmax_run(src + <usize> c * bytes, n);
    if (ARG_BAD && firstBad < 0) firstBad = c;
    store<i32>(out + (<usize> c << 3), idx);
    store<f32>(out + (<usize> c << 3) + 4, ARG_VAL);
  }
  return firstBad;
}
