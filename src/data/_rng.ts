// Seeded pseudo-random numbers for the data pipeline: deterministic (same seed, same
// sequence), fast, and independent streams from (seed, index) pairs.

/** murmur3's 32-bit finaliser: mixes the bits of a 32-bit integer. */
export function fmix32(z: number): number {
  z ^= z >>> 16;
  z = Math.imul(z, 0x85ebca6b);
  z ^= z >>> 13;
  z = Math.imul(z, 0xc2b2ae35);
  z ^= z >>> 16;
  return z >>> 0;
}

/**
 * A 32-bit seed from several integers (a master seed, a batch index, a sample index ...):
 * different tuples give unrelated streams. Each part is reduced to its low 32 bits, with the
 * high bits of large integers folded in.
 */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    h = fmix32((h ^ lo) + 0x7f4a7c15);
    h = fmix32((h ^ hi) + 0x165667b1);
  }
  return h;
}

/** A deterministic generator (mulberry32) with the draws the pipeline needs. */
export class Rng {
  #state: number;

  /** Seeds the generator; any 32-bit integer. */
  constructor(seed: number) {
    this.#state = mixSeed(seed);
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform number in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Zero-mean noise of unit variance (triangular: the difference of two uniforms). */
  noise(): number {
    return (this.next() - this.next()) * 2.449489742783178; // sqrt(6)
  }
}
