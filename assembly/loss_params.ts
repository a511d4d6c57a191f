// The selected loss and its parameters, set by set_loss and read by the loss kernels.

// @ts-nocheck: AssemblyScript source, compiled by asc

// Loss kinds, mirrored by KIND in src/_wasm.ts (tests/wasm_exports_test.ts compares them).
export const KIND_AWING: i32 = 0;
export const KIND_MSE: i32 = 1;
export const KIND_L1: i32 = 2;
export const KIND_WING: i32 = 3;
export const KIND_SOFT_WING: i32 = 4;

/** The loss kind of the following {@link loss_batch} calls. */
export let kind: i32 = KIND_AWING;

// The parameters as f32 in memory, read with k() inside the loops (see _simd_math.ts): P0..P3
// as set_loss received them (Wing: w, epsilon, C; Soft Wing: w1, w2, epsilon, B; AWing:
// alpha, omega, epsilon, theta; MSE and L1 have none), then AWing's 1 / epsilon,
// omega / epsilon and alpha - 1.
const P: usize = memory.data(28, 16);
export const P0: usize = P, P1: usize = P + 4, P2: usize = P + 8, P3: usize = P + 12;
export const AW_ALPHA: usize = P0, AW_OMEGA: usize = P1, AW_THETA: usize = P3;
export const AW_INV_EPS: usize = P + 16, AW_OMEGA_EPS: usize = P + 20;
export const AW_ALPHA_M1: usize = P + 24;

/**
 * Selects the loss and its parameters for the following {@link loss_batch} calls (AWing:
 * alpha, omega, epsilon, theta).
 */
export function set_loss(lossKind: i32, p0: f32, p1: f32, p2: f32, p3: f32): void {
  kind = lossKind;
  store<f32>(P0, p0);
  store<f32>(P1, p1);
  store<f32>(P2, p2);
  store<f32>(P3, p3);
  store<f32>(AW_INV_EPS, 1.0 / p2);
  store<f32>(AW_OMEGA_EPS, p1 / p2);
  store<f32>(AW_ALPHA_M1, p0 - 1.0);
}
