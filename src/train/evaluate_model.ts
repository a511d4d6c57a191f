import { checkF32, checkOptions } from "../_validate.ts";
import type * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { applyAffine } from "../data/apply_affine.ts";
import type { Affine } from "../data/types.ts";
import { auc } from "../metrics/auc.ts";
import { failureRate } from "../metrics/failure_rate.ts";
import { meanNme } from "../metrics/mean_nme.ts";
import { nme } from "../metrics/nme.ts";
import { toHeatmapCoords } from "../heatmap/to_heatmap_coords.ts";
import { meanPeakValue } from "./mean_peak_value.ts";
import { predictHeatmaps } from "./predict_heatmaps.ts";
import { _decodeLandmarks } from "./_decode_landmarks.ts";
import { _modelShapes } from "./_model_shapes.ts";
import type { EvalSet } from "./types.ts";

/** Options of {@link evaluateModel}. */
export interface EvaluateModelOptions {
  /** Sigma of the training targets in heatmap pixels, which picks DARK's blur. Defaults to 1. */
  sigma?: number;
  /** Failure threshold on the per-face NME, also the AUC's range. Defaults to 0.1. */
  threshold?: number;
}

/** What {@link evaluateModel} returns. */
export interface Evaluation {
  /** Mean NME (inter-ocular, a fraction). */
  nme: number;
  /** Failure rate: the fraction of faces whose NME is above the threshold. */
  fr: number;
  /** Area under the CED curve up to the threshold, divided by it. */
  auc: number;
  /** The per-face NMEs. */
  nmes: Float64Array;
  /** Predicted landmarks `[N, K, 2]` in image pixels. */
  landmarks: Float32Array;
  /**
   * The mean predicted value at the target peaks ({@link meanPeakValue}; a perfect
   * prediction gives 1).
   */
  peak: number;
}

/**
 * Evaluates a heatmap model on faces: predicts their heatmaps, decodes the K landmark channels
 * with DARK (a boundary channel, if any, is ignored), maps the landmarks from heatmap to crop
 * pixels (`fromHeatmapCoords`, the stride being crop size / heatmap size) and on to the image
 * (the set's `toImage` affines), and scores them against the ground truth mapped the same way:
 * NME normalised by the inter-ocular distance (outer eye corners), failure rate and AUC at
 * `threshold`; and the mean predicted value at the target peaks.
 *
 * @example An untrained network fails on every face
 * ```ts
 * import { createHeatmapModel, evaluateModel } from "@facealign/awing/train";
 * import { equal } from "node:assert/strict";
 * const model = createHeatmapModel({ width: 4, levels: 1, numLandmarks: 68, inputSize: 16 });
 * const landmarks = new Float32Array(2 * 68 * 2).map((_, i) => 4 + (i * 7) % 9);
 * landmarks.set([2, 5], 36 * 2); // outer eye corners 8 px apart
 * landmarks.set([10, 5], 45 * 2);
 * landmarks.set([2, 5, 10, 5], (68 + 36) * 2);
 * landmarks.set([10, 5], (68 + 45) * 2);
 * const result = evaluateModel(model, { images: new Float32Array(2 * 16 * 16 * 3), landmarks });
 * equal(result.nmes.length, 2);
 * model.dispose();
 * ```
 *
 * @param model The model.
 * @param set The faces: crops, ground truth in crop pixels, crop-to-image affines.
 * @param options DARK's sigma and the failure threshold.
 * @returns Mean NME, FR, AUC, the per-face NMEs and the landmarks in image pixels.
 * @throws {TypeError} When the set is not an object of Float32Array images and landmarks
 * (and Float64Array affines), or its arrays do not fit the model or each other.
 */
export function evaluateModel(
  model: tfl.LayersModel,
  set: EvalSet,
  options: EvaluateModelOptions = {},
): Evaluation {
  checkOptions(options, "evaluate model");
  checkOptions(set, "evaluate model", "set");
  if (set === undefined) throw new TypeError(`Cannot evaluate model: "set" is required`);
  checkF32(set.images, "set.images", "evaluate model");
  checkF32(set.landmarks, "set.landmarks", "evaluate model");
  if (set.toImage !== undefined && !(set.toImage instanceof Float64Array)) {
    throw new TypeError(`Cannot evaluate model: "set.toImage" must be a Float64Array`);
  }
  const { heatmaps, shape } = predictHeatmaps(model, set.images);
  const [n, c, h] = shape;
  const k = set.landmarks.length / (2 * n);
  if (!(Number.isInteger(k) && k >= 1 && k <= c)) {
    throw new TypeError(
      `Cannot evaluate: "landmarks" has ${set.landmarks.length} values for ${n} faces and ${c} heatmap channels`,
    );
  }
  if (set.toImage !== undefined && set.toImage.length !== 6 * n) {
    throw new TypeError(
      `Cannot evaluate: "toImage" has ${set.toImage.length} values but ${n} faces need ${6 * n}`,
    );
  }
  const stride = _modelShapes(model, "evaluate").s / h;
  const crop = _decodeLandmarks(heatmaps, shape, k, options.sigma ?? 1, stride);
  const pred = _toImage(crop, set.toImage, n, k);
  const gt = _toImage(set.landmarks, set.toImage, n, k);
  const nmes = nme(pred, gt, { numPoints: k, norm: "inter-ocular" });
  const threshold = options.threshold ?? 0.1;
  return {
    nme: meanNme(nmes),
    fr: failureRate(nmes, { threshold }),
    auc: auc(nmes, { threshold }),
    nmes,
    landmarks: pred,
    peak: meanPeakValue(heatmaps, shape, toHeatmapCoords(set.landmarks, { stride })),
  };
}

/** Applies the per-face affines [a, b, tx, c, d, ty] to landmarks [N, K, 2]. */
function _toImage(
  points: Float32Array,
  affines: Float64Array | undefined,
  n: number,
  k: number,
): Float32Array {
  const out = points.slice();
  if (affines === undefined) return out;
  for (let i = 0; i < n; i++) {
    const face = out.subarray(2 * i * k, 2 * (i + 1) * k);
    applyAffine(face, Array.from(affines.subarray(6 * i, 6 * i + 6)) as unknown as Affine, {
      out: face,
    });
  }
  return out;
}
