// The one driver behind every decoder: validates, stages chunks of whole channels through the
// WASM arena, runs the argmax kernel (which also detects NaN and infinite values in the same
// pass) and hands each chunk to the decoder's own refinement.
import { checkF32, checkFinite, checkFloat, checkLength, checkShape4 } from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import { CHUNK_FLOATS, f32At, reserve, wasm } from "../_wasm.ts";
import type { FloatArray } from "../types.ts";
import type { DecodeOptions, DecodeResult } from "./types.ts";

/** The action of every decoder's error messages. */
export const ACTION = "decode heatmaps";

/** One chunk of channels as a decoder sees it. */
export interface DecodeChunk {
  /** First channel (index into N*K) of the chunk. */
  c0: number;
  /** Channels in the chunk. */
  cc: number;
  /** Byte address of the chunk's heatmaps in WASM memory. */
  ptr: number;
  /** A view of the chunk's heatmaps (cc*H*W floats). */
  view: Float32Array;
  /** First-maximum index per channel of the chunk (when requested). */
  argIndex: Int32Array;
  /** The maximum per channel of the chunk (when requested). */
  argValue: Float32Array;
  /** Byte addresses of the decoder's extra arena regions. */
  extra: number[];
  /** Throws the error that names the first NaN or infinite value of channel c of the chunk. */
  nonFinite: (c: number) => never;
}

/** How a decoder uses the driver. */
export interface DecodeSpec {
  /** Run the argmax kernel on every chunk. */
  argmax: boolean;
  /** Byte sizes of extra arena regions, given H, W and the channels per chunk. */
  extra?: (h: number, w: number, chunk: number) => number[];
  /** Fills landmarks and confidence of the chunk's channels. */
  run: (chunk: DecodeChunk, result: DecodeResult) => void;
}

const F32_MAX = 3.4028234663852886e38;

/**
 * Runs a decoder over `heatmaps`. Float64 heatmaps are decoded in float32, like float32 ones;
 * a value beyond the float32 range is an error, not an infinity.
 */
export function runDecode(
  heatmaps: FloatArray,
  options: DecodeOptions,
  spec: DecodeSpec,
): DecodeResult {
  checkFloat(heatmaps, "heatmaps", ACTION);
  if (options === undefined || options.shape === undefined) {
    throw new TypeError(`Cannot ${ACTION}: "options.shape" [N, K, H, W] is required`);
  }
  const size = checkShape4(options.shape, ACTION);
  checkLength(heatmaps, "heatmaps", size, `shape ${JSON.stringify(options.shape)}`, ACTION);
  const [n, k, h, w] = options.shape;
  const channels = n * k;
  const landmarks = options.out?.landmarks ?? new Float32Array(2 * channels);
  checkF32(landmarks, "out.landmarks", ACTION);
  checkLength(landmarks, "out.landmarks", 2 * channels, `[N, K, 2]`, ACTION);
  const confidence = options.out?.confidence ?? new Float32Array(channels);
  checkF32(confidence, "out.confidence", ACTION);
  checkLength(confidence, "out.confidence", channels, `[N, K]`, ACTION);
  checkNoOverlap(
    [["out.landmarks", landmarks], ["out.confidence", confidence]],
    [["heatmaps", heatmaps]],
    ACTION,
  );
  const result = { landmarks, confidence };

  const hw = h * w;
  const chunk = Math.min(channels, Math.max(1, Math.floor(CHUNK_FLOATS / hw)));
  const ptrs = reserve([chunk * hw * 4, chunk * 8, ...(spec.extra?.(h, w, chunk) ?? [])], ACTION);
  const [pIn, pArg] = ptrs;
  const core = wasm();
  // views are made after reserve, the only call that can grow (and detach) the memory
  const buffer = core.memory.buffer;
  const arg = new Int32Array(buffer, pArg, 2 * chunk);
  const argF = new Float32Array(buffer, pArg, 2 * chunk);
  const argIndex = new Int32Array(chunk), argValue = new Float32Array(chunk);
  for (let c0 = 0; c0 < channels; c0 += chunk) {
    const cc = Math.min(chunk, channels - c0);
    const lo = c0 * hw, m = cc * hw;
    const view = f32At(pIn, m);
    view.set(heatmaps.subarray(lo, lo + m));
    const nonFinite = (c: number): never => {
      const from = lo + c * hw;
      const channel = heatmaps.subarray(from, from + hw);
      checkFinite(channel, "heatmaps", ACTION, from);
      const i = channel.findIndex((v) => Math.abs(v) > F32_MAX);
      if (i >= 0) {
        throw new RangeError(
          `Cannot ${ACTION}: "heatmaps" has ${channel[i]} at index ${
            from + i
          }, beyond the float32 range the decoders compute in`,
        );
      }
      throw new Error("unreachable: the kernel saw a non-finite value the scan did not");
    };
    if (spec.argmax) {
      const bad = core.argmax_channels(pIn, cc, hw, pArg);
      if (bad >= 0) nonFinite(bad);
      for (let c = 0; c < cc; c++) {
        argIndex[c] = arg[2 * c]!;
        argValue[c] = argF[2 * c + 1]!;
      }
    }
    spec.run(
      { c0, cc, ptr: pIn, view, argIndex, argValue, extra: ptrs.slice(2), nonFinite },
      result,
    );
  }
  return result;
}
