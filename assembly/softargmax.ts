// Soft-argmax moments per channel: softmax or linear weights, summed in f32x4 lanes per row
// and in f64 across rows.
//
// Pointer ABI: byte addresses into this module's memory, f32, row-major, no alignment
// requirement.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { hsum_f64 } from "./_lanes";
import { __exp_f32x4 } from "./_simd_math";
import { ARG_BAD, ARG_VAL, argmax_run } from "./argmax";

// scalar exp with the same polynomial as the vector body
// @ts-ignore: decorator
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(__exp_f32x4(f32x4.splat(x)), 0);
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
export function softargmax_channels(
  src: usize,
  nch: i32,
  h: i32,
  w: i32,
  beta: f32,
  linear: i32,
  out: usize,
): i32 {
  const n = h * w;
  const rowBytes = <usize> w << 2;
  const bv = f32x4.splat(beta), zero = f32x4.splat(0.0), four = f32x4.splat(4.0);
  const lowv = f32x4.splat(LOW);
  for (let c: i32 = 0; c < nch; c++) {
    const base = src + <usize> c * <usize> n * 4;
    argmax_run(base, n);
    if (ARG_BAD) return c;
    const m = ARG_VAL;
    const mv = f32x4.splat(m);
    let s: f64 = 0, sx: f64 = 0, sy: f64 = 0;
    for (let i: i32 = 0; i < h; i++) {
      const row = base + <usize> i * rowBytes;
      let acs = f32x4.splat(0.0), ax = f32x4.splat(0.0);
      let jv = f32x4(0.0, 1.0, 2.0, 3.0);
      let j: i32 = 0;
      for (; j + 4 <= w; j += 4) {
        const v = v128.load(row + (<usize> j << 2));
        const p = linear
          ? f32x4.pmax(v, zero)
          : __exp_f32x4(f32x4.pmax(f32x4.mul(bv, f32x4.sub(v, mv)), lowv));
        acs = f32x4.add(acs, p);
        ax = f32x4.add(ax, f32x4.mul(p, jv));
        jv = f32x4.add(jv, four);
      }
      let rs = hsum_f64(acs), rx = hsum_f64(ax);
      for (; j < w; j++) {
        const v = load<f32>(row + (<usize> j << 2));
        const p: f32 = linear ? max(v, 0.0) : exp1(max(beta * (v - m), LOW));
        rs += <f64> p;
        rx += <f64> p * <f64> j;
      }
      s += rs;
      sx += rx;
      sy += rs * <f64> i;
    }
    const o = out + (<usize> c << 5);
    store<f64>(o, s);
    store<f64>(o + 8, sx);
    store<f64>(o + 16, sy);
    store<f64>(o + 24, <f64> m);
  }
  return -1;
}
