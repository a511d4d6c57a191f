/**
 * Types shared by the heatmap decoders.
 *
 * @module
 */
import type { Shape4 } from "../types.ts";

/** Options shared by every decoder. */
export interface DecodeOptions {
  /** Shape `[N, K, H, W]` of the heatmaps. */
  shape: Shape4;
  /**
   * Caller-provided outputs: `landmarks` (N*K*2 floats) and `confidence` (N*K floats), so
   * that an evaluation loop allocates nothing.
   */
  out?: { landmarks?: Float32Array | undefined; confidence?: Float32Array | undefined } | undefined;
}

/** What a decoder returns. */
export interface DecodeResult {
  /**
   * Landmarks `[N, K, 2]` (x, y) in heatmap pixels, in the project's pixel-centre frame (pixel
   * (row i, col j) has its centre at (x = j, y = i)) unless a decoder's option says otherwise.
   */
  landmarks: Float32Array;
  /** Confidence `[N, K]`: the maximum of each channel. */
  confidence: Float32Array;
}
