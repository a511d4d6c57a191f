// Heatmap decoding kernels: first-maximum argmax, separable Gaussian blur (DARK) and the
// soft-argmax moments, over channels of h x w f32 pixels.
//
// Pointer ABI: byte addresses into this module's memory, f32, row-major, no alignment
// requirement. Inputs are finite (the TypeScript side validates them first).

// @ts-nocheck: AssemblyScript source, compiled by asc
import { __exp_f32x4 } from "./_simd_math";

// scalar exp with the same polynomial as the vector body
// @ts-ignore: decorator
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(__exp_f32x4(f32x4.splat(x)), 0);
}

// First maximum of n floats at src: returns its index, writes the value to ARG_VAL and sets
// ARG_BAD when any value is NaN or infinite. One pass in blocks of 64 floats: a pseudo-max
// and a finiteness sum per 4 floats, a scalar test per block, then a scan of the first block
// that holds the maximum for its first occurrence.
let ARG_VAL: f32 = 0;
let ARG_BAD: bool = false;
const BLOCK: i32 = 64;

// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  const a = f32x4.max(v, f32x4.shuffle(v, v, 2, 3, 0, 1));
  const b = f32x4.max(a, f32x4.shuffle(a, a, 1, 0, 3, 2));
  return f32x4.extract_lane(b, 0);
}

// @ts-ignore: decorator
@inline function argmax_run(src: usize, n: i32): i32 {
  let best: f32 = -Infinity;
  let bestBlock: i32 = -1;
  // v - v is 0 for finite v and NaN for NaN or +-inf; NaN sticks in a sum
  let chk = f32x4.splat(0.0);
  let i: i32 = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    const p = src + (<usize>i << 2);
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
    const m = hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
    if (m > best) {
      best = m;
      bestBlock = i;
    }
  }
  let k: i32 = 0;
  if (bestBlock >= 0) {
    // the first occurrence of best in its block (it is there: max is exact)
    k = bestBlock;
    while (load<f32>(src + (<usize>k << 2)) != best) k++;
  }
  // the tail: later indices, so only a strictly greater value replaces the maximum
  let tchk: f32 = 0;
  for (; i < n; i++) {
    const v = load<f32>(src + (<usize>i << 2));
    if (v > best) {
      best = v;
      k = i;
    }
    tchk += v - v;
  }
  const all = hmax(chk) + tchk;
  ARG_BAD = all != all;
  ARG_VAL = best;
  return k;
}

/**
 * For each of `nch` channels of n floats from `src`, the first maximum in row-major order:
 * writes (i32 index, f32 value) pairs, 8 bytes per channel, to `out`. Returns the first
 * channel that holds a NaN or an infinite value, or -1 (its pair is then meaningless).
 */
export function argmax_channels(src: usize, nch: i32, n: i32, out: usize): i32 {
  const bytes = <usize>n << 2;
  let firstBad: i32 = -1;
  for (let c: i32 = 0; c < nch; c++) {
    const k = argmax_run(src + <usize>c * bytes, n);
    if (ARG_BAD && firstBad < 0) firstBad = c;
    store<i32>(out + (<usize>c << 3), k);
    store<f32>(out + (<usize>c << 3) + 4, ARG_VAL);
  }
  return firstBad;
}

/**
 * Separable blur of one h x w channel with a symmetric kernel of 2r + 1 taps at `kern`
 * (f32), zero padding outside the map (DarkPose pads the map with zeros before
 * cv2.GaussianBlur). `scratch` holds (w + 2r + 4) + h * ((w + 3) & ~3) floats. Writes the
 * blurred channel to `dst` (h x w, may not alias `src`) and returns its maximum.
 */
export function blur_channel(dst: usize, src: usize, h: i32, w: i32, kern: usize, r: i32, scratch: usize): f32 {
  const w4 = (w + 3) & ~3;
  const pad = scratch;
  const mid = scratch + (<usize>(w + 2 * r + 4) << 2);
  const rowBytes = <usize>w << 2, midBytes = <usize>w4 << 2;
  const taps = 2 * r + 1;
  // horizontal pass into mid (rows of w4 floats; lanes past w hold junk, never read)
  memory.fill(pad, 0, <usize>(w + 2 * r + 4) << 2);
  for (let i: i32 = 0; i < h; i++) {
    memory.copy(pad + (<usize>r << 2), src + <usize>i * rowBytes, rowBytes);
    const m = mid + <usize>i * midBytes;
    for (let j: i32 = 0; j < w; j += 4) {
      let acc = f32x4.splat(0.0);
      for (let t: i32 = 0; t < taps; t++) {
        const k = f32x4.splat(load<f32>(kern + (<usize>t << 2)));
        acc = f32x4.add(acc, f32x4.mul(k, v128.load(pad + (<usize>(j + t) << 2))));
      }
      v128.store(m + (<usize>j << 2), acc);
    }
  }
  // vertical pass: out row i = sum_t k[t] mid row (i + t - r), rows outside the map are 0
  let mx = f32x4.splat(-Infinity);
  let mxs: f32 = -Infinity;
  for (let i: i32 = 0; i < h; i++) {
    const t0 = max(0, r - i), t1 = min(taps - 1, h - 1 - i + r);
    const row = dst + <usize>i * rowBytes;
    let j: i32 = 0;
    for (; j + 4 <= w; j += 4) {
      let acc = f32x4.splat(0.0);
      for (let t: i32 = t0; t <= t1; t++) {
        const k = f32x4.splat(load<f32>(kern + (<usize>t << 2)));
        const src4 = mid + <usize>(i + t - r) * midBytes + (<usize>j << 2);
        acc = f32x4.add(acc, f32x4.mul(k, v128.load(src4)));
      }
      v128.store(row + (<usize>j << 2), acc);
      mx = f32x4.pmax(mx, acc);
    }
    for (; j < w; j++) {
      let acc: f32 = 0.0;
      for (let t: i32 = t0; t <= t1; t++) {
        const src1 = mid + <usize>(i + t - r) * midBytes + (<usize>j << 2);
        acc += load<f32>(kern + (<usize>t << 2)) * load<f32>(src1);
      }
      store<f32>(row + (<usize>j << 2), acc);
      mxs = max(mxs, acc);
    }
  }
  return max(max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)),
    max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3))), mxs);
}

