// The one driver behind every decoder: validates, stages chunks of whole channels through the
// WASM arena, runs the argmax kernel (which also detects NaN and infinite values in the same
// pass) and hands each chunk to the decoder's own refinement.
import {
  checkFinite,
  checkFloat,
  checkLength,
  checkOneOf,
  checkOptionsShape,
  outputArray,
} from "../_validate.ts";
import type { FloatArray, Shape4 } from "../types.ts";
import { checkNoOverlap } from "../_overlap.ts";
import { checkArena, CHUNK_FLOATS, f32At, reserve, wasm } from "../_wasm.ts";
import type { DecodeOptions, DecodeResult } from "./types.ts";

/** The action of every decoder's error messages. */
export const ACTION = "decode heatmaps";

/** A decoder's option `name`: one of `allowed`, the first of them (the default) when undefined. */
export function optionOneOf<T extends string>(
  value: T | undefined,
  name: string,
  allowed: readonly [T, ...T[]],
): T {
  const chosen = value ?? allowed[0];
  checkOneOf(chosen, name, allowed, ACTION);
  return chosen;
}

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

/** A decoder call, checked: the batch and where the results go. */
export interface DecodeCall {
  shape: Shape4;
  /** The caller's `out.landmarks` or a new array. */
  landmarks: Float32Array;
  /** The caller's `out.confidence` or a new array. */
  confidence: Float32Array;
}

/**
 * Checks the heatmaps and the options of a decoder call (shared by every decoder and
 * CudaBackend).
 */
export function checkDecodeCall(heatmaps: FloatArray, options: DecodeOptions): DecodeCall {
  checkFloat(heatmaps, "heatmaps", ACTION);
  const size = checkOptionsShape(options, ACTION);
  const shape = options.shape;
  checkLength(heatmaps, "heatmaps", size, `shape ${JSON.stringify(shape)}`, ACTION);
  const channels = shape[0] * shape[1];
  const out = options.out;
  const landmarks = outputArray(out?.landmarks, "out.landmarks", 2 * channels, `[N, K, 2]`, ACTION);
  const confidence = outputArray(out?.confidence, "out.confidence", channels, `[N, K]`, ACTION);
  checkNoOverlap(
    [["out.landmarks", landmarks], ["out.confidence", confidence]],
    [["heatmaps", heatmaps]],
    ACTION,
  );
  return { shape, landmarks, confidence };
}

const F32_MAX = 3.4028234663852886e38;

/**
 * Throws for the first value of `values` (from index `offset` of the heatmaps) that is NaN,
 * infinite or beyond the float32 range the decoders compute in; returns when there is none.
 */
export function checkDecodeValues(values: FloatArray, offset: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) checkFinite([v], "heatmaps", ACTION, offset + i);
    if (Math.abs(v) > F32_MAX) {
      throw new RangeError(
        `Cannot ${ACTION}: "heatmaps" has ${v} at index ${
          offset + i
        }, beyond the float32 range the decoders compute in`,
      );
    }
  }
}

/**
 * Runs a decoder over `heatmaps`. Float64 heatmaps are decoded in float32, like float32 ones;
 * a value beyond the float32 range is an error, not an infinity.
 */
export function runDecode(
  heatmaps: FloatArray,
  options: DecodeOptions,
  spec: DecodeSpec,
): DecodeResult {
  const { shape, landmarks, confidence } = checkDecodeCall(heatmaps, options);
  const [n, k, h, w] = shape;
  const channels = n * k;
  const result = { landmarks, confidence };

  const hw = h * w;
  checkArena([hw * 4, 8, ...(spec.extra?.(h, w, 1) ?? [])], shape, ACTION);
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
      checkDecodeValues(heatmaps.subarray(from, from + hw), from);
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
