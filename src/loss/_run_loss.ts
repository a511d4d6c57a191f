// The one driver behind every heatmap loss: validates, stages chunks of whole channels
// through the WASM arena, runs the fused kernel and copies results out.
import { checkF32, checkFinite, checkLength, checkShape4 } from "../_validate.ts";
import { resolveLossOptions } from "./_options.ts";
import { CHUNK_FLOATS, f32At, rangeAt, reserve, wasm } from "../_wasm.ts";
import type { KIND } from "../_wasm.ts";
import type { LossOptions, LossResult } from "../types.ts";

/** A loss as the driver sees it: its kind, its 4 parameters and its own input checks. */
export interface LossSpec {
  kind: (typeof KIND)[keyof typeof KIND];
  params: readonly [number, number, number, number];
  defaultMapWeight: number;
  /** Extra check of the target's range per chunk (AWing's alpha > 1 + max(target)). */
  checkTarget?: (min: number, max: number) => void;
}

const ACTION = "compute loss";

function badIndex(view: Float32Array, name: string, offset: number): never {
  checkFinite(view, name, ACTION, offset);
  throw new Error("unreachable: range scan found a non-finite value the index scan did not");
}

/** Runs the loss described by `spec` over `pred` and `target`. */
export function runLoss(
  spec: LossSpec,
  pred: Float32Array,
  target: Float32Array,
  options: LossOptions,
): LossResult {
  checkF32(pred, "pred", ACTION);
  checkF32(target, "target", ACTION);
  if (options === undefined || options.shape === undefined) {
    throw new TypeError(`Cannot ${ACTION}: "options.shape" [N, K, H, W] is required`);
  }
  const size = checkShape4(options.shape, ACTION, "shape");
  const [n, k, h, w] = options.shape;
  if (pred.length !== target.length) {
    throw new TypeError(
      `Cannot ${ACTION}: "pred" has ${pred.length} elements but "target" has ${target.length}`,
    );
  }
  checkLength(pred, "pred", size, `shape ${JSON.stringify(options.shape)}`, ACTION);
  const { reduction, mapWeight, mapThreshold, landmarkWeights: lw, validate, gradient } =
    resolveLossOptions(options, n, k, spec.defaultMapWeight);
  let grad: Float32Array | undefined;
  if (gradient) {
    grad = options.out?.grad ?? new Float32Array(size);
    checkF32(grad, "out.grad", ACTION);
    checkLength(grad, "out.grad", size, `"pred"`, ACTION);
  }
  let lossMap: Float32Array | undefined;
  if (reduction === "none") {
    lossMap = options.out?.lossMap ?? new Float32Array(size);
    checkF32(lossMap, "out.lossMap", ACTION);
    checkLength(lossMap, "out.lossMap", size, `"pred"`, ACTION);
  }

  const core = wasm();
  core.set_loss(spec.kind, ...spec.params);
  const hw = h * w;
  const channels = n * k;
  const chunk = Math.min(channels, Math.max(1, Math.floor(CHUNK_FLOATS / hw)));
  const bytes = chunk * hw * 4;
  const [scratch, pChan, pPred, pTarget, pGrad, pLoss] = reserve(
    [2 * hw * 4, chunk * 4, bytes, bytes, grad ? bytes : 0, lossMap ? bytes : 0],
    ACTION,
  );
  const gscale = reduction === "mean" ? 1 / size : 1;
  let total = 0;
  for (let c0 = 0; c0 < channels; c0 += chunk) {
    const cc = Math.min(chunk, channels - c0);
    const lo = c0 * hw, hi = (c0 + cc) * hw, m = hi - lo;
    f32At(pPred, m).set(pred.subarray(lo, hi));
    f32At(pTarget, m).set(target.subarray(lo, hi));
    if (lw) f32At(pChan, cc).set(lw.subarray(c0, c0 + cc));
    if (validate) {
      const [pmin, pmax] = rangeAt(pPred, m);
      if (!Number.isFinite(pmin) || !Number.isFinite(pmax)) {
        badIndex(pred.subarray(lo, hi), "pred", lo);
      }
      const [tmin, tmax] = rangeAt(pTarget, m);
      if (!Number.isFinite(tmin) || !Number.isFinite(tmax)) {
        badIndex(target.subarray(lo, hi), "target", lo);
      }
      spec.checkTarget?.(tmin, tmax);
    }
    total += core.loss_batch(
      pPred,
      pTarget,
      grad ? pGrad : 0,
      lossMap ? pLoss : 0,
      cc,
      h,
      w,
      lw ? pChan : 0,
      mapWeight,
      mapThreshold,
      gscale,
      scratch,
    );
    if (grad) grad.set(f32At(pGrad, m), lo);
    if (lossMap) lossMap.set(f32At(pLoss, m), lo);
  }
  return { loss: reduction === "mean" ? total / size : total, grad, lossMap };
}