/**
 * The same blur as {@link blur_channel}, but only at the 5 x 5 pixels centred on (x, y)
 * (which must be at least 2 pixels from every border): writes 25 f32, row-major, to `out`.
 * Horizontal sums of the rows y - 2 - r .. y + 2 + r (0 outside the map) at the 5 columns,
 * then vertical sums; `scratch` holds 5 (2r + 5) floats. Same summation order as
 * blur_channel, so the values agree with it.
 */
export function blur_block5(src: usize, h: i32, w: i32, kern: usize, r: i32, x: i32, y: i32, scratch: usize, out: usize): void {
  const rows = 2 * r + 5;
  for (let a: i32 = 0; a < rows; a++) {
    const i = y - 2 - r + a;
    for (let b: i32 = 0; b < 5; b++) {
      let acc: f32 = 0.0;
      if (i >= 0 && i < h) {
        const j0 = x - 2 + b - r;
        for (let t: i32 = 0; t <= 2 * r; t++) {
          const j = j0 + t;
          const v: f32 = j >= 0 && j < w ? load<f32>(src + ((<usize>i * <usize>w + <usize>j) << 2)) : 0.0;
          acc += load<f32>(kern + (<usize>t << 2)) * v;
        }
      }
      store<f32>(scratch + (<usize>(a * 5 + b) << 2), acc);
    }
  }
  for (let a: i32 = 0; a < 5; a++) {
    for (let b: i32 = 0; b < 5; b++) {
      let acc: f32 = 0.0;
      for (let t: i32 = 0; t <= 2 * r; t++) {
        acc += load<f32>(kern + (<usize>t << 2)) * load<f32>(scratch + (<usize>((a + t) * 5 + b) << 2));
      }
      store<f32>(out + (<usize>(a * 5 + b) << 2), acc);
    }
  }
}

// softmax arguments are clamped at -80: exp stays normal (subnormal results are slow on x86)
// and a weight of e^-80 instead of less changes nothing next to the maximum's weight 1
const LOW: f32 = -80.0;

/**
 * Soft-argmax moments of `nch` channels of h x w floats from `src`. Weights are
 * p = exp(beta (v - max)) (softmax, `linear` = 0) or p = max(v, 0) (`linear` != 0). Writes
 * per channel 4 f64 to `out`: sum p, sum p j, sum p i, max v. Rows are summed in f32x4
 * lanes, then added in f64. Returns the first channel with a NaN or infinite value (its
 * sums are then skipped), or -1.
 */
export function softargmax_channels(src: usize, nch: i32, h: i32, w: i32, beta: f32, linear: i32, out: usize): i32 {
  const n = h * w;
  const rowBytes = <usize>w << 2;
  const bv = f32x4.splat(beta), zero = f32x4.splat(0.0), four = f32x4.splat(4.0);
  const lowv = f32x4.splat(LOW);
  for (let c: i32 = 0; c < nch; c++) {
    const base = src + <usize>c * <usize>n * 4;
    argmax_run(base, n);
    if (ARG_BAD) return c;
    const m = ARG_VAL;
    const mv = f32x4.splat(m);
    let s: f64 = 0, sx: f64 = 0, sy: f64 = 0;
    for (let i: i32 = 0; i < h; i++) {
      const row = base + <usize>i * rowBytes;
      let acs = f32x4.splat(0.0), ax = f32x4.splat(0.0);
      let jv = f32x4(0.0, 1.0, 2.0, 3.0);
      let j: i32 = 0;
      for (; j + 4 <= w; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        const p = linear
          ? f32x4.pmax(v, zero)
          : __exp_f32x4(f32x4.pmax(f32x4.mul(bv, f32x4.sub(v, mv)), lowv));
        acs = f32x4.add(acs, p);
        ax = f32x4.add(ax, f32x4.mul(p, jv));
        jv = f32x4.add(jv, four);
      }
      let rs: f64 = <f64>f32x4.extract_lane(acs, 0) + <f64>f32x4.extract_lane(acs, 1) +
        (<f64>f32x4.extract_lane(acs, 2) + <f64>f32x4.extract_lane(acs, 3));
      let rx: f64 = <f64>f32x4.extract_lane(ax, 0) + <f64>f32x4.extract_lane(ax, 1) +
        (<f64>f32x4.extract_lane(ax, 2) + <f64>f32x4.extract_lane(ax, 3));
      for (; j < w; j++) {
        const v = load<f32>(row + (<usize>j << 2));
        const p: f32 = linear ? max(v, 0.0) : exp1(max(beta * (v - m), LOW));
        rs += <f64>p;
        rx += <f64>p * <f64>j;
      }
      s += rs;
      sx += rx;
      sy += rs * <f64>i;
    }
    const o = out + (<usize>c << 5);
    store<f64>(o, s);
    store<f64>(o + 8, sx);
    store<f64>(o + 16, sy);
    store<f64>(o + 24, <f64>m);
  }
  return -1;
}
