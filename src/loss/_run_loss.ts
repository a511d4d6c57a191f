// The one driver behind every heatmap loss: validates, stages pieces of the batch (whole
// planes, or bands of rows with a halo, see _planes.ts) through the WASM arena in either
// layout, runs the fused kernel and copies results out.
import { checkF32, checkFinite, checkLength, checkShape4, shapeDims } from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import { resolveLayout, resolveLossOptions } from "./_options.ts";
import { plan, toPlanes } from "./_planes.ts";
import { f32At, rangeAt, reserve, wasm } from "../_wasm.ts";
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
  const layout = resolveLayout(options?.layout, true);
  if (options === undefined || options.shape === undefined) {
    throw new TypeError(`Cannot ${ACTION}: "options.shape" ${shapeDims(layout)} is required`);
  }
  const size = checkShape4(options.shape, ACTION, "shape", layout);
  if (pred.length !== target.length) {
    throw new TypeError(
      `Cannot ${ACTION}: "pred" has ${pred.length} elements but "target" has ${target.length}`,
    );
  }
  checkLength(pred, "pred", size, `shape ${JSON.stringify(options.shape)}`, ACTION);
  const planes = toPlanes(options.shape, layout);
  const { reduction, mapWeight, mapThreshold, landmarkWeights: lw, validate, gradient } =
    resolveLossOptions(options, planes.n, planes.k, spec.defaultMapWeight, true);
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
  // an output may be pred itself: each piece of pred is staged before its results come out,
  // and no halo is read from pred
  checkNoOverlap(
    [["out.grad", grad], ["out.lossMap", lossMap]],
    [["pred", pred], ["target", target], ["landmarkWeights", lw]],
    ACTION,
    ["pred"],
  );

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
    // The kernel checks its inputs as it goes (check_out): validation needs no extra pass. It
    // runs before any result of this piece is copied out. A failed fast check (a NaN or
    // infinity, or a finite pair whose difference overflows) falls back to the exact scan,
    // which names the first bad value.
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
    total += pieceTotal;
    if (gradView) grad!.set(m === full ? gradView : gradView.subarray(0, m), lo);
    if (lossView) lossMap!.set(m === full ? lossView : lossView.subarray(0, m), lo);
  }
  return { loss: reduction === "mean" ? total / size : total, grad, lossMap };
}
