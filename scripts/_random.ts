// Deterministic pseudo-random data for the benchmarks (and the tests): the peers' data
// (../shared/peers/README.md), generated as the peers do, and heatmap-like pairs.
import { fmix32 } from "../src/data/_rng.ts";

/**
 * The peers' data (`../shared/peers/README.md`), in float32: for flat index i, u and v are the
 * top 24 bits of fmix32(2i) and fmix32(2i + 1) over 2^24, target = u^8 and
 * pred = target + 0.1 (v - 0.5).
 */
export function peerData(size: number): { pred: Float32Array; target: Float32Array } {
  const pred = new Float32Array(size), target = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = Math.fround((fmix32((2 * i) >>> 0) >>> 8) / 16777216);
    const v = Math.fround((fmix32((2 * i + 1) >>> 0) >>> 8) / 16777216);
    const t = Math.fround(u ** 8);
    target[i] = t;
    pred[i] = Math.fround(t + Math.fround(0.1 * Math.fround(v - 0.5)));
  }
  return { pred, target };
}

/** Uniform floats in [0, 1) from a seed: element i is fmix32(seed * 2^20 + i) / 2^32. */
export function uniform(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = fmix32((seed * 1048576 + i) >>> 0) / 4294967296;
  return out;
}

/**
 * Heatmap-like data: targets u^6 in [0, 1) (mostly background, some foreground) and
 * predictions target + spread * (v - 0.5), so that both AWing branches occur.
 */
export function heatmapPair(
  n: number,
  seed: number,
  spread = 1.5,
): { pred: Float32Array; target: Float32Array } {
  const u = uniform(n, seed), v = uniform(n, seed + 1);
  const target = new Float32Array(n), pred = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    target[i] = u[i]! ** 6;
    pred[i] = target[i]! + spread * (v[i]! - 0.5);
  }
  return { pred, target };
}
