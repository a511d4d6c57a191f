import { checkLandmarks } from "./_check.ts";
import type { Landmarks } from "./types.ts";

/**
 * The bounding box `[x, y, w, h]` of one face's landmarks (the "GT box" crop of the
 * literature when passed to {@linkcode faceBoxAffine}, which enlarges it). Missing (NaN)
 * points are ignored.
 *
 * @param landmarks One face, `[K, 2]` (x, y).
 * @returns `[xMin, yMin, xMax - xMin, yMax - yMin]`.
 * @throws {TypeError} If `landmarks` is not a Float32Array or Float64Array of pairs.
 * @throws {RangeError} If no point is finite, or a value is infinite.
 *
 * @example
 * ```ts
 * import { landmarksBox } from "@facealign/awing/data";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(landmarksBox(new Float64Array([10, 20, 30, 5, NaN, NaN, 15, 40])), [10, 5, 20, 35]);
 * ```
 */
export function landmarksBox(
  landmarks: Landmarks,
): [x: number, y: number, w: number, h: number] {
  const action = "compute landmarks box";
  checkLandmarks(landmarks, "landmarks", action);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < landmarks.length; i += 2) {
    const x = landmarks[i]!, y = landmarks[i + 1]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new RangeError(
        `Cannot ${action} as landmarks must be finite or NaN: point ${i / 2} is (${x}, ${y})`,
      );
    }
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x0 > x1) {
    throw new RangeError(`Cannot ${action} as landmarks must hold a finite point: all are NaN`);
  }
  return [x0, y0, x1 - x0, y1 - y0];
}
