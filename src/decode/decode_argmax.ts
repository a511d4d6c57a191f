import { runDecode } from "./_run_decode.ts";
import type { FloatArray } from "../types.ts";
import type { DecodeOptions, DecodeResult } from "./types.ts";

/**
 * Decodes heatmaps to integer landmarks: the first maximum of each channel in row-major order
 * (found by the WASM SIMD core), x = its column, y = its row, confidence = the maximum. On
 * an exact target the error is at most 0.5 px per axis (the rounding to the nearest pixel).
 *
 * @example
 * ```ts
 * import { decodeArgmax } from "@facealign/awing/decode";
 * import { deepEqual } from "node:assert/strict";
 * const hm = new Float32Array(4 * 5);
 * hm[2 * 5 + 3] = 0.9; // row 2, column 3
 * const { landmarks, confidence } = decodeArgmax(hm, { shape: [1, 1, 4, 5] });
 * deepEqual(Array.from(landmarks), [3, 2]);
 * deepEqual(Array.from(confidence), [Math.fround(0.9)]);
 * ```
 *
 * @param heatmaps Heatmaps `[N, K, H, W]`, float32 or float64 (decoded in float32).
 * @param options Shape (required) and output buffers.
 * @returns Landmarks `[N, K, 2]` and confidence `[N, K]`.
 * @throws {TypeError} When the length does not match the shape or an output does not fit, or an output shares memory with
 * `heatmaps` or with the other output.
 * @throws {RangeError} For a NaN or infinite value (naming its index) or an empty batch.
 */
export function decodeArgmax(heatmaps: FloatArray, options: DecodeOptions): DecodeResult {
  const w = options?.shape?.[3];
  return runDecode(heatmaps, options, {
    argmax: true,
    run({ c0, cc, argIndex, argValue }, { landmarks, confidence }): void {
      for (let c = 0; c < cc; c++) {
        const idx = argIndex[c]!;
        landmarks[2 * (c0 + c)] = idx % w;
        landmarks[2 * (c0 + c) + 1] = Math.floor(idx / w);
        confidence[c0 + c] = argValue[c]!;
      }
    },
  });
}
