// The five WASM losses with their float64 reference kinds, for the tests that run them all.
import {
  awingLoss,
  l1Loss,
  type LossOptions,
  type LossResult,
  mseLoss,
  softWingLoss,
  wingLoss,
} from "../src/loss/mod.ts";
import type { LossReferenceOptions } from "../src/reference/mod.ts";

/**
 * A set of Adaptive Wing parameters other than the defaults, each exact in float32 (the
 * precision of the kernels), with a weight map above a threshold other than the default.
 */
export const AWING_CUSTOM = {
  alpha: 2.5,
  omega: 10,
  epsilon: Math.fround(0.5),
  theta: Math.fround(0.3),
  mapWeight: 5,
  mapThreshold: Math.fround(0.3),
};

/** One loss: its name, its kind in `lossReference` and the function. */
export interface LossKind {
  name: string;
  ref: NonNullable<LossReferenceOptions["loss"]>;
  run: (p: Float32Array, t: Float32Array, o: LossOptions) => LossResult;
}

/** Every loss of `@facealign/awing/loss`, AWing first. */
export const KINDS: readonly LossKind[] = [
  { name: "awing", ref: { kind: "awing" }, run: awingLoss },
  { name: "wing", ref: { kind: "wing" }, run: wingLoss },
  { name: "soft-wing", ref: { kind: "soft-wing" }, run: softWingLoss },
  { name: "mse", ref: { kind: "mse" }, run: mseLoss },
  { name: "l1", ref: { kind: "l1" }, run: l1Loss },
];
