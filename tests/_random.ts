// Deterministic pseudo-random data for tests.
import { heatmapPair, uniform } from "../scripts/_random.ts";

export { heatmapPair, uniform };

/** A deterministic generator of uniform numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Heatmap-like data with every AWing case: both branches, exact zero error, y = 0. */
export function lossData(size: number, seed: number): { pred: Float32Array; target: Float32Array } {
  const { pred, target } = heatmapPair(size, seed);
  const u = uniform(size, seed + 7);
  for (let i = 0; i < size; i++) {
    const ui = u[i]!;
    if (ui < 0.08) pred[i] = target[i]!; // zero error
    else if (ui < 0.12) target[i] = 0;
    else if (ui < 0.2) target[i] = Math.fround(0.5 + 0.5 * ui); // foreground, > threshold
  }
  return { pred, target };
}
