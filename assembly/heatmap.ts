// Target heatmap generation: one separable Gaussian per channel, written as the outer product
// of two short 1-D profiles with f32x4 stores.
//
// Pointer ABI: every array is a byte address into this module's memory, f32, row-major, no
// alignment requirement (the TypeScript arena aligns to 16 anyway).
//
// Per channel, `params` holds 8 f32: muX, sX, loX, hiX, muY, sY, loY, hiY. The channel gets
//   value(i, j) = gx(j) * gy(i),  gx(j) = exp(-0.5 ((j - muX) / sX)^2) for loX <= j <= hiX,
//   else 0 (same along y),
// lo/hi being whole numbers (inclusive, already clipped to the map by the caller; lo > hi
// means an all-zero channel; mu may lie outside lo .. hi, even off the map). Both the
// project's unbiased targets (mu = the landmark, on the map or, with offMap "partial", up to
// 3 sigma off it; window +-3 sigma or the whole map) and the official AWing targets (integer
// centre, std 0.25 (6 sigma + 1), shifted windows at the top/left border) are instances of
// this.

// @ts-nocheck: AssemblyScript source, compiled by asc
import { __exp_f32x4 } from "./_simd_math";

// Profile values below 2^-63 are flushed to 0, so that no product of two profile values is
// subnormal (subnormal arithmetic is slow on x86); the error is below 1.1e-19.
const TINY: f32 = 1.0842021724855044e-19;

// The 1-D profile exp(-0.5 ((j - mu) / s)^2), j = 0 .. n - 1, into dst. Writes n rounded up
// to a multiple of 4 floats (the extra ones are 0); one vector exp per 4 samples, and only
// where |j - mu| < 9.5 s (beyond, exp(-45) < TINY: zeros).
function profile(dst: usize, n: i32, mu: f32, s: f32): void {
  const m = f32x4.splat(mu), sv = f32x4.splat(s), half = f32x4.splat(-0.5);
  const hiv = f32x4.splat(<f32> (n - 1)), four = f32x4.splat(4.0), tiny = f32x4.splat(TINY);
  const floor = f32x4.splat(-50.0);
  const n4 = (n + 3) & ~3;
  const reach: f32 = 9.5 * s;
  const a = <i32> max<f32>(0.0, min<f32>(<f32> n4, Mathf.floor(mu - reach))) & ~3;
  const b = <i32> max<f32>(<f32> a, min<f32>(<f32> n4, Mathf.ceil(mu + reach) + 1.0));
  memory.fill(dst, 0, <usize> a << 2);
  let j = f32x4.add(f32x4(0.0, 1.0, 2.0, 3.0), f32x4.splat(<f32> a));
  let i: i32 = a;
  for (; i < b; i += 4) {
    const t = f32x4.div(f32x4.sub(j, m), sv);
    // clamped at -50 (exp(-50) < TINY, flushed below): keeps exp away from subnormal results
    const g = __exp_f32x4(f32x4.pmax(f32x4.mul(half, f32x4.mul(t, t)), floor));
    const keep = v128.and(f32x4.le(j, hiv), f32x4.ge(g, tiny));
    v128.store(dst + (<usize> i << 2), v128.and(g, keep));
    j = f32x4.add(j, four);
  }
  if (i < n4) memory.fill(dst + (<usize> i << 2), 0, <usize> (n4 - i) << 2);
}

// dst[j] = a * src[j] for j < n
// @ts-ignore: decorator
@inline function scaled_row(dst: usize, src: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  let j: i32 = 0;
  for (; j + 16 <= n; j += 16) {
    const d = dst + (<usize> j << 2), s = src + (<usize> j << 2);
    v128.store(d, f32x4.mul(av, v128.load(s)));
    v128.store(d, f32x4.mul(av, v128.load(s, 16)), 16);
    v128.store(d, f32x4.mul(av, v128.load(s, 32)), 32);
    v128.store(d, f32x4.mul(av, v128.load(s, 48)), 48);
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize> j << 2;
    v128.store(dst + o, f32x4.mul(av, v128.load(src + o)));
  }
  for (; j < n; j++) {
    const o = <usize> j << 2;
    store<f32>(dst + o, a * load<f32>(src + o));
  }
}

/**
 * Writes the Gaussians of `nch` parameter records of 8 f32 at `params`.
 *
 * - `packed` = 0: whole channels of h x w pixels, contiguous from `out`; every pixel is
 *   written once (rows outside the window are zero-filled).
 * - `packed` != 0: only each channel's window block, (hiY - loY + 1) rows of
 *   (hiX - loX + 1) floats, blocks one after the other from `out` (none for an empty window);
 *   the caller zero-fills the destination and places the blocks.
 *
 * `scratch` holds ((w + 3) & ~3) + 4 + ((h + 3) & ~3) + 4 floats.
 */
export function gauss_channels(
  out: usize,
  params: usize,
  nch: i32,
  h: i32,
  w: i32,
  scratch: usize,
  packed: i32,
): void {
  const gx = scratch, gy = scratch + (<usize> (((w + 3) & ~3) + 4) << 2);
  const rowBytes = <usize> w << 2;
  const chanBytes = <usize> h * rowBytes;
  let dst = out;
  for (let c: i32 = 0; c < nch; c++) {
    const p = params + (<usize> c << 5);
    const loX = load<f32>(p + 8), hiX = load<f32>(p + 12);
    const loY = load<f32>(p + 24), hiY = load<f32>(p + 28);
    if (!(loX <= hiX) || !(loY <= hiY)) {
      if (!packed) {
        memory.fill(dst, 0, chanBytes);
        dst += chanBytes;
      }
      continue;
    }
    const x0 = <i32> loX, x1 = <i32> hiX, y0 = <i32> loY, y1 = <i32> hiY;
    const bw = x1 - x0 + 1;
    profile(gy, y1 - y0 + 1, load<f32>(p + 16) - <f32> y0, load<f32>(p + 20));
    if (packed) {
      profile(gx, bw, load<f32>(p) - <f32> x0, load<f32>(p + 4));
      const blockRow = <usize> bw << 2;
      for (let i: i32 = y0; i <= y1; i++) {
        scaled_row(dst, gx, load<f32>(gy + (<usize> (i - y0) << 2)), bw);
        dst += blockRow;
      }
      continue;
    }
    // the row profile over the whole width: zeros, then the window (its padding lanes are 0)
    memory.fill(gx, 0, rowBytes);
    profile(gx + (<usize> x0 << 2), bw, load<f32>(p) - <f32> x0, load<f32>(p + 4));
    memory.fill(dst, 0, <usize> y0 * rowBytes);
    for (let i: i32 = y0; i <= y1; i++) {
      const a = load<f32>(gy + (<usize> (i - y0) << 2));
      const row = dst + <usize> i * rowBytes;
      if (a == 0) memory.fill(row, 0, rowBytes);
      else scaled_row(row, gx, a, w);
    }
    memory.fill(dst + <usize> (y1 + 1) * rowBytes, 0, <usize> (h - 1 - y1) * rowBytes);
    dst += chanBytes;
  }
}
