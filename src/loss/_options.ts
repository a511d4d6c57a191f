// The checks of a loss call, shared by the WASM losses, CudaBackend and the CUDA loss: defaults,
// input and option checks and their messages, in one place, so that both backends accept and
// reject exactly the same input. A new check of a parameter or an option goes into
// resolveAwingParams or resolveLossOptions, which every backend calls before any work.
import { AWING_DEFAULTS, type AwingParamOptions, withAwingDefaults } from "../_awing_defaults.ts";
import {
  checkAbove,
  checkAtLeast,
  checkCount,
  checkF32,
  checkFinite,
  checkFiniteNumber,
  checkFloat32Param,
  checkLength,
  checkOneOf,
  checkOptions,
  checkOptionsShape,
  outputArray,
} from "../_validate.ts";
import { checkNoOverlap } from "../_overlap.ts";
import type { HeatmapLayout, LossOptions, Reduction, Shape4 } from "../types.ts";

const ACTION = "compute loss";

/** The Adaptive Wing parameters, checked. */
export interface AwingParams {
  alpha: number;
  omega: number;
  epsilon: number;
  theta: number;
}

/** The Adaptive Wing parameters with the paper's defaults, checked. */
export function resolveAwingParams(options: AwingParamOptions | undefined): AwingParams {
  checkOptions(options, ACTION);
  const { alpha, omega, epsilon, theta } = withAwingDefaults(options);
  checkFiniteNumber(alpha, "alpha", ACTION);
  checkAbove(omega, "omega", 0, ACTION);
  checkAbove(epsilon, "epsilon", 0, ACTION);
  checkAbove(theta, "theta", 0, ACTION);
  for (
    const [name, v] of [["alpha", alpha], ["omega", omega], ["epsilon", epsilon], [
      "theta",
      theta,
    ]] as const
  ) checkFloat32Param(v, name, ACTION);
  return { alpha, omega, epsilon, theta };
}

/** Throws unless alpha > 1 + max(target): else the gradient at zero error is unbounded. */
export function checkAlpha(alpha: number, maxTarget: number): void {
  if (!(alpha > 1 + maxTarget)) {
    throw new RangeError(
      `Cannot ${ACTION} as alpha must be > 1 + max(target) = ${
        1 + maxTarget
      }, else the gradient at zero error is unbounded: current value is ${alpha}`,
    );
  }
}

/**
 * The layout option, checked: `"nchw"` (the default) or `"nhwc"`; `"nhwc"` only where the
 * caller handles it (`channelLast`: the WASM losses do, the CUDA backend does not yet).
 */
export function resolveLayout(layout: unknown, channelLast: boolean): HeatmapLayout {
  const resolved = layout ?? "nchw";
  checkOneOf(resolved, "layout", ["nchw", "nhwc"], ACTION);
  if (resolved === "nhwc" && !channelLast) {
    throw new TypeError(
      `Cannot ${ACTION}: layout "nhwc" is not supported by the CUDA backend yet: pass "nchw"`,
    );
  }
  return resolved;
}

/** AWing's check of the target's range: alpha > 1 + max(target). */
export function awingTargetCheck(alpha: number): TargetCheck {
  return (_min: number, max: number): void => checkAlpha(alpha, max);
}

/** The options every loss shares, with defaults, checked against a batch of N*K channels. */
export interface CommonLossOptions {
  layout: HeatmapLayout;
  reduction: Reduction;
  mapWeight: number;
  mapThreshold: number;
  landmarkWeights: Float32Array | undefined;
  validate: boolean;
  gradient: boolean;
}

/**
 * Resolves and checks the options shared by every loss; N and K are read from the shape in
 * its layout. Layout `"nhwc"` only with `channelLast` (see {@link resolveLayout}).
 */
export function resolveLossOptions(
  options: Omit<LossOptions, "shape" | "out">,
  n: number,
  k: number,
  defaultMapWeight: number,
  channelLast = false,
): CommonLossOptions {
  const layout = resolveLayout(options.layout, channelLast);
  const reduction = options.reduction ?? "mean";
  checkOneOf(reduction, "reduction", ["mean", "sum", "none"], ACTION);
  const mapWeight = options.mapWeight ?? defaultMapWeight;
  const mapThreshold = options.mapThreshold ?? AWING_DEFAULTS.mapThreshold;
  checkAtLeast(mapWeight, "mapWeight", 0, ACTION);
  checkFiniteNumber(mapThreshold, "mapThreshold", ACTION);
  checkFloat32Param(mapWeight, "mapWeight", ACTION);
  checkFloat32Param(mapThreshold, "mapThreshold", ACTION);
  const lw = options.landmarkWeights;
  if (lw !== undefined) {
    checkF32(lw, "landmarkWeights", ACTION);
    checkLength(lw, "landmarkWeights", n * k, `[N, K] = [${n}, ${k}]`, ACTION);
    checkFinite(lw, "landmarkWeights", ACTION);
    for (let i = 0; i < lw.length; i++) {
      const v = lw[i]!;
      if (v < 0) {
        throw new RangeError(
          `Cannot ${ACTION} as landmarkWeights must be >= 0: index ${i} is ${v}`,
        );
      }
    }
  }
  return {
    layout,
    reduction,
    mapWeight,
    mapThreshold,
    landmarkWeights: lw,
    validate: options.validate ?? true,
    gradient: options.gradient ?? true,
  };
}

