import { withAwingDefaults } from "../_awing_defaults.ts";
import { checkOptions } from "../_validate.ts";

/** Parameters of the Adaptive Wing loss; the defaults are the paper's. */
export interface AWingParams {
  /** alpha: the exponent is alpha - y. Defaults to 2.1. */
  alpha?: number | undefined;
  /** omega: the loss scale. Defaults to 14. */
  omega?: number | undefined;
  /** epsilon: the error scale. Defaults to 1. */
  epsilon?: number | undefined;
  /** theta: where the log branch becomes linear. Defaults to 0.5. */
  theta?: number | undefined;
}

/** The Adaptive Wing loss of one pixel and its derivative with respect to the prediction. */
export interface PixelLoss {
  /** The loss. */
  loss: number;
  /** Its derivative with respect to the prediction. */
  grad: number;
}

/**
 * The constants of the linear branch, in float64, exactly as the paper writes them:
 * A = omega * (1 / (1 + (theta/epsilon)^(alpha-y))) * (alpha-y) * (theta/epsilon)^(alpha-y-1) / epsilon
 * and C = theta * A - omega * ln(1 + (theta/epsilon)^(alpha-y)).
 *
 * @example A(y) and C(y) at y = 0
 * ```ts
 * import { awingConstants } from "@facealign/awing/reference";
 * import { ok } from "node:assert/strict";
 * const { A, C } = awingConstants(0);
 * ok(Math.abs(A - 11.121422) < 1e-6 && Math.abs(C - 2.625476) < 1e-6);
 * ```
 *
 * @param y The target value.
 * @param params The loss parameters (paper defaults).
 * @returns A and C.
 */
export function awingConstants(y: number, params: AWingParams = {}): { A: number; C: number } {
  checkOptions(params, "compute AWing constants", "params");
  const { alpha, omega, epsilon, theta } = withAwingDefaults(params);
  const p = alpha - y;
  const r = theta / epsilon;
  const A = omega * (1 / (1 + Math.pow(r, p))) * p * Math.pow(r, p - 1) / epsilon;
  const C = theta * A - omega * Math.log(1 + Math.pow(r, p));
  return { A, C };
}

/**
 * The Adaptive Wing loss of one pixel in float64, written in the paper's two-branch form
 * (the oracle for the WASM and CUDA kernels):
 * AWing(y, p) = omega * ln(1 + |(y - p)/epsilon|^(alpha - y)) if |y - p| < theta,
 * else A * |y - p| - C; and its derivative with respect to the prediction p. The arguments
 * come in the order of every loss: prediction first, then target.
 *
 * @example The mmpose unit-test value
 * ```ts
 * import { awingPixel } from "@facealign/awing/reference";
 * import { ok } from "node:assert/strict";
 * ok(Math.abs(awingPixel(1, 0).loss - 8.495946) < 1e-6);
 * ```
 *
 * @param p The prediction.
 * @param y The target value.
 * @param params The loss parameters (paper defaults).
 * @returns The loss and its derivative with respect to `p`.
 */
export function awingPixel(p: number, y: number, params: AWingParams = {}): PixelLoss {
  checkOptions(params, "compute AWing loss", "params");
  const { alpha, omega, epsilon, theta } = withAwingDefaults(params);
  const x = Math.abs(y - p);
  const q = alpha - y;
  const s = Math.sign(p - y);
  if (x < theta) {
    const u = x / epsilon;
    return {
      loss: omega * Math.log1p(Math.pow(u, q)),
      grad: s * omega * q * Math.pow(u, q - 1) / (epsilon * (1 + Math.pow(u, q))),
    };
  }
  const { A, C } = awingConstants(y, params);
  return { loss: A * x - C, grad: s * A };
}
