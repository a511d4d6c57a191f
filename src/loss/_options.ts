// Option handling shared by the WASM losses and the CUDA loss: defaults, range checks and the
// messages, in one place so that both backends accept and reject exactly the same input.
import {
  checkAbove,
  checkAtLeast,
  checkF32,
  checkFinite,
  checkFiniteNumber,
  checkLength,
  checkOneOf,
} from "../_validate.ts";
import type { HeatmapLayout, LossOptions, Reduction } from "../types.ts";

const ACTION = "compute loss";

/** The Adaptive Wing parameters with the paper's defaults, checked. */
export function resolveAwingParams(
  options: {
    alpha?: number | undefined;
    omega?: number | undefined;
    epsilon?: number | undefined;
    theta?: number | undefined;
  } | undefined,
): { alpha: number; omega: number; epsilon: number; theta: number } {
  const alpha = options?.alpha ?? 2.1;
  const omega = options?.omega ?? 14;
  const epsilon = options?.epsilon ?? 1;
  const theta = options?.theta ?? 0.5;
  checkFiniteNumber(alpha, "alpha", ACTION);
  checkAbove(omega, "omega", 0, ACTION);
  checkAbove(epsilon, "epsilon", 0, ACTION);
  checkAbove(theta, "theta", 0, ACTION);
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
  const mapThreshold = options.mapThreshold ?? 0.2;
  checkAtLeast(mapWeight, "mapWeight", 0, ACTION);
  if (!Number.isFinite(mapThreshold)) {
    throw new RangeError(
      `Cannot ${ACTION} as mapThreshold must be finite: current value is ${mapThreshold}`,
    );
  }
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
