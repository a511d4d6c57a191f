// Landmarks at every edge and corner of a map, for the encoders' off-map rule.

/** The float32 next to `v` (not 0) towards +infinity (`up`) or -infinity. */
function f32Step(v: number, up: boolean): number {
  const f = new Float32Array([v]);
  const bits = new Int32Array(f.buffer);
  bits[0]! += (v > 0) === up ? 1 : -1;
  return f[0]!;
}

/**
 * Landmarks at every edge and corner of an h x w map for sigma with 3 sigma exact in float32:
 * at the partial-drawing bounds -3 sigma and W - 1 + 3 sigma (drawn), one float32 step past
 * them and far away (skipped), just off the map (drawn), and inside. Returns them and the
 * indices that `"partial"` skips.
 */
export function edgeCases(
  h: number,
  w: number,
  sigma: number,
): { lm: Float32Array; skip: number[] } {
  const r = 3 * sigma;
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  const lo = -r, hiX = w - 1 + r, hiY = h - 1 + r;
  const drawn: [number, number][] = [
    [lo, cy], // left, at the bound
    [hiX, cy], // right
    [cx, lo], // top
    [cx, hiY], // bottom
    [lo, lo], // corners
    [hiX, lo],
    [lo, hiY],
    [hiX, hiY],
    [-0.6, cy], // just off each edge
    [w - 0.4, cy],
    [cx, -0.6],
    [cx, h - 0.4],
    [w - 0.4, h - 0.4],
    [-0.5, -0.5], // the first point on the map
    [cx + 0.3, cy - 0.2],
  ];
  const skippedCases: [number, number][] = [
    [f32Step(lo, false), cy], // one float32 step past each bound
    [f32Step(hiX, true), cy],
    [cx, f32Step(lo, false)],
    [cx, f32Step(hiY, true)],
    [f32Step(lo, false), lo], // past on one axis of a corner
    [hiX, f32Step(hiY, true)],
    [1e30, cy], // far away
    [-1e30, -1e30],
    [Infinity, cy],
    [cx, -Infinity],
    [1e9, 1e9],
  ];
  const all = [...drawn, ...skippedCases];
  return {
    lm: Float32Array.from(all.flat()),
    skip: skippedCases.map((_, i) => drawn.length + i),
  };
}

/** The edge cases of one map and sigma, with the map's size and the heatmaps' shape. */
export interface EdgeCaseMap {
  h: number;
  w: number;
  sigma: number;
  /** The landmarks of {@linkcode edgeCases}, one channel each. */
  lm: Float32Array;
  /** The channels that `"partial"` skips. */
  skip: number[];
  /** The number of landmarks (channels). */
  k: number;
  /** `[1, k, h, w]`. */
  shape: [n: number, k: number, h: number, w: number];
}

/** The edge cases of a 15 x 20 map for sigma 0.5, 1, 1.5 and 2, as the encoders' tests use. */
export function edgeCaseMaps(): EdgeCaseMap[] {
  const h = 15, w = 20;
  return [0.5, 1, 1.5, 2].map((sigma) => {
    const { lm, skip } = edgeCases(h, w, sigma);
    const k = lm.length / 2;
    return { h, w, sigma, lm, skip, k, shape: [1, k, h, w] };
  });
}
