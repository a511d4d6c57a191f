// DARK's separable Gaussian blur with zero padding: whole channels, or only the 5 x 5 pixels
// around a maximum.
//
// Pointer ABI: byte addresses into this module's memory, f32, row-major, no alignment
// requirement. Inputs are finite (the TypeScript side validates them first).

// @ts-nocheck: AssemblyScript source, compiled by asc
import { hmax_f32 } from "./_lanes";

/**
 * Separable blur of one h x w channel with a symmetric kernel of 2r + 1 taps at `kern`
 * (f32), zero padding outside the map (DarkPose pads the map with zeros before
 * cv2.GaussianBlur). `scratch` holds (w + 2r + 4) + h * ((w + 3) & ~3) floats. Writes the
 * blurred channel to `dst` (h x w, may not alias `src`) and returns its maximum.
 */
export function blur_channel(
  dst: usize,
  src: usize,
  h: i32,
  w: i32,
  kern: usize,
  r: i32,
  scratch: usize,
): f32 {
  const w4 = (w + 3) & ~3;
  const pad = scratch;
  const mid = scratch + (<usize> (w + 2 * r + 4) << 2);
  const rowBytes = <usize> w << 2, midBytes = <usize> w4 << 2;
  const taps = 2 * r + 1;
  // horizontal pass into mid (rows of w4 floats; lanes past w hold junk, never read)
  memory.fill(pad, 0, <usize> (w + 2 * r + 4) << 2);
  for (let i: i32 = 0; i < h; i++) {
    memory.copy(pad + (<usize> r << 2), src + <usize> i * rowBytes, rowBytes);
    const m = mid + <usize> i * midBytes;
    for (let j: i32 = 0; j < w; j += 4) {
      let acc = f32x4.splat(0.0);
      for (let t: i32 = 0; t < taps; t++) {
        const kt = f32x4.splat(load<f32>(kern + (<usize> t << 2)));
        acc = f32x4.add(acc, f32x4.mul(kt, v128.load(pad + (<usize> (j + t) << 2))));
      }
      v128.store(m + (<usize> j << 2), acc);
    }
  }
  // vertical pass: out row i = sum_t k[t] mid row (i + t - r), rows outside the map are 0
  let mx = f32x4.splat(-Infinity);
  let mxs: f32 = -Infinity;
  for (let i: i32 = 0; i < h; i++) {
    const t0 = max(0, r - i), t1 = min(taps - 1, h - 1 - i + r);
    const row = dst + <usize> i * rowBytes;
    let j: i32 = 0;
    for (; j + 4 <= w; j += 4) {
      let acc = f32x4.splat(0.0);
      for (let t: i32 = t0; t <= t1; t++) {
        const kt = f32x4.splat(load<f32>(kern + (<usize> t << 2)));
        const src4 = mid + <usize> (i + t - r) * midBytes + (<usize> j << 2);
        acc = f32x4.add(acc, f32x4.mul(kt, v128.load(src4)));
      }
      v128.store(row + (<usize> j << 2), acc);
      mx = f32x4.pmax(mx, acc);
    }
    for (; j < w; j++) {
      let acc: f32 = 0.0;
      for (let t: i32 = t0; t <= t1; t++) {
        const src1 = mid + <usize> (i + t - r) * midBytes + (<usize> j << 2);
        acc += load<f32>(kern + (<usize> t << 2)) * load<f32>(src1);
      }
      store<f32>(row + (<usize> j << 2), acc);
      mxs = max(mxs, acc);
    }
  }
  return max(hmax_f32(mx), mxs);
}

/**
 * The same blur as {@link blur_channel}, but only at the 5 x 5 pixels centred on (x, y)
 * (which must be at least 2 pixels from every border): writes 25 f32, row-major, to `out`.
 * Horizontal sums of the rows y - 2 - r .. y + 2 + r (0 outside the map) at the 5 columns,
 * then vertical sums; `scratch` holds 5 (2r + 5) floats. Same summation order as
 * blur_channel, so the values agree with it.
 */
export function blur_block5(
  src: usize,
  h: i32,
  w: i32,
  kern: usize,
  r: i32,
  x: i32,
  y: i32,
  scratch: usize,
  out: usize,
): void {
  const rows = 2 * r + 5;
  for (let a: i32 = 0; a < rows; a++) {
    const i = y - 2 - r + a;
    for (let b: i32 = 0; b < 5; b++) {
      let acc: f32 = 0.0;
      if (i >= 0 && i < h) {
        const j0 = x - 2 + b - r;
        for (let t: i32 = 0; t <= 2 * r; t++) {
          const j = j0 + t;
          const v: f32 = j >= 0 && j < w
            ? load<f32>(src + ((<usize> i * <usize> w + <usize> j) << 2))
            : 0.0;
          acc += load<f32>(kern + (<usize> t << 2)) * v;
        }
      }
      store<f32>(scratch + (<usize> (a * 5 + b) << 2), acc);
    }
  }
  for (let a: i32 = 0; a < 5; a++) {
    for (let b: i32 = 0; b < 5; b++) {
      let acc: f32 = 0.0;
      for (let t: i32 = 0; t <= 2 * r; t++) {
        acc += load<f32>(kern + (<usize> t << 2)) *
          load<f32>(scratch + (<usize> ((a + t) * 5 + b) << 2));
      }
      store<f32>(out + (<usize> (a * 5 + b) << 2), acc);
    }
  }
}
