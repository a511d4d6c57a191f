// Entry point of the awing WASM core: every export of the module. Each kernel lives in a file
// named after it: the losses (loss_batch.ts, the driver, runs the loops of loss_loops.ts:
// awing.ts and baselines.ts, with weight_map.ts and the parameters of loss_params.ts),
// heatmap.ts, argmax.ts, blur.ts, softargmax.ts and math.ts. `_`-prefixed files hold what
// several kernels share: _simd_math.ts (exp, exp2, log2, log1p), _lanes.ts (horizontal
// reductions), _run.ts, _pixel.ts, _input_check.ts and _weight_rows.ts (the losses' run,
// per-pixel finish, fused input check and per-channel weights along a row). src/_wasm.ts
// mirrors these exports as `WasmCore` and `KIND`; tests/wasm_exports_test.ts checks the mirror
// against the built module.
//
// Formatting: deno fmt (lineWidth 100, as the rest of the repository) with the `@inline`
// decorators set aside. deno fmt cannot run on these files directly: decorators on functions
// are not TypeScript, and it silently drops them, so deno.json excludes assembly/. To
// reformat, turn `@inline ` at the start of a line into `/*@inline*/ `, run
// `deno fmt --line-width 100` on a copy, and turn it back.

// @ts-nocheck: AssemblyScript source, compiled by asc
export { KIND_AWING, KIND_L1, KIND_MSE, KIND_SOFT_WING, KIND_WING, set_loss } from "./loss_params";
export { loss_batch } from "./loss_batch";
export { check_out } from "./_input_check";
export { HALO_ABOVE, HALO_BELOW, weight_maps } from "./weight_map";
export { scratch_floats } from "./_weight_rows";
export { math_f32 } from "./math";
export { gauss_channels } from "./heatmap";
export { argmax_channels } from "./argmax";
export { blur_block5, blur_channel } from "./blur";
export { softargmax_channels } from "./softargmax";

/** First free byte after static data: the TypeScript arena starts here (16-byte aligned). */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(<usize> 15);
}
