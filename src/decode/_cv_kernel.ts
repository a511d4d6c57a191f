// cv2.getGaussianKernel(k, sigma <= 0): the kernel DarkPose's cv2.GaussianBlur(hm, (k, k), 0)
// uses. OpenCV takes fixed tables for k = 1, 3, 5, 7 and otherwise a sampled Gaussian with
// sigma = 0.3 ((k - 1) / 2 - 1) + 0.8, normalised to sum 1.

const SMALL: readonly (readonly number[])[] = [
  [1],
  [0.25, 0.5, 0.25],
  [0.0625, 0.25, 0.375, 0.25, 0.0625],
  [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
];

/** The blur kernel of odd size k, as OpenCV builds it for sigma <= 0. */
export function cvGaussianKernel(k: number): Float64Array {
  if (k <= 7) return Float64Array.from(SMALL[(k - 1) / 2]!);
  const sigma = 0.3 * ((k - 1) / 2 - 1) + 0.8;
  const out = new Float64Array(k);
  let sum = 0;
  for (let t = 0; t < k; t++) {
    const d = t - (k - 1) / 2;
    out[t] = Math.exp(-(d * d) / (2 * sigma * sigma));
    sum += out[t]!;
  }
  for (let t = 0; t < k; t++) out[t]! /= sum;
  return out;
}

/**
 * The blur size matched to a target sigma by inverting OpenCV's rule and rounding: sigma 1
 * -> 5 (the binomial 1 4 6 4 1, std 1), 1.75 -> 9, 2 -> 11, 3 -> 17. mmpose pairs sigma
 * about 1 with 3 in a comment and uses 11 by default; see `DarkOptions.sigma` for why awing
 * takes 5 (measured).
 */
export function matchedKernelSize(sigma: number): number {
  return 2 * Math.max(1, Math.round((sigma - 0.8) / 0.3 + 1)) + 1;
}
