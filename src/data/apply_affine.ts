import { checkNoOverlap } from "../_overlap.ts";
import { checkOptions } from "../_validate.ts";
import { checkAffine, checkLandmarks } from "./_check.ts";
import type { Affine, Landmarks } from "./types.ts";

/** Options of {@linkcode applyAffine}. */
export interface ApplyAffineOptions<T extends Landmarks> {
  /** Output buffer, same type and length as the input (may be the input itself). */
  readonly out?: T;
}

/**
 * Maps landmarks through an affine transform: each (x, y) pair becomes
 * `(a x + b y + c, d x + e y + f)`. Works on any number of pairs (`[K, 2]` or `[N, K, 2]`),
 * in float32 or float64; a missing landmark (NaN) stays NaN.
 *
 * @param landmarks (x, y) pairs, row-major.
 * @param matrix The transform `[a, b, c, d, e, f]`.
 * @param options Output buffer.
 * @returns The mapped pairs, same type as the input (`out` when given).
 * @throws {TypeError} If `landmarks` is not a Float32Array or Float64Array of pairs, the
 * matrix is not 6 numbers, or `out` does not match or shares memory with `landmarks` other
 * than as the very same elements (in place, `out: landmarks`, works).
 * @throws {RangeError} If a matrix element is not finite, or a finite point maps beyond the
 * array type (a missing landmark, NaN, stays NaN); the points before it are then already
 * written to `out`.
 *
 * @example Image -> crop -> image with a face-box crop
 * ```ts
 * import { applyAffine, faceBoxAffine, invertAffine } from "@facealign/awing/data";
 * import { ok } from "node:assert/strict";
 *
 * const crop = faceBoxAffine({ box: [100, 80, 60, 60], size: 64, enlarge: 1 });
 * const p = new Float64Array([130, 110]); // the box centre
 * const q = applyAffine(p, crop);
 * ok(Math.abs(q[0]! - 31.5) < 1e-12 && Math.abs(q[1]! - 31.5) < 1e-12);
 * const back = applyAffine(q, invertAffine(crop));
 * ok(Math.abs(back[0]! - 130) < 1e-9);
 * ```
 */
export function applyAffine<T extends Landmarks>(
  landmarks: T,
  matrix: Affine,
  options: ApplyAffineOptions<T> = {},
): T {
  const action = "apply affine";
  checkOptions(options, action);
  checkLandmarks(landmarks, "landmarks", action);
  const [a, b, c, d, e, f] = checkAffine(matrix, "matrix", action);
  const out = options.out ?? new (landmarks.constructor as new (n: number) => T)(landmarks.length);
  if (out.constructor !== landmarks.constructor || out.length !== landmarks.length) {
    throw new TypeError(
      `Cannot ${action}: "out" must be a ${landmarks.constructor.name} of ${landmarks.length} elements`,
    );
  }
  checkNoOverlap([["out", out]], [["landmarks", landmarks]], action, ["landmarks"]);
  for (let i = 0; i < landmarks.length; i += 2) {
    const x = landmarks[i]!, y = landmarks[i + 1]!;
    out[i] = a * x + b * y + c;
    out[i + 1] = d * x + e * y + f;
    if (
      !(Number.isFinite(out[i]) && Number.isFinite(out[i + 1])) && Number.isFinite(x) &&
      Number.isFinite(y)
    ) {
      throw new RangeError(
        `Cannot ${action} as the mapped landmarks must be finite: point ${
          i / 2
        } (${x}, ${y}) maps to (${out[i]}, ${out[i + 1]}), beyond a ${landmarks.constructor.name}`,
      );
    }
  }
  return out;
}
