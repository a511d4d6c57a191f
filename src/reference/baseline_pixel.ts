import type { PixelLoss } from "./awing_pixel.ts";

/** The baseline losses of the paper's comparison, with their parameters. */
export type Baseline =
  | { kind: "mse" }
  | { kind: "l1" }
  | { kind: "wing"; w?: number; epsilon?: number }
  | { kind: "soft-wing"; w1?: number; w2?: number; epsilon?: number };

/**
 * A baseline loss of one pixel in float64 and its derivative with respect to the prediction:
 * MSE e^2, L1 |e|, Wing (w = 10, epsilon = 2: w ln(1 + |e|/epsilon) if |e| < w, else |e| - C)
 * or Soft Wing (w1 = 2, w2 = 20, epsilon = 0.5: |e| if |e| < w1, else w2 ln(1 + |e|/epsilon) + B),
 * with e = p - y. The derivative at e = 0 is taken as 0. Prediction first, then target, as in
 * every loss.
 *
 * @example Wing's constant C makes the two branches meet at |e| = w
 * ```ts
 * import { baselinePixel } from "@facealign/awing/reference";
 * import { ok } from "node:assert/strict";
 * const wing = { kind: "wing" } as const;
 * const below = baselinePixel(10 - 1e-9, 0, wing).loss;
 * const above = baselinePixel(10, 0, wing).loss;
 * ok(Math.abs(below - above) < 1e-6);
 * ```
 *
 * @param p The prediction.
 * @param y The target value.
 * @param loss Which baseline, with its parameters.
 * @returns The loss and its derivative with respect to `p`.
 */
export function baselinePixel(p: number, y: number, loss: Baseline): PixelLoss {
  const e = p - y;
  const d = Math.abs(e);
  const s = Math.sign(e);
  switch (loss.kind) {
    case "mse":
      return { loss: e * e, grad: 2 * e };
    case "l1":
      return { loss: d, grad: s };
    case "wing": {
      const { w = 10, epsilon = 2 } = loss;
      if (d < w) return { loss: w * Math.log(1 + d / epsilon), grad: s * w / (epsilon + d) };
      const c = w - w * Math.log(1 + w / epsilon);
      return { loss: d - c, grad: s };
    }
    case "soft-wing": {
      const { w1 = 2, w2 = 20, epsilon = 0.5 } = loss;
      if (d < w1) return { loss: d, grad: s };
      const b = w1 - w2 * Math.log(1 + w1 / epsilon);
      return { loss: w2 * Math.log(1 + d / epsilon) + b, grad: s * w2 / (epsilon + d) };
    }
  }
}
