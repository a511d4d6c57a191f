import { checkOptions } from "../_validate.ts";
import { _max3x3 } from "./_max3x3.ts";
/**
 * The paper's weighted loss map in float64, computed the naive way (a full 3x3 window per
 * pixel): W * M + 1 with M = [3x3 grey dilation of the target > threshold], per channel of a
 * `[N, K, H, W]` batch; neighbours outside the map are ignored (scipy's default 'reflect' mode
 * gives the same maximum). The comparison is made in float32, as the official code compares
 * float32 maps and the fast kernels do: `Math.fround(max) > Math.fround(mapThreshold)`, so a
 * target equal to `Math.fround(0.2)` is not above the default threshold 0.2 (weight 1).
 *
 * @example A landmark peak of 1 makes a 3x3 square of weight 11
 * ```ts
 * import { weightMapReference } from "@facealign/awing/reference";
 * import { equal } from "node:assert/strict";
 * const target = new Float64Array(25);
 * target[12] = 1;
 * const map = weightMapReference(target, [1, 1, 5, 5]);
 * equal(map.filter((v) => v === 11).length, 9);
 * ```
 *
 * @example The threshold compares float32 values: 0.2 is not above 0.2
 * ```ts
 * import { weightMapReference } from "@facealign/awing/reference";
 * import { deepEqual } from "node:assert/strict";
 * const at02 = weightMapReference([0.2, Math.fround(0.2)], [1, 1, 1, 2]);
 * deepEqual(Array.from(at02), [1, 1]);
 * const above = weightMapReference([0, 0.2000001], [1, 1, 1, 2]);
 * deepEqual(Array.from(above), [11, 11]);
 * ```
 *
 * @param target The target heatmaps.
 * @param shape Their shape `[N, K, H, W]`.
 * @param options `mapWeight` (W, default 10) and `mapThreshold` (default 0.2), named as in the
 * losses' options.
 * @returns The weights, one per pixel.
 */
export function weightMapReference(
  target: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  options: { mapWeight?: number | undefined; mapThreshold?: number | undefined } = {},
): Float64Array {
  checkOptions(options, "compute weight map");
  const { mapWeight: weight = 10, mapThreshold: threshold = 0.2 } = options;
  const thr = Math.fround(threshold);
  const [n, k, h, w] = shape;
  const out = new Float64Array(n * k * h * w);
  for (let c = 0; c < n * k; c++) {
    const off = c * h * w;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const m = _max3x3(target, off, h, w, i, j);
        out[off + i * w + j] = weight * (Math.fround(m) > thr ? 1 : 0) + 1;
      }
    }
  }
  return out;
}