/**
 * Checks the named parameters of a loss that must be > 0 and fit float32: first each one's
 * sign, then each one's float32 range, in the order given.
 */
export function checkPositiveParams(params: Readonly<Record<string, number>>): void {
  const entries = Object.entries(params);
  for (const [name, v] of entries) checkAbove(v, name, 0, ACTION);
  for (const [name, v] of entries) checkFloat32Param(v, name, ACTION);
}

/** Throws when a loss's largest gradient magnitude `bound` (named by `what`) overflows float32. */
export function checkGradientBound(bound: number, what: string): void {
  if (!Number.isFinite(Math.fround(bound))) {
    throw new RangeError(
      `Cannot ${ACTION}: the gradient reaches ${what} = ${bound}, beyond float32's largest value`,
    );
  }
}

/**
 * The last check of a loss with validation on, the same for both backends: finite inputs and
 * parameters that each fit float32 can still give per-pixel losses (or weighted losses) that
 * overflow float32; the sum `total` is then infinite or NaN, and that is an error, not a
 * result.
 */
export function checkLossTotal(total: number): void {
  if (!Number.isFinite(total)) {
    throw new RangeError(
      `Cannot ${ACTION}: the losses overflow float32 for these inputs and parameters (the loss is ${total})`,
    );
  }
}

/** Checks that pred and target have the same number of elements, `shape`'s `size`. */
export function checkLossSizes(
  predSize: number,
  targetSize: number,
  shape: Shape4,
  size: number,
  action: string,
): void {
  checkCount(predSize, "pred", targetSize, `"target"`, action);
  checkCount(predSize, "pred", size, `shape ${JSON.stringify(shape)}`, action);
}

/** A loss call on host arrays, checked: the batch, the common options and the outputs. */
export interface LossCall extends CommonLossOptions {
  /** The batch `[N, K, H, W]` and its number of pixels. */
  shape: Shape4;
  size: number;
  /** Where the gradient goes (the caller's `out.grad` or a new array), unless `gradient: false`. */
  grad: Float32Array | undefined;
  /** Where the per-pixel losses go, with the reduction `"none"`. */
  lossMap: Float32Array | undefined;
}

/**
 * Checks a loss call on host arrays (everything but the values, see {@link checkLossValues});
 * layout `"nhwc"` only with `channelLast` (see {@link resolveLayout}).
 */
export function checkLossCall(
  pred: Float32Array,
  target: Float32Array,
  options: LossOptions,
  defaultMapWeight: number,
  channelLast: boolean,
): LossCall {
  checkF32(pred, "pred", ACTION);
  checkF32(target, "target", ACTION);
  const layout = resolveLayout(options?.layout, channelLast);
  const size = checkOptionsShape(options, ACTION, layout);
  const shape = options.shape;
  checkLossSizes(pred.length, target.length, shape, size, ACTION);
  const [n, k] = layout === "nhwc" ? [shape[0], shape[3]] : [shape[0], shape[1]];
  const common = resolveLossOptions(options, n, k, defaultMapWeight, channelLast);
  const grad = common.gradient
    ? outputArray(options.out?.grad, "out.grad", size, `"pred"`, ACTION)
    : undefined;
  const lossMap = common.reduction === "none"
    ? outputArray(options.out?.lossMap, "out.lossMap", size, `"pred"`, ACTION)
    : undefined;
  // an output may be pred itself: each piece of pred is staged before its results come out,
  // and no halo is read from pred
  checkNoOverlap(
    [["out.grad", grad], ["out.lossMap", lossMap]],
    [["pred", pred], ["target", target], ["landmarkWeights", common.landmarkWeights]],
    ACTION,
    ["pred"],
  );
  return { ...common, shape, size, grad, lossMap };
}

/** {@link checkLossCall} of the Adaptive Wing loss, with its parameters checked first. */
export function checkAwingCall(
  pred: Float32Array,
  target: Float32Array,
  options: LossOptions & AwingParamOptions,
  channelLast: boolean,
): { params: AwingParams; call: LossCall } {
  const params = resolveAwingParams(options);
  const call = checkLossCall(pred, target, options, AWING_DEFAULTS.mapWeight, channelLast);
  return { params, call };
}

/** A loss's own check of the target's range (AWing: alpha > 1 + max(target)). */
export type TargetCheck = (min: number, max: number) => void;

/**
 * The input check of a loss after a backend's fast scan, which found the inputs finite
 * (`finite`) and the target in [min, max]. When the scan found a problem, or that range fails
 * `checkTarget`, the exact scan of the whole inputs (`inputs()`, fetched only then) throws for
 * the first NaN or infinite value of pred, else of target, else for the target's range.
 * Returns whether the inputs passed the fast scan (false: the exact scan found nothing, as for
 * a finite pair whose difference overflows).
 */
export function checkLossValues(
  finite: boolean,
  min: number,
  max: number,
  checkTarget: TargetCheck | undefined,
  inputs: () => { pred: ArrayLike<number>; target: ArrayLike<number> },
): boolean {
  if (finite && passes(checkTarget, min, max)) return true;
  const { pred, target } = inputs();
  checkFinite(pred, "pred", ACTION);
  checkFinite(target, "target", ACTION);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < target.length; i++) {
    const v = target[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  checkTarget?.(lo, hi);
  return false;
}

function passes(checkTarget: TargetCheck | undefined, min: number, max: number): boolean {
  try {
    checkTarget?.(min, max);
    return true;
  } catch {
    return false;
  }
}
