import { checkOptions } from "../_validate.ts";
import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { mixSeed } from "../data/_rng.ts";
import { _AddCoords } from "./_add_coords.ts";

/** Options of {@link createHeatmapModel}. */
export interface HeatmapModelOptions {
  /** Number of landmarks K (one heatmap each). Defaults to 68. */
  numLandmarks?: number;
  /** Input crop side S in pixels (a multiple of the stride times 2^levels). Defaults to 64. */
  inputSize?: number;
  /** Input pixels per heatmap pixel: 1, 2 or 4. Defaults to 2 (64 x 64 in, 32 x 32 out). */
  stride?: number;
  /** Filters at the finest level; level l has width (l + 1) times it. Defaults to 16. */
  width?: number;
  /** Down-sampling levels of the U-Net below the heatmap resolution. Defaults to 3. */
  levels?: number;
  /**
   * Width of a 1x1 convolution (+ batch norm + ReLU) between the U-Net and the output layer,
   * which gives the K heatmaps a wider per-pixel feature than `width`; 0 for none. Defaults
   * to 0.
   */
  head?: number;
  /** Append CoordConv channels (x, y, r) to the input image. Defaults to false. */
  coordConv?: boolean;
  /** Add a boundary heatmap output channel after the K landmark channels. Defaults to false. */
  boundary?: boolean;
  /**
   * Sigma of the Gaussian targets the model is trained on, in heatmap pixels: not used by the
   * network, but kept with it so that decoders (DARK's blur) match. Defaults to 1.5.
   */
  sigma?: number;
  /** Seed of the weight initialisers. Defaults to 0. */
  seed?: number;
}

/** The options with defaults applied, as stored in checkpoints. */
export type ResolvedModelOptions = Required<HeatmapModelOptions>;

const ACTION = "create model";

function wholeAtLeast(v: number, name: string, min: number): number {
  if (!(Number.isInteger(v) && v >= min)) {
    throw new RangeError(
      `Cannot ${ACTION} as ${name} must be a whole number >= ${min}: current value is ${v}`,
    );
  }
  return v;
}

/** Applies the defaults of {@link createHeatmapModel} and checks them. */
export function _resolveModelOptions(options: HeatmapModelOptions): ResolvedModelOptions {
  const o: ResolvedModelOptions = {
    numLandmarks: options.numLandmarks ?? 68,
    inputSize: options.inputSize ?? 64,
    stride: options.stride ?? 2,
    width: options.width ?? 16,
    levels: options.levels ?? 3,
    head: options.head ?? 0,
    coordConv: options.coordConv ?? false,
    boundary: options.boundary ?? false,
    sigma: options.sigma ?? 1.5,
    seed: options.seed ?? 0,
  };
  wholeAtLeast(o.numLandmarks, "numLandmarks", 1);
  wholeAtLeast(o.width, "width", 1);
  wholeAtLeast(o.levels, "levels", 0);
  wholeAtLeast(o.head, "head", 0);
  wholeAtLeast(o.seed, "seed", 0);
  if (!(o.sigma > 0 && Number.isFinite(o.sigma))) {
    throw new RangeError(`Cannot ${ACTION} as sigma must be > 0: current value is ${o.sigma}`);
  }
  if (![1, 2, 4].includes(o.stride)) {
    throw new RangeError(
      `Cannot ${ACTION} as stride must be 1, 2 or 4: current value is ${o.stride}`,
    );
  }
  const unit = o.stride * 2 ** o.levels;
  if (!(Number.isInteger(o.inputSize) && o.inputSize >= unit && o.inputSize % unit === 0)) {
    throw new RangeError(
      `Cannot ${ACTION} as inputSize must be a multiple of stride * 2^levels = ${unit}: current value is ${o.inputSize}`,
    );
  }
  return o;
}

