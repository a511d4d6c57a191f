// How the loss and weight-map drivers cut a batch into the pieces they stage through the WASM
// arena, for either layout. The kernels see planes of h rows of w pixels of s channels:
// channel-first [N, K, H, W] is N*K planes of H x W x 1, channel-last [N, H, W, K] is N planes
// of H x W x K (a channel's neighbours are then s floats apart along a row, a row apart down a
// column). A piece is either whole planes or, when one plane exceeds the budget, a band of
// rows of one plane with a 1-row halo of the target above and below (what the 3x3 dilation of
// the weight map reads), so that the staged arrays stay cache-sized whatever the map size.
import { CHUNK_FLOATS, HALO } from "../_wasm.ts";
import type { HeatmapLayout, Shape4 } from "../types.ts";

/** A batch as the kernels see it. */
export interface Planes {
  /** Number of planes: N*K channel-first, N channel-last. */
  planes: number;
  /** Rows of a plane (H). */
  h: number;
  /** Pixels of a row (W). */
  w: number;
  /** Channels of a pixel: 1 channel-first, K channel-last. */
  s: number;
  /** Images N and landmarks K, whatever the layout. */
  n: number;
  k: number;
}

/** The planes of a batch of `shape` in `layout`. */
export function toPlanes(shape: Shape4, layout: HeatmapLayout): Planes {
  if (layout === "nhwc") {
    const [n, h, w, k] = shape;
    return { planes: n, h, w, s: k, n, k };
  }
  const [n, k, h, w] = shape;
  return { planes: n * k, h, w, s: 1, n, k };
}

/** One piece of a batch. */
export interface Piece {
  /** Its elements [lo, hi) in pred, target and the outputs. */
  lo: number;
  hi: number;
  /** The target's elements to stage, [tlo, thi): the piece and its halo rows. */
  tlo: number;
  thi: number;
  /** Its first plane (landmark weights start at plane * s) and its number of planes. */
  plane: number;
  planes: number;
  /** Rows per plane: h, or the band's rows. */
  rows: number;
  /** The kernels' {@link HALO} flags: whether a band has a row above / below (bands only). */
  halo: number;
}

/** Rows of the smallest band: its halo rows add at most a quarter to the staged target. */
const MIN_BAND_ROWS = 8;

/** The pieces of a batch and the largest piece, as the staging areas must hold it. */
export interface Plan {
  /** Floats of the largest piece. */
  floats: number;
  /** Rows per plane of the largest piece (what the kernels' scratch is sized for). */
  rows: number;
  /** Planes of the largest piece. */
  planes: number;
  /** Floats of a row (w * s): the target's staging area adds one above and one below. */
  row: number;
  pieces(): Generator<Piece>;
}

/**
 * Cuts `p` into pieces of about `budget` floats (whole planes, else bands of rows); bands get
 * their halo rows only with `halo` (the weight map's dilation reads them, nothing else does).
 */
export function plan(p: Planes, halo = true, budget: number = CHUNK_FLOATS): Plan {
  const row = p.w * p.s, plane = p.h * row;
  if (plane <= budget || p.h === 1) {
    const per = Math.min(p.planes, Math.max(1, Math.floor(budget / plane)));
    return {
      floats: per * plane,
      rows: p.h,
      planes: per,
      row,
      *pieces(): Generator<Piece> {
        for (let p0 = 0; p0 < p.planes; p0 += per) {
          const planes = Math.min(per, p.planes - p0);
          const lo = p0 * plane, hi = lo + planes * plane;
          yield { lo, hi, tlo: lo, thi: hi, plane: p0, planes, rows: p.h, halo: 0 };
        }
      },
    };
  }
  const band = Math.min(p.h, Math.max(MIN_BAND_ROWS, Math.floor(budget / row)));
  return {
    floats: band * row,
    rows: band,
    planes: 1,
    row,
    *pieces(): Generator<Piece> {
      for (let q = 0; q < p.planes; q++) {
        for (let r0 = 0; r0 < p.h; r0 += band) {
          const r1 = Math.min(p.h, r0 + band);
          const lo = (q * p.h + r0) * row, hi = (q * p.h + r1) * row;
          const above = halo && r0 > 0, below = halo && r1 < p.h;
          yield {
            lo,
            hi,
            tlo: above ? lo - row : lo,
            thi: below ? hi + row : hi,
            plane: q,
            planes: 1,
            rows: r1 - r0,
            halo: (above ? HALO.above : 0) | (below ? HALO.below : 0),
          };
        }
      }
    },
  };
}
