import { checkOptions } from "../_validate.ts";
import { type AWingParams, awingPixel } from "./awing_pixel.ts";
import { type Baseline, baselinePixel } from "./baseline_pixel.ts";
import { weightMapReference } from "./weight_map_reference.ts";

/** Options of {@link lossReference}, mirroring the fast losses'. */
export interface LossReferenceOptions {
  /** Shape `[N, K, H, W]`. */
  shape: readonly [number, number, number, number];
  /** `"awing"` (with its parameters) or a baseline. Defaults to the Adaptive Wing loss. */
  loss?: ({ kind: "awing" } & AWingParams) | Baseline | undefined;
  /** Reduction. Defaults to `"mean"`. */
  reduction?: "mean" | "sum" | "none" | undefined;
  /** Loss-map weight W. Defaults to 10 for AWing and 0 for the baselines. */
  mapWeight?: number | undefined;
  /** Loss-map threshold (strict `>`, compared in float32). Defaults to 0.2. */
  mapThreshold?: number | undefined;
  /** Per-landmark weights `[N, K]`. */
  landmarkWeights?: ArrayLike<number> | undefined;
}

/**
 * A whole heatmap loss in float64, pixel by pixel: the oracle for the WASM and CUDA paths.
 * Returns the reduced loss, the gradient with respect to `pred` and the weighted per-pixel
 * losses.
 *
 * @example The paper's weighted loss of an all-zero prediction
 * ```ts
 * import { lossReference } from "@facealign/awing/reference";
 * import { ok } from "node:assert/strict";
 * const target = new Float64Array(16).fill(0);
 * target[5] = 1;
 * const { loss } = lossReference(new Float64Array(16), target, { shape: [1, 1, 4, 4] });
 * ok(loss > 0);
 * ```
 *
 * @param pred Predicted heatmaps.
 * @param target Target heatmaps.
 * @param options Shape, loss and reduction.
 * @returns The reduced loss, the gradient and the per-pixel losses.
 */
export function lossReference(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  options: LossReferenceOptions,
): { loss: number; grad: Float64Array; lossMap: Float64Array } {
  checkOptions(options, "compute loss");
  const { shape, loss: kind = { kind: "awing" }, reduction = "mean", mapThreshold = 0.2 } = options;
  const mapWeight = options.mapWeight ?? (kind.kind === "awing" ? 10 : 0);
  const [n, k, h, w] = shape;
  const size = n * k * h * w;
  const map = weightMapReference(target, shape, { mapWeight, mapThreshold });
  const grad = new Float64Array(size);
  const lossMap = new Float64Array(size);
  const scale = reduction === "mean" ? 1 / size : 1;
  let total = 0;
  for (let i = 0; i < size; i++) {
    const cw = options.landmarkWeights ? options.landmarkWeights[Math.floor(i / (h * w))]! : 1;
    const px = kind.kind === "awing"
      ? awingPixel(pred[i]!, target[i]!, kind)
      : baselinePixel(pred[i]!, target[i]!, kind);
    const wt = map[i]! * cw;
    lossMap[i] = px.loss * wt;
    grad[i] = px.grad * wt * scale;
    total += lossMap[i]!;
  }
  return { loss: total * scale, grad, lossMap };
}