/**
 * A small U-Net heatmap regressor in `tf.layers`: an `[S, S, 3]` image in, `[S/s, S/s, C]`
 * heatmaps out (C = K, plus one boundary channel with `boundary`), channel-last.
 *
 * A 3x3 convolution with stride s (+ batch norm + ReLU) brings the image to the heatmap
 * resolution; then each of `levels` levels halves the resolution with a 2x2 max pool and
 * applies two 3x3 convolutions of width (l + 1) `width`; the decoder upsamples (nearest),
 * concatenates the skip connection and applies one 3x3 convolution per level; a 1x1
 * convolution gives the linear heatmaps (after a 1x1 convolution of width `head` + batch norm
 * + ReLU, when `head` > 0). With `coordConv` the image gets awing's CoordConv
 * channels x, y, r (`coordChannels`) first. Weights are He-normal with nonzero seeds derived
 * from `seed` (seed 0 included), so the same options give the same weights. The options are kept in the model's
 * name-independent `getUserDefinedMetadata()` for checkpoints.
 *
 * @example A 64 x 64 image to 32 x 32 x 68 heatmaps
 * ```ts
 * import { createHeatmapModel } from "@facealign/awing/train";
 * import { deepEqual } from "node:assert/strict";
 * const model = createHeatmapModel({ width: 4, levels: 2 });
 * deepEqual(model.outputs[0]!.shape, [null, 32, 32, 68]);
 * model.dispose();
 * ```
 *
 * @param options Sizes, CoordConv input, boundary output channel, seed.
 * @returns The (uncompiled) model.
 * @throws {RangeError} For sizes that are not whole numbers, a stride other than 1, 2 or 4, or
 * an input size that is not a multiple of stride * 2^levels.
 */
export function createHeatmapModel(options: HeatmapModelOptions = {}): tfl.LayersModel {
  checkOptions(options, "create heatmap model");
  const o = _resolveModelOptions(options);
  // each initialiser's seed is a hash of (seed, layer), never 0: TensorFlow.js takes a seed of
  // 0 for "no seed" and would draw that layer's weights at random
  let layer = 0;
  const nextSeed = () => mixSeed(o.seed, layer++) || 1;
  const conv = (x: tfl.SymbolicTensor, filters: number, kernel = 3, strides = 1) => {
    const c = tfl.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides,
      padding: "same",
      useBias: false,
      kernelInitializer: tfl.initializers.heNormal({ seed: nextSeed() }),
    }).apply(x) as tfl.SymbolicTensor;
    const n = tfl.layers.batchNormalization({ momentum: 0.9 }).apply(c) as tfl.SymbolicTensor;
    return tfl.layers.reLU().apply(n) as tfl.SymbolicTensor;
  };
  const input = tfl.input({ shape: [o.inputSize, o.inputSize, 3] });
  let x: tfl.SymbolicTensor = input;
  if (o.coordConv) x = new _AddCoords({}).apply(x) as tfl.SymbolicTensor;
  x = conv(x, o.width, 3, o.stride);
  x = conv(x, o.width);
  const skips: tfl.SymbolicTensor[] = [];
  for (let l = 1; l <= o.levels; l++) {
    skips.push(x);
    x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
    x = conv(x, o.width * (l + 1));
    x = conv(x, o.width * (l + 1));
  }
  for (let l = o.levels - 1; l >= 0; l--) {
    x = tfl.layers.upSampling2d({ size: [2, 2] }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.concatenate().apply([x, skips[l]!]) as tfl.SymbolicTensor;
    x = conv(x, o.width * (l + 1));
  }
  if (o.head > 0) x = conv(x, o.head, 1);
  const out = tfl.layers.conv2d({
    filters: o.numLandmarks + (o.boundary ? 1 : 0),
    kernelSize: 1,
    kernelInitializer: tfl.initializers.glorotNormal({ seed: nextSeed() }),
  }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  model.setUserDefinedMetadata({ awing: o });
  return model;
}
