// A plain scalar TypeScript AWing loss + gradient + weight map, written the way the native C
// peer is (one pass for the map, one for the pixels, Math.pow/log1p), as the benchmark's
// "no SIMD, no WASM" baseline. Float32Array in and out, float64 arithmetic.
import { AWING_DEFAULTS } from "../src/_awing_defaults.ts";
import { _max3x3 } from "../src/reference/_max3x3.ts";

/** Mean AWing loss with the paper's weight map (W 10, threshold 0.2); writes the gradient. */
export function scalarAwing(
  pred: Float32Array,
  target: Float32Array,
  [n, k, h, w]: readonly [number, number, number, number],
  grad: Float32Array,
): number {
  const { alpha, omega, epsilon: eps, theta, mapWeight: W, mapThreshold: thr } = AWING_DEFAULTS;
  const size = n * k * h * w;
  const map = new Float32Array(h * w);
  let acc = 0;
  for (let c = 0; c < n * k; c++) {
    const off = c * h * w;
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        map[r * w + q] = _max3x3(target, off, h, w, r, q) > thr ? W + 1 : 1;
      }
    }
    for (let j = 0; j < h * w; j++) {
      const i = off + j, y = target[i]!, d = pred[i]! - y, ad = Math.abs(d), q = alpha - y;
      let l: number, g: number;
      if (ad < theta) {
        const uq = Math.pow(ad / eps, q);
        l = omega * Math.log1p(uq);
        g = omega * q * Math.pow(ad / eps, q - 1) / (eps * (1 + uq));
      } else {
        const tq = Math.pow(theta / eps, q);
        const A = omega * q * Math.pow(theta / eps, q - 1) / (eps * (1 + tq));
        l = A * ad - (theta * A - omega * Math.log1p(tq));
        g = A;
      }
      acc += l * map[j]!;
      grad[i] = Math.sign(d) * g * map[j]! / size;
    }
  }
  return acc / size;
}
