// The paper's parameters, the one place every implementation and script takes them from.

/**
 * The Adaptive Wing loss's parameters and weighted loss map as the paper trains with them
 * (Wang, Bo, Fuxin, ICCV 2019): alpha 2.1, omega 14, epsilon 1, theta 0.5, map weight W 10
 * and threshold 0.2.
 */
export const AWING_DEFAULTS = {
  alpha: 2.1,
  omega: 14,
  epsilon: 1,
  theta: 0.5,
  mapWeight: 10,
  mapThreshold: 0.2,
} as const;

/** Adaptive Wing parameters, each of which may be left out. */
export interface AwingParamOptions {
  alpha?: number | undefined;
  omega?: number | undefined;
  epsilon?: number | undefined;
  theta?: number | undefined;
}

/** The parameters of `params`, the paper's ({@link AWING_DEFAULTS}) where one is left out. */
export function withAwingDefaults(
  params: AwingParamOptions | undefined,
): { alpha: number; omega: number; epsilon: number; theta: number } {
  return {
    alpha: params?.alpha ?? AWING_DEFAULTS.alpha,
    omega: params?.omega ?? AWING_DEFAULTS.omega,
    epsilon: params?.epsilon ?? AWING_DEFAULTS.epsilon,
    theta: params?.theta ?? AWING_DEFAULTS.theta,
  };
}
