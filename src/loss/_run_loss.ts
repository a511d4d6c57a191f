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
  // Views made once per call, not per chunk (the memory cannot grow inside the loop); the
  // last, partial chunk uses subarrays of them.
  const full = chunk * hw;
  const predView = f32At(pPred, full), targetView = f32At(pTarget, full);
  const gradView = grad ? f32At(pGrad, full) : undefined;
  const lossView = lossMap ? f32At(pLoss, full) : undefined;
  const chanView = lw ? f32At(pChan, chunk) : undefined;
  const check = f32At(core.check_out(), 3);
  let total = 0;
  for (let c0 = 0; c0 < channels; c0 += chunk) {
    const cc = Math.min(chunk, channels - c0);
    const lo = c0 * hw, hi = (c0 + cc) * hw, m = hi - lo;
    predView.set(pred.subarray(lo, hi));
    targetView.set(target.subarray(lo, hi));
    if (chanView) chanView.set(lw!.subarray(c0, c0 + cc));
    const chunkTotal = core.loss_batch(
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
    // The kernel checks its inputs as it goes (check_out): validation needs no extra pass. It
    // runs before any result of this chunk is copied out, so a bad chunk leaves the outputs as
    // the separate scan did. A failed fast check (a NaN or infinity, or a finite pair whose
    // difference overflows) falls back to the exact scan, which names the first bad value.
    if (validate) {
      if (check[0] !== 1) {
        const [pmin, pmax] = rangeAt(pPred, m);
        if (!Number.isFinite(pmin) || !Number.isFinite(pmax)) {
          badIndex(pred.subarray(lo, hi), "pred", lo);
        }
        const [tmin, tmax] = rangeAt(pTarget, m);
        if (!Number.isFinite(tmin) || !Number.isFinite(tmax)) {
          badIndex(target.subarray(lo, hi), "target", lo);
        }
        spec.checkTarget?.(tmin, tmax);
      } else {
        spec.checkTarget?.(check[1]!, check[2]!);
      }
    }
    total += chunkTotal;
    if (gradView) grad!.set(m === full ? gradView : gradView.subarray(0, m), lo);
    if (lossView) lossMap!.set(m === full ? lossView : lossView.subarray(0, m), lo);
  }
  return { loss: reduction === "mean" ? total / size : total, grad, lossMap };
}
