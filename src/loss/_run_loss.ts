// The one driver behind every heatmap loss: stages pieces of a checked call (whole planes, or
// bands of rows with a halo, see _planes.ts) through the WASM arena in either layout, runs the
// fused kernel and copies results out.
import { f32At, reserve, wasm } from "../_wasm.ts";
import type { KIND } from "../_wasm.ts";
import type { HeatmapLoss, LossOptions, LossResult } from "../types.ts";
import {
  checkLossCall,
  checkLossTotal,
  checkLossValues,
  checkPositiveParams,
  type LossCall,
  type TargetCheck,
} from "./_options.ts";
import { plan, toPlanes } from "./_planes.ts";

/** A loss as the driver sees it: its kind, its 4 parameters and its check of the target. */
export interface LossSpec {
  kind: (typeof KIND)[keyof typeof KIND];
  params: readonly [number, number, number, number];
  /** AWing's alpha > 1 + max(target). */
  checkTarget?: TargetCheck | undefined;
}

const ACTION = "compute loss";

/** A loss function with the overloads of {@link HeatmapLoss}, from its implementation. */
export function heatmapLoss<O extends LossOptions>(
  fn: (pred: Float32Array, target: Float32Array, options: O) => LossResult,
): HeatmapLoss<O> {
  return fn as HeatmapLoss<O>;
}

/**
 * A loss of the WASM core without a target check (all but AWing): its kind and its 4 kernel
 * parameters from the options (`params` checks them and throws first), no map by default.
 */
export function kernelLoss<O extends LossOptions>(
  kind: LossSpec["kind"],
  params: (options: O) => LossSpec["params"],
): HeatmapLoss<O> {
  return heatmapLoss<O>((pred, target, options) => {
    const spec: LossSpec = { kind, params: params(options) };
    const call = checkLossCall(pred, target, options, 0, true);
    return runLoss(spec, pred, target, call);
  });
}

/**
 * A {@link kernelLoss} whose own parameters must all be > 0 and fit float32 (Wing, Soft Wing):
 * `defaults` names them with their default values; each is taken from the options or its
 * default and checked ({@link checkPositiveParams}) before `params` turns them into the
 * kernel's 4 parameters (and checks what else it needs).
 */
export function positiveParamLoss<O extends LossOptions, N extends keyof O & string>(
  kind: LossSpec["kind"],
  defaults: Readonly<Record<N, number>>,
  params: (values: Record<N, number>) => LossSpec["params"],
): HeatmapLoss<O> {
  return kernelLoss<O>(kind, (options) => {
    const values: Record<N, number> = { ...defaults };
    for (const name of Object.keys(defaults) as N[]) {
      values[name] = (options?.[name] as number | undefined) ?? defaults[name];
    }
    checkPositiveParams(values);
    return params(values);
  });
}

/** A loss without parameters (MSE, L1): its kind, the default options, no map by default. */
export function plainLoss(kind: LossSpec["kind"]): HeatmapLoss<LossOptions> {
  return kernelLoss<LossOptions>(kind, () => [0, 0, 0, 0]);
}

/** Runs the loss described by `spec` over `pred` and `target` (see checkLossCall). */
export function runLoss(
  spec: LossSpec,
  pred: Float32Array,
  target: Float32Array,
  call: LossCall,
): LossResult {
  const { layout, size, reduction, mapWeight, mapThreshold, validate, grad, lossMap } = call;
  const lw = call.landmarkWeights;
  const planes = toPlanes(call.shape, layout);
  const core = wasm();
  core.set_loss(spec.kind, ...spec.params);
  const { w, s } = planes;
  const cut = plan(planes, mapWeight !== 0);
  const bytes = cut.floats * 4, rowBytes = cut.row * 4;
  // the target's area has room for a halo row on each side of a band
  const [scratch, pChan, pPred, pTargetArea, pGrad, pLoss] = reserve(
    [
      core.scratch_floats(cut.rows, w, s) * 4,
      cut.planes * s * 4,
      bytes,
      bytes + 2 * rowBytes,
      grad ? bytes : 0,
      lossMap ? bytes : 0,
    ],
    ACTION,
  );
  const pTarget = pTargetArea + rowBytes;
  const gscale = reduction === "mean" ? 1 / size : 1;
  // Views made once per call, not per piece (the memory cannot grow inside the loop); smaller
  // pieces use subarrays of them.
  const full = cut.floats;
  const predView = f32At(pPred, full), targetArea = f32At(pTargetArea, full + 2 * cut.row);
  const gradView = grad ? f32At(pGrad, full) : undefined;
  const lossView = lossMap ? f32At(pLoss, full) : undefined;
  const chanView = lw ? f32At(pChan, cut.planes * s) : undefined;
  const check = f32At(core.check_out(), 3);
  const inputs = (): { pred: Float32Array; target: Float32Array } => ({ pred, target });
  let total = 0;
  for (const piece of cut.pieces()) {
    const { lo, hi, tlo } = piece, m = hi - lo;
    predView.set(pred.subarray(lo, hi));
    // the band's first row lands at pTarget, its halo row above just before
    targetArea.set(target.subarray(tlo, piece.thi), cut.row - (lo - tlo));
    if (chanView) chanView.set(lw!.subarray(piece.plane * s, (piece.plane + piece.planes) * s));
    const pieceTotal = core.loss_batch(
      pPred,
      pTarget,
      grad ? pGrad : 0,
      lossMap ? pLoss : 0,
      piece.planes,
      piece.rows,
      w,
      s,
      piece.halo,
      lw ? pChan : 0,
      mapWeight,
      mapThreshold,
      gscale,
      scratch,
    );
    // The kernel checks its inputs as it goes (check_out): validation needs no extra pass. A
    // failed fast check (a NaN or infinity, or a finite pair whose difference overflows), or a
    // target range the loss refuses, falls back to the exact scan of the whole inputs, before
    // any result of this piece is copied out.
    if (validate) checkLossValues(check[0] === 1, check[1]!, check[2]!, spec.checkTarget, inputs);
    total += pieceTotal;
    if (gradView) grad!.set(m === full ? gradView : gradView.subarray(0, m), lo);
    if (lossView) lossMap!.set(m === full ? lossView : lossView.subarray(0, m), lo);
  }
  if (validate) checkLossTotal(total);
  return { loss: reduction === "mean" ? total / size : total, grad, lossMap };
}
